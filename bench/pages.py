"""The queries each dashboard page runs, with the parameters a first visit uses.

Every page runs the shared filter and header queries of dashboard/ui.py, then its own
(dashboard/views/*.py). The parameters are those a visitor sees first: the latest term,
the previous one, the first district, its first school, the latest fiscal year. The SQL
page runs the visitor's own query in the sandbox and is not timed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse
from schoolwh.reading.i18n import page_title

Query = Callable[[Warehouse], Any]


@dataclass(frozen=True)
class Choices:
    """The first-visit parameters, read once from the warehouse."""

    term: str
    previous_term: str | None
    month: str
    district: str
    school: str
    year: int
    load_id: int | None


def first_visit(path: Path) -> Choices:
    wh = Warehouse(path)
    try:
        terms = q.periods(wh, "term")
        months = q.periods(wh, "month")
        district = str(q.districts(wh)["district_code"].iloc[0])
        schools = q.schools_table(wh, district, "term", terms[0])
        years = q.funding_years(wh)
        loads = q.loads(wh, limit=1)
        return Choices(
            term=terms[0],
            previous_term=terms[1] if len(terms) > 1 else None,
            month=months[0],
            district=district,
            school=str(schools["school_code"].iloc[0]),
            year=years[0],
            load_id=int(loads["load_id"].iloc[0]) if not loads.empty else None,
        )
    finally:
        wh.close()


def page_queries(c: Choices) -> dict[str, dict[str, Query]]:
    """page -> query label -> the call, in the order the page makes them."""
    term, prev, d = c.term, c.previous_term or c.term, c.district
    shared: dict[str, Query] = {
        "build_info": q.build_info,
        "period_types": q.period_types,
        "periods(term)": lambda wh: q.periods(wh, "term"),
        "districts": q.districts,
        "school_values(stage)": lambda wh: q.school_values(wh, "stage"),
        "school_values(location)": lambda wh: q.school_values(wh, "location"),
    }
    bounds: dict[str, Any] = {}

    def school_daily(wh: Warehouse) -> Any:
        span = bounds.get("span") or q.period_bounds(wh, "term", term)
        return q.school_daily(wh, c.school, *span)

    def period_bounds(wh: Warehouse) -> Any:
        bounds["span"] = q.period_bounds(wh, "term", term)
        return bounds["span"]

    return {
        "overview": {
            **shared,
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_overall(previous)": lambda wh: q.kpi_overall(wh, "term", prev),
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term),
            "kpi_district_one": lambda wh: q.kpi_district_one(wh, "term", term, "eating_share"),
        },
        "district": {
            **shared,
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term, d),
            "kpi_district(previous)": lambda wh: q.kpi_district(wh, "term", prev, d),
            "kpi_series(month)": lambda wh: q.kpi_series(wh, "month", d),
            "schools_table": lambda wh: q.schools_table(wh, d, "term", term),
            "schools_table(month)": lambda wh: q.schools_table(wh, d, "month", c.month),
            "schools_table(year)": lambda wh: q.schools_table(wh, d, "year", str(c.year)),
            "period_bounds": period_bounds,
            "school_daily": school_daily,
            "school_issues": lambda wh: q.school_issues(wh, c.school),
        },
        "funding": {
            **shared,
            "funding_years": q.funding_years,
            "kpi_overall(year)": lambda wh: q.kpi_overall(wh, "year", str(c.year)),
            "kpi_overall(previous year)": lambda wh: q.kpi_overall(wh, "year", str(c.year - 1)),
            "funding": lambda wh: q.funding(wh, c.year),
            "funding(district)": lambda wh: q.funding(wh, c.year, d),
            "budget_pace": lambda wh: q.budget_pace(wh, c.year),
            "budget_pace(district)": lambda wh: q.budget_pace(wh, c.year, d),
        },
        "satisfaction": {
            **shared,
            "min_sample": lambda wh: q.min_sample(wh, "satisfaction_rate"),
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_district_one": lambda wh: q.kpi_district_one(
                wh, "term", term, "satisfaction_rate"
            ),
            "satisfaction_groups": lambda wh: q.satisfaction_groups(wh, "term", term),
            "satisfaction_items": lambda wh: q.satisfaction_items(wh, "term", term),
            "satisfaction_groups(district)": lambda wh: q.satisfaction_groups(wh, "term", term, d),
        },
        "issues": {
            **shared,
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term, d),
            "issues_per_month": q.issues_per_month,
            "open_issues": q.open_issues,
            "open_issues(overdue, district)": lambda wh: q.open_issues(wh, d, only_overdue=True),
            "issues_breakdown(category)": lambda wh: q.issues_breakdown(
                wh, "category", "term", term
            ),
            "issues_breakdown(source)": lambda wh: q.issues_breakdown(wh, "source", "term", term),
        },
        "quality": {
            **shared,
            "has_audit": q.has_audit,
            "loads": q.loads,
            "load_files": lambda wh: q.load_files(wh, c.load_id),
            "quarantine_reasons": q.quarantine_reasons,
            "quarantine": lambda wh: q.quarantine(wh),
            "dq_results": lambda wh: q.dq_results(wh, c.load_id),
            "orphan_facts": q.orphan_facts,
            "kpi_district_one": lambda wh: q.kpi_district_one(
                wh, "term", term, "reporting_completeness"
            ),
        },
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_pages(path: Path, repeat: int) -> dict[str, Any]:
    """p50 / p95 / max milliseconds of every page query over `repeat` runs.

    Each sample opens the published file afresh (a new read-only connection, an empty
    result cache) and runs one query, so the figure includes opening the connection, as
    a dashboard worker pays it after every publish. A page's total runs its queries in
    order on one new connection.
    """
    pages = page_queries(first_visit(path))
    out: dict[str, Any] = {}
    for page, page_q in pages.items():
        per_query: dict[str, list[float]] = {label: [] for label in page_q}
        totals: list[float] = []
        for _ in range(repeat):
            for label, call in page_q.items():
                wh = Warehouse(path)
                t0 = time.perf_counter()
                call(wh)
                per_query[label].append((time.perf_counter() - t0) * 1000)
                wh.close()
            wh = Warehouse(path)
            t0 = time.perf_counter()
            for call in page_q.values():
                call(wh)
            totals.append((time.perf_counter() - t0) * 1000)
            wh.close()
        out[page] = {
            "queries": {
                label: {
                    "p50_ms": median(ms),
                    "p95_ms": _percentile(ms, 0.95),
                    "max_ms": max(ms),
                }
                for label, ms in per_query.items()
            },
            "page_p50_ms": median(totals),
            "page_p95_ms": _percentile(totals, 0.95),
        }
    return out


# ---------------------------------------------------------------------------------------
# what a person waits for: each page fully drawn in a real browser after a click
# ---------------------------------------------------------------------------------------
TARGET_FIRST_S = 3.0  # the first page, from opening the address
TARGET_CLICK_S = 1.0  # every later page, median, from the click in the sidebar
PAGE_TITLES = {
    page: page_title(page, "zh")
    for page in ("overview", "district", "funding", "satisfaction", "issues", "quality")
}
# Whole: the page's run has ended (the app's last element, `schoolwh-drawn`, names the
# page), nothing is running any more, and every chart is drawn.
_DRAWN = """
const [want, page] = arguments;
const h1 = document.querySelector('h1');
if (!h1 || h1.textContent.trim() !== want) return false;
if (!document.querySelector(`.schoolwh-drawn[data-page="${page}"]`)) return false;
if (document.querySelector('[data-testid="stStatusWidget"]')) return false;  // still running
const charts = [...document.querySelectorAll('.js-plotly-plot')];
return charts.every(c => c.querySelector('.main-svg'));
"""


# Settled: the browser's main thread has answered timers on time for 300 ms (capped at
# 10 s). A page drawn is not yet a page at rest: the first page goes on loading the code of
# its tables and fonts for a second or two. Each click waits for the page before it to
# settle, as a person reads a page before clicking; the first page's time to settle is
# reported beside its time to be drawn.
_SETTLED = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
let calm = 0, last = t0;
function step() {
  const now = performance.now();
  calm = now - last < 70 ? calm + 1 : 0;
  last = now;
  if (calm >= 6 || now - t0 > 10000) { done((now - t0) / 1000); return; }
  setTimeout(step, 50);
}
setTimeout(step, 50);
"""


