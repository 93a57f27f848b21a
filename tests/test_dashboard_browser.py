"""The served dashboard in a real browser: `schoolwh dashboard` on a fixture warehouse,
opened in headless Chromium, must show the overview with its KPI names, the as-of date,
a drawn map and no error box. A screenshot is kept in the test's temp folder.

Needs Debian's `chromium` and `chromium-driver` (and `fonts-noto-cjk` for readable
Chinese). Without them the test is skipped, unless REQUIRE_BROWSER=1 (set by CI).
"""

from __future__ import annotations

import shutil
import socket
import subprocess

import dashboard_fixtures as fx
import pytest
from conftest import chromium_path, require_browser

from schoolwh import dashboard_cmd
from schoolwh.reading import i18n
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,2200",
)
ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser_or_skip() -> tuple[str, str]:
    chromium = chromium_path()
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
    if require_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but no browser: {message}")
    pytest.skip(message)


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_overview_in_chromium(tmp_path_factory, tmp_path):
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "streamlit.log").open("w")
    server = dashboard_cmd.start(warehouse, "127.0.0.1", port, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert dashboard_cmd.wait_until_ready(url, 90, server), (
            f"the dashboard did not start: {(tmp_path / 'streamlit.log').read_text()}"
        )
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
        browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            browser.get(url)
            kpis = q.kpi_definitions(Warehouse(warehouse))  # the names come from the warehouse
            names = [i18n.kpi_name(k, "zh") for k in ("lunch_coverage", "satisfaction_rate")]
            as_of = f"数据截至 {fx.AS_OF_ZH}"

            def overview_drawn(b) -> bool:
                text = b.find_element(By.TAG_NAME, "body").text
                maps = b.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
                return all(n in text for n in names) and as_of in text and len(maps) >= 3

            WebDriverWait(browser, 90, poll_frequency=0.5).until(overview_drawn)
            body = browser.find_element(By.TAG_NAME, "body").text
            for kpi in kpis:
                if kpi != "budget_execution":  # a year/month KPI: not on a term's cards
                    assert i18n.kpi_name(kpi, "zh") in body, kpi
            assert "83.3%" in body  # lunch coverage: 5 of 6 schools
            assert "郑州经济技术开发区" in body  # listed beside the map
            assert not browser.find_elements(By.CSS_SELECTOR, ERROR_BOXES)
            # the district shapes are drawn (filled paths in the map's SVG)
            fills = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot path.js-fill")
            assert len(fills) >= 2
            shot = tmp_path / "overview.png"
            assert browser.save_screenshot(str(shot))
            assert shot.stat().st_size > 20_000
        finally:
            browser.quit()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# ---------------------------------------------------------------------------------------
# accounts: login, district scope, uploads
# ---------------------------------------------------------------------------------------
PASSWORD = "browser pass 1"
OTHER_DISTRICTS = ("中牟县", "郑州经济技术开发区", fx.D_ZHONGMOU, fx.D_DEVZONE)


def open_browser(chromium: str, driver_path: str, profile, downloads=None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {"download.default_directory": str(downloads), "download.prompt_for_download": False},
        )
    browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    if downloads is not None:
        browser.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
    return browser


def body_text(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.TAG_NAME, "body").text


def wait_for(browser, condition, timeout: float = 90):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.5).until(condition)


def log_in(browser, url: str, name: str, password: str) -> None:
    """Fill the login form (user name, password) and press 登录."""
    from selenium.webdriver.common.by import By

    browser.get(url)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="password"]'))
    user = browser.find_element(By.CSS_SELECTOR, 'input[aria-label="用户名"]')
    user.clear()
    user.send_keys(name)
    secret = browser.find_element(By.CSS_SELECTOR, 'input[type="password"]')
    secret.clear()
    secret.send_keys(password)
    browser.find_element(By.XPATH, "//button[normalize-space(.)='登录']").click()


def go_to(browser, page: str) -> None:
    """Open a page through the sidebar (a new URL would start a new session)."""
    from selenium.webdriver.common.by import By

    link = wait_for(
        browser,
        lambda b: [
            a
            for a in b.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
            if (a.get_attribute("href") or "").rstrip("/").endswith("/" + page)
        ],
    )[0]
    link.click()


def page_settled(browser) -> bool:
    from selenium.webdriver.common.by import By

    running = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
    return not running and "数据截至" in body_text(browser)


class Served:
    """`schoolwh dashboard` on a warehouse of this test's own, stopped at the end."""

    def __init__(self, warehouse, tmp_path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "streamlit.log"
        self.log = self.log_path.open("w")
        self.server = dashboard_cmd.start(
            warehouse, "127.0.0.1", self.port, stdout=self.log, stderr=subprocess.STDOUT
        )
        assert dashboard_cmd.wait_until_ready(self.url, 90, self.server), (
            f"the dashboard did not start: {self.log_path.read_text()}"
        )

    def stop(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()


def own_warehouse(tmp_path_factory, tmp_path):
    """A copy of the fixture warehouse with accounts of its own beside it."""
    from schoolwh.accounts import AccountStore

    source = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser"))
    folder = tmp_path / "data"
    folder.mkdir()
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(source, warehouse)
    store = AccountStore(warehouse)
    store.add("jinshui", "district", (fx.D_JINSHUI,), PASSWORD)
    store.add("jinshui_tb", "clerk", (fx.D_JINSHUI,), PASSWORD)
    return warehouse


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_district_user_sees_only_their_district(tmp_path_factory, tmp_path):
    chromium, driver_path = _browser_or_skip()
    from selenium.webdriver.common.by import By

    warehouse = own_warehouse(tmp_path_factory, tmp_path)
    served = Served(warehouse, tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = open_browser(chromium, driver_path, tmp_path / "profile", downloads)
    try:
        # a wrong password gets nothing but the form again and a message
        log_in(browser, served.url, "jinshui", "not the password")
        wait_for(browser, lambda b: "wrong user name or password" in body_text(b))
        text = body_text(browser)
        assert "数据截至" not in text and "金水区" not in text
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"]')

        log_in(browser, served.url, "jinshui", PASSWORD)
        wait_for(browser, page_settled)
        for page in ("overview", "district", "funding", "satisfaction", "issues", "quality"):
            go_to(browser, page)
            wait_for(browser, page_settled)
            text = body_text(browser)
            for other in OTHER_DISTRICTS:
                assert other not in text, (page, other)
            assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')

        # a download from the district page holds the district only
        go_to(browser, "district")
        wait_for(browser, page_settled)
        buttons = wait_for(
            browser,
            lambda b: [
                x
                for x in b.find_elements(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
                if "CSV" in x.text
            ],
        )
        buttons[0].click()
        files = wait_for(browser, lambda b: [p for p in downloads.iterdir() if p.suffix == ".csv"])
        content = files[0].read_text(encoding="utf-8-sig")
        for other in OTHER_DISTRICTS:
            assert other not in content

        # the SQL page runs on the district's extract
        go_to(browser, "sql")
        area = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "textarea"))[0]
        area.clear()
        area.send_keys("select district_code, district_name from marts.dim_school")
        browser.find_element(By.XPATH, "//button[contains(., '运行') or contains(., 'Run')]").click()
        wait_for(browser, lambda b: fx.D_JINSHUI in body_text(b))
        text = body_text(browser)
        for other in OTHER_DISTRICTS:
            assert other not in text
    finally:
        browser.quit()
        served.stop()
