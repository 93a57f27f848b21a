"""Headless Chromium on a served dashboard, for the browser tests: the driver's options,
`schoolwh dashboard` started and stopped, and the waiting helpers.

Needs Debian's `chromium` and `chromium-driver` (and `fonts-noto-cjk` for readable
Chinese). Without them a browser test is skipped, unless REQUIRE_BROWSER=1 (set by CI).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import chromium_path, require_browser

from schoolwh import dashboard_cmd

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_or_skip() -> tuple[str, str]:
    """Chromium's and chromedriver's paths; the test is skipped (failed under
    REQUIRE_BROWSER=1) without them."""
    chromium = chromium_path()
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
    if require_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but no browser: {message}")
    pytest.skip(message)


def open_browser(chromium: str, driver_path: str, profile, downloads=None):
    """Headless Chromium with a profile of its own; downloads go to `downloads`."""
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


class Served:
    """`schoolwh dashboard` on a warehouse, its output in the test's streamlit.log;
    `stop()` ends it."""

    def __init__(self, warehouse: Path, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "streamlit.log"
        self.log = self.log_path.open("w")
        self.server = dashboard_cmd.start(
            warehouse, "127.0.0.1", self.port, stdout=self.log, stderr=subprocess.STDOUT
        )
        # the server answers its health check once it has warmed the first page
        if not dashboard_cmd.wait_until_ready(self.url, 240, self.server):
            self.stop()
            pytest.fail(f"the dashboard did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()


@contextlib.contextmanager
def dashboard_in_chromium(
    warehouse: Path, tmp_path: Path, downloads: Path | None = None
) -> Iterator[tuple[str, object]]:
    """A served dashboard and a headless Chromium (skipped without one): yields the
    dashboard's address and the browser, and stops both at the end."""
    chromium, driver_path = browser_or_skip()
    served = Served(warehouse, tmp_path)
    try:
        browser = open_browser(chromium, driver_path, tmp_path / "chromium-profile", downloads)
        try:
            yield served.url, browser
        finally:
            browser.quit()
    finally:
        served.stop()


def body_text(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.TAG_NAME, "body").text


def wait_for(browser, condition, timeout: float = 90):
    """Wait until `condition(browser)` is truthy (polled twice a second); its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.5).until(condition)


def plots_drawn(browser, at_least: int) -> bool:
    """At least `at_least` Plotly figures are on the page."""
    from selenium.webdriver.common.by import By

    return len(browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) >= at_least


def page_settled(browser, marker: str = "数据截至") -> bool:
    """The page shows `marker` and its text stopped changing for a second."""
    first = body_text(browser)
    if marker not in first:
        return False
    time.sleep(1.0)
    return body_text(browser) == first