def time_pages_in_browser(path: Path, repeat: int = 3, port: int = 8765) -> dict[str, Any]:
    """Seconds until each page is fully drawn in headless Chromium: the first page from
    opening the address, every other page from a click on its entry in the sidebar once
    the page before has settled (title shown, the script finished, every chart drawn);
    medians over `repeat` rounds.
    Needs Chromium and chromedriver (Debian: chromium, chromium-driver)."""
    import shutil
    import subprocess

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from schoolwh import dashboard_cmd
    from schoolwh.briefing.export import find_chromium

    chromium, driver = find_chromium(), shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise RuntimeError("Chromium and chromedriver are needed: apt-get install chromium "
                           "chromium-driver")  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    server = dashboard_cmd.start(
        path, "127.0.0.1", port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    first: list[float] = []
    settled: list[float] = []  # the first page at rest (see _SETTLED)
    clicks: dict[str, list[float]] = {page: [] for page in PAGE_TITLES if page != "overview"}
    try:
        if not dashboard_cmd.wait_until_ready(url, 240, server):
            raise RuntimeError("the dashboard did not start")
        options = webdriver.ChromeOptions()
        options.binary_location = str(chromium)
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
            options.add_argument(flag)
        for _ in range(repeat):
            browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
            browser.set_script_timeout(15)
            try:
                wait = WebDriverWait(browser, 120, poll_frequency=0.02)
                t0 = time.perf_counter()
                browser.get(f"{url}/overview")
                wait.until(lambda b: b.execute_script(_DRAWN, PAGE_TITLES["overview"], "overview"))
                first.append(time.perf_counter() - t0)
                browser.execute_async_script(_SETTLED)
                settled.append(time.perf_counter() - t0)
                for page in clicks:
                    link = browser.find_element(
                        By.CSS_SELECTOR, f'[data-testid="stSidebarNav"] a[href$="/{page}"]'
                    )
                    t0 = time.perf_counter()
                    link.click()
                    wait.until(lambda b, p=page: b.execute_script(_DRAWN, PAGE_TITLES[p], p))
                    clicks[page].append(time.perf_counter() - t0)
                    browser.execute_async_script(_SETTLED)
            finally:
                browser.quit()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    medians = {page: median(s) for page, s in clicks.items()}
    return {
        "first_page_s": median(first),
        "first_page_ok": median(first) <= TARGET_FIRST_S,
        # round 1 opened the server's very first page: what warming (dashboard_cmd.warm,
        # before the health check answers) is for
        "first_page_cold_s": first[0],
        "first_page_cold_ok": first[0] <= TARGET_FIRST_S,
        "first_page_settled_s": median(settled),
        "after_click_s": medians,
        "after_click_median_s": median(medians.values()),
        "after_click_ok": all(v <= TARGET_CLICK_S for v in medians.values()),
        "targets": {"first_page_s": TARGET_FIRST_S, "after_click_s": TARGET_CLICK_S},
    }


def report_browser_times(result: dict[str, Any]) -> str:
    """Lines for the console: each page against its target."""
    mark = {True: "✓", False: "✗"}
    lines = [
        f"{mark[result['first_page_ok']]} 首页 first page: {result['first_page_s']:.2f} s "
        f"(≤ {TARGET_FIRST_S:.1f} s); at rest after {result['first_page_settled_s']:.2f} s",
        f"{mark[result['first_page_cold_ok']]} 新启动后的首页 first page of a fresh server: "
        f"{result['first_page_cold_s']:.2f} s (≤ {TARGET_FIRST_S:.1f} s)",
    ]
    for page, seconds in result["after_click_s"].items():
        lines.append(
            f"{mark[seconds <= TARGET_CLICK_S]} {PAGE_TITLES[page]} {page}: {seconds:.2f} s "
            f"after the click (≤ {TARGET_CLICK_S:.1f} s)"
        )
    return "\n".join(lines)


TARGET_LOGIN_S = 3.0  # from the click on 登录 to the first page drawn
BENCH_USER, BENCH_PASSWORD = "bench_juzhang", "bench login 2025"


def time_login_in_browser(path: Path, repeat: int = 3, port: int = 8766) -> dict[str, Any]:
    """With an account (on a copy of the warehouse, beside which it is made): each round
    starts the server afresh and measures, in headless Chromium, the seconds from starting
    it to its health check, from opening the address to the login form, and from the
    click on 登录 to the overview drawn; medians over `repeat` rounds (and round 1's)."""
    import shutil
    import subprocess
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from schoolwh import dashboard_cmd
    from schoolwh.accounts import AccountStore
    from schoolwh.briefing.export import find_chromium

    chromium, driver = find_chromium(), shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise RuntimeError("Chromium and chromedriver are needed: apt-get install chromium "
                           "chromium-driver")  # fmt: skip
    healthy: list[float] = []
    form: list[float] = []
    login: list[float] = []
    with tempfile.TemporaryDirectory(prefix="schoolwh-bench-login-") as folder:
        warehouse = Path(folder) / "warehouse.duckdb"
        shutil.copyfile(path, warehouse)
        AccountStore(warehouse).add(BENCH_USER, "bureau", (), BENCH_PASSWORD)
        url = f"http://127.0.0.1:{port}"
        options = webdriver.ChromeOptions()
        options.binary_location = str(chromium)
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
            options.add_argument(flag)
        for _ in range(repeat):
            t0 = time.perf_counter()
            server = dashboard_cmd.start(
                warehouse, "127.0.0.1", port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                if not dashboard_cmd.wait_until_ready(url, 240, server):
                    raise RuntimeError("the dashboard did not start")
                healthy.append(time.perf_counter() - t0)
                browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
                try:
                    wait = WebDriverWait(browser, 120, poll_frequency=0.02)
                    t0 = time.perf_counter()
                    browser.get(f"{url}/overview")
                    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="password"]'))
                    form.append(time.perf_counter() - t0)
                    browser.find_element(By.CSS_SELECTOR, 'input[aria-label="用户名"]').send_keys(
                        BENCH_USER
                    )
                    browser.find_element(By.CSS_SELECTOR, 'input[type="password"]').send_keys(
                        BENCH_PASSWORD
                    )
                    button = browser.find_element(By.XPATH, "//button[normalize-space(.)='登录']")
                    t0 = time.perf_counter()
                    button.click()
                    wait.until(
                        lambda b: b.execute_script(_DRAWN, PAGE_TITLES["overview"], "overview")
                    )
                    login.append(time.perf_counter() - t0)
                finally:
                    browser.quit()
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
    return {
        "healthy_s": median(healthy),
        "login_form_s": median(form),
        "login_form_first_s": form[0],
        "login_to_page_s": median(login),
        "login_to_page_first_s": login[0],
        "login_ok": median(login) <= TARGET_LOGIN_S and median(form) <= TARGET_FIRST_S,
        "targets": {"login_form_s": TARGET_FIRST_S, "login_to_page_s": TARGET_LOGIN_S},
        "rounds": repeat,
    }


def report_login_times(result: dict[str, Any]) -> str:
    mark = {True: "✓", False: "✗"}
    return "\n".join(
        (
            f"  健康检查 healthy after start: {result['healthy_s']:.2f} s",
            f"{mark[result['login_form_s'] <= TARGET_FIRST_S]} 登录页 login form of a fresh "
            f"server: {result['login_form_s']:.2f} s (≤ {TARGET_FIRST_S:.1f} s)",
            f"{mark[result['login_to_page_s'] <= TARGET_LOGIN_S]} 登录 → 总览 login to the "
            f"overview drawn: {result['login_to_page_s']:.2f} s (≤ {TARGET_LOGIN_S:.1f} s)",
        )
    )


if __name__ == "__main__":  # python bench/pages.py data/warehouse.duckdb [rounds]
    import sys

    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(report_browser_times(time_pages_in_browser(Path(sys.argv[1]), rounds)))
    print(report_login_times(time_login_in_browser(Path(sys.argv[1]), rounds)))


# ---------------------------------------------------------------------------------------
# the briefing buttons of a page: its figures (PNG, zipped), the one-page PDF, the deck
# ---------------------------------------------------------------------------------------
TARGET_BUTTON_S = 10.0  # from the click on 生成 to the file offered


def time_briefing_buttons(path: Path, pages: tuple[str, ...] = ("overview", "district")) -> dict:
    """Seconds each briefing button of `pages` takes to make its file on the latest term
    (the district page: the first district), as the dashboard makes them (one Chromium
    started per file, as a click does), each cold: no image drawn by an earlier button."""
    from schoolwh.briefing import downloads as bd
    from schoolwh.briefing.export import forget_drawn

    c = first_visit(path)
    makers = {
        "png": lambda page, district: bd.page_figures_zip(path, page, c.term, district=district),
        "pdf": lambda page, district: bd.page_summary(path, c.term, district=district),
        "pptx": lambda page, district: bd.page_deck(path, page, c.term, district=district),
    }
    seconds: dict[str, float] = {}
    for page in pages:
        district = c.district if page == "district" else None
        for form, make in makers.items():
            forget_drawn()
            t0 = time.perf_counter()
            data = make(page, district)
            seconds[f"{page} {form}"] = time.perf_counter() - t0
            if not data:
                raise RuntimeError(f"the {form} button of {page} made an empty file")
    return {
        "seconds": seconds,
        "worst_s": max(seconds.values()),
        "ok": max(seconds.values()) <= TARGET_BUTTON_S,
        "target_s": TARGET_BUTTON_S,
    }
