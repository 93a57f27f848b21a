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
            names = [i18n.kpi_name(k, "zh") for k in ("lunch_coverage", "satisfaction_rate")]
            as_of = f"数据截至 {fx.AS_OF_ZH}"

            def overview_drawn(b) -> bool:
                text = b.find_element(By.TAG_NAME, "body").text
                maps = b.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
                return all(n in text for n in names) and as_of in text and len(maps) >= 3

            WebDriverWait(browser, 90, poll_frequency=0.5).until(overview_drawn)
            body = browser.find_element(By.TAG_NAME, "body").text
            for kpi in i18n.KPI_ORDER:
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
