"""The 上报情况 page in headless Chromium on the loaded demo sample: a bureau account sees
every district's missing reports and the copy box; a district account sees its own only."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from browser import body_text, dashboard_in_chromium, page_settled, wait_for

PASSWORD = "reporting pass 1"
JINSHUI = "410105"


def _go_to(browser, page: str) -> None:
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


def _log_in(browser, url: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(url)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="password"]'))
    browser.find_element(By.CSS_SELECTOR, 'input[aria-label="用户名"]').send_keys(name)
    browser.find_element(By.CSS_SELECTOR, 'input[type="password"]').send_keys(PASSWORD)
    browser.find_element(By.XPATH, "//button[normalize-space(.)='登录']").click()
    wait_for(browser, page_settled)


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_reporting_page_for_a_bureau_and_a_district_account(demo_warehouse, tmp_path):
    from selenium.webdriver.common.by import By

    from schoolwh.accounts import AccountStore

    folder = tmp_path / "data"
    folder.mkdir()
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    names = dict(
        con.execute("select district_code, district_name from marts.dim_district").fetchall()
    )
    con.close()
    others = [name for code, name in names.items() if code != JINSHUI]
    store = AccountStore(warehouse)
    store.add("bureau1", "bureau", (), PASSWORD)
    store.add("jinshui", "district", (JINSHUI,), PASSWORD)
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        _log_in(browser, url, "bureau1")
        _go_to(browser, "reporting")
        wait_for(browser, lambda b: "各区县各类数据最近一次上报" in body_text(b))
        wait_for(browser, page_settled)
        text = body_text(browser)
        assert "最近两周未上报就餐人数的供餐日" in text
        assert "最近两周未上报就餐人数的学校" in text  # the copy box
        assert sum(name in text for name in others) >= 3  # the whole jurisdiction
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        browser.save_screenshot(str(tmp_path / "reporting-bureau.png"))

        _log_in(browser, url, "jinshui")
        _go_to(browser, "reporting")
        wait_for(browser, lambda b: "各区县各类数据最近一次上报" in body_text(b))
        wait_for(browser, page_settled)
        text = body_text(browser)
        assert names[JINSHUI] in text
        for other in others:
            assert other not in text, other
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        browser.save_screenshot(str(tmp_path / "reporting-district.png"))
