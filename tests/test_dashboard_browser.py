"""The served dashboard in a real browser: `schoolwh dashboard` on a fixture warehouse,
opened in headless Chromium, must show the overview with its KPI names, the as-of date,
a drawn map and no error box. A screenshot is kept in the test's temp folder.

Needs Debian's `chromium` and `chromium-driver` (and `fonts-noto-cjk` for readable
Chinese). Without them the test is skipped, unless REQUIRE_BROWSER=1 (set by CI).
"""

from __future__ import annotations

import shutil
import subprocess

import dashboard_fixtures as fx
import pytest
from browser import (
    body_text,
    browser_or_skip,
    dashboard_in_chromium,
    page_settled,
    plots_drawn,
    wait_for,
)
from conftest import require_browser

from schoolwh.reading import i18n
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse

ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_overview_in_chromium(tmp_path_factory, tmp_path):
    browser_or_skip()
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        browser.get(url)
        kpis = q.kpi_definitions(Warehouse(warehouse))  # the names come from the warehouse
        names = [i18n.kpi_name(k, "zh") for k in ("lunch_coverage", "satisfaction_rate")]
        as_of = f"数据截至 {fx.AS_OF_ZH}"

        def overview_drawn(b) -> bool:
            text = body_text(b)
            return all(n in text for n in names) and as_of in text and plots_drawn(b, 3)

        wait_for(browser, overview_drawn)
        body = body_text(browser)
        for kpi, definition in kpis.items():
            if definition.topic == "supervision":  # on 监管, their own page, not the overview
                continue
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


# ---------------------------------------------------------------------------------------
# accounts: login, district scope, uploads
# ---------------------------------------------------------------------------------------
PASSWORD = "browser pass 1"
OTHER_DISTRICTS = ("中牟县", "郑州经济技术开发区", fx.D_ZHONGMOU, fx.D_DEVZONE)


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


def download_csv(browser, folder, which: int = 0) -> str:
    """Press the page's CSV download number `which` and return the file it wrote."""
    from selenium.webdriver.common.by import By

    for old in folder.iterdir():
        old.unlink()
    button = wait_for(
        browser,
        lambda b: [
            x
            for x in b.find_elements(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
            if "CSV" in x.text
        ],
    )[which]
    button.click()
    files = wait_for(browser, lambda b: [p for p in folder.iterdir() if p.suffix == ".csv"])
    return files[0].read_text(encoding="utf-8-sig")


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
    browser_or_skip()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    warehouse = own_warehouse(tmp_path_factory, tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with dashboard_in_chromium(warehouse, tmp_path, downloads) as (url, browser):
        # a wrong password gets nothing but the form again and a message
        log_in(browser, url, "jinshui", "not the password")
        wait_for(browser, lambda b: "wrong user name or password" in body_text(b))
        text = body_text(browser)
        assert "数据截至" not in text and "金水区" not in text
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"]')

        log_in(browser, url, "jinshui", PASSWORD)
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
        content = download_csv(browser, downloads)
        assert "金水区" in content
        for other in OTHER_DISTRICTS:
            assert other not in content

        # the SQL page runs on the district's extract, whatever the query asks for
        go_to(browser, "sql")
        area = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "textarea"))[0]
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(Keys.DELETE)
        area.send_keys(
            "select district_code, count(*) as n from marts.dim_school group by 1 "
            "union all select district_code, 0 from marts.kpi_district"
        )
        browser.find_element(By.XPATH, "//button[normalize-space(.)='运行']").click()
        wait_for(browser, lambda b: "用时" in body_text(b) or "查询出错" in body_text(b))
        wait_for(browser, page_settled)
        assert "查询出错" not in body_text(browser)
        content = download_csv(browser, downloads, -1)  # the result's, below the form
        assert fx.D_JINSHUI in content
        for other in OTHER_DISTRICTS:
            assert other not in content


def _box_values(browser) -> dict[str, str]:
    """Each selectbox's label → the option it shows."""
    from selenium.webdriver.common.by import By

    out = {}
    for box in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"] input'):
        out[box.get_attribute("aria-label")] = box.get_attribute("value")
    return out


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_addresses_language_and_school_picker_in_chromium(tmp_path_factory, tmp_path):
    """Every page opens from its own address (/overview too); an address can name the
    district; English relabels the period boxes and trend chips; the school picker follows
    the district."""
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser_state"))
    titles = {
        "overview": "总览",
        "district": "区县详情",
        "funding": "资金下达与支出",
        "satisfaction": "满意度",
        "issues": "问题整改",
        "quality": "数据质量",
    }

    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        for page, heading in titles.items():
            browser.get(f"{url}/{page}")
            wait_for(
                browser,
                lambda b, h=heading: f"\n{h}\n" in body_text(b) and "数据截至" in body_text(b),
                60,
            )
            assert "Page not found" not in body_text(browser), page
        browser.get(f"{url}/district?district={fx.D_ZHONGMOU}")
        wait_for(
            browser,
            lambda b: "中牟县（2025年秋季学期）" in body_text(b) and "点击上表中" in body_text(b),
            60,
        )
        boxes = _box_values(browser)
        assert boxes["区县"] == "中牟县"
        assert boxes["查看学校"] == "" and "学校详情" not in body_text(browser)  # on request
        # an address can name the school too: its detail opens
        browser.get(f"{url}/district?district={fx.D_ZHONGMOU}&school={fx.SCHOOL_D}")
        wait_for(browser, lambda b: "学校详情：中牟县城关镇第一小学" in body_text(b), 60)
        assert _box_values(browser)["查看学校"].startswith("中牟县城关镇第一小学")

        english = [
            r
            for r in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] label')
            if "English" in r.text
        ]
        english[0].click()
        wait_for(
            browser,
            lambda b: "District detail" in body_text(b) and _box_values(b).get("Period type"),
            60,
        )
        wait_for(browser, lambda b: _box_values(b).get("Period") == "Autumn term 2025", 30)
        boxes = _box_values(browser)
        assert boxes["Period type"] == "Term"
        chips = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"]')
        chip_text = chips.get_attribute("textContent")
        assert "Lunch demand met" in chip_text and "就餐需求满足率" not in chip_text
        assert browser.save_screenshot(str(tmp_path / "district_en.png"))


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_clerk_uploads_fixes_and_publishes(tmp_path_factory, tmp_path):
    browser_or_skip()
    import duckdb
    import openpyxl
    from filemaker import write_csv
    from selenium.webdriver.common.by import By

    warehouse = own_warehouse(tmp_path_factory, tmp_path)
    # the fixture's own enrolment of 金水区 again, and one row with a bad number
    rows = [["学校代码", "学期", "在校生数", "有就餐需求学生数", "有课后服务需求学生数"]]
    rows += [list(e) for e in fx.ENROLLMENT if e[0].startswith(fx.D_JINSHUI)]
    rows.append([fx.SCHOOL_B, "2025-spring", "很多", 400, 300])
    bad_file = write_csv(
        tmp_path / "在校生.csv", [["" if v is None else v for v in r] for r in rows]
    )
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with dashboard_in_chromium(warehouse, tmp_path, downloads) as (url, browser):
        log_in(browser, url, "jinshui_tb", PASSWORD)
        # a clerk lands on 数据上报 (no click needed)
        wait_for(browser, lambda b: page_settled(b, "选择要上报的文件"))
        text = body_text(browser)
        # Streamlit's own English replaced: the button, the limit (20 MB, not 200MB)
        for english in ("Upload\n", "200MB", "per file", "Browse files", "Press "):
            assert english not in text, english
        drawn = browser.execute_script(
            """
            const after = s => getComputedStyle(document.querySelector(s), '::after').content;
            return [after('[data-testid="stFileUploaderDropzone"] button '
                          + '[data-testid="stMarkdownContainer"]'),
                    after('[data-testid="stFileUploaderDropzoneInstructions"] > div')];
            """
        )
        assert drawn[0] == '"选择文件"' and "每个文件不超过 20 MB" in drawn[1], drawn
        picker = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="file"]'))
        picker[0].send_keys(str(bad_file))
        # the check shows at once, in a clerk's words: what can be loaded, what to fix and why
        wait_for(browser, lambda b: "行需修改" in body_text(b))
        text = body_text(browser)
        assert "可导入 4 行；1 行需修改 — 下载问题行。" in text, text
        for technical in ("bad_number", "landed", "quarantine", "audit.", "/tmp"):
            assert technical not in text, technical
        # the correction sheet: the problem row as it was, the reason, the bad cell marked
        button = wait_for(
            browser,
            lambda b: [
                x
                for x in b.find_elements(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
                if "问题行" in x.text
            ],
        )[0]
        button.click()
        sheet_file = wait_for(
            browser, lambda b: [p for p in downloads.iterdir() if p.suffix == ".xlsx"]
        )[0]
        book = openpyxl.load_workbook(sheet_file)
        sheet = book.active
        assert [c.value for c in sheet[2]][:3] == [fx.SCHOOL_B, "2025-spring", "很多"]
        assert "不是有效的数字" in sheet.cell(2, 6).value
        sheet.cell(2, 3).value = 500
        fixed = tmp_path / "在校生_已修改.xlsx"
        book.save(fixed)
        picker[0].send_keys(str(fixed))
        wait_for(browser, lambda b: "在校生_已修改.xlsx" in body_text(b))
        wait_for(browser, lambda b: page_settled(b, "在校生_已修改.xlsx"))
        after = body_text(browser).rsplit("在校生_已修改.xlsx", 1)[1]
        assert after.lstrip().startswith("可导入 1 行。"), after  # the fixed row is fine now
        browser.find_element(By.XPATH, "//button[normalize-space(.)='提交导入']").click()
        wait_for(browser, lambda b: "已发布" in body_text(b) or "未发布" in body_text(b), 600)
        assert "已发布：本次共导入" in body_text(browser), body_text(browser)
        assert browser.save_screenshot(str(tmp_path / "upload_clerk.png"))
        # the submitted load appears on the dashboard
        go_to(browser, "quality")
        wait_for(browser, lambda b: page_settled(b, "数据质量"))
        loads = download_csv(browser, downloads)  # the loads table, newest first
        assert any(line.startswith("2,") for line in loads.splitlines()), loads
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        who = con.execute("select submitted_by from audit.loads where load_id = 2").fetchall()
        spring = con.execute(
            "select enrolled from raw.enrollment where school_code = ? and term = '2025-spring'",
            [fx.SCHOOL_B],
        ).fetchall()
    finally:
        con.close()
    assert who == [("jinshui_tb",)]
    assert spring == [(500,)]


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_printing_a_page_leaves_out_the_sidebar_and_fits_a4(tmp_path_factory, tmp_path):
    """Printing 总览 gave five pages with the sidebar, a cut grid and a blank last page."""
    import base64

    info, text = shutil.which("pdfinfo"), shutil.which("pdftotext")
    if not (info and text):
        if require_browser():
            pytest.fail("REQUIRE_BROWSER=1 but poppler-utils is missing")
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is needed to read the PDF")
    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser_print"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        browser.get(f"{url}/overview")
        wait_for(browser, lambda b: plots_drawn(b, 3))
        printed = browser.execute_cdp_cmd(
            "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
        )
        pdf = tmp_path / "overview.pdf"
        pdf.write_bytes(base64.b64decode(printed["data"]))
        meta = subprocess.run([info, str(pdf)], capture_output=True, text=True).stdout
        facts = {
            k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in meta.splitlines())
        }
        width, height = (float(x) for x in facts["Page size"].split()[0:3:2])
        assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4
        assert int(facts["Pages"]) <= 2
        body = subprocess.run([text, str(pdf), "-"], capture_output=True, text=True).stdout
        pages = body.split("\f")
        assert all(p.strip() for p in pages[:-1])  # no blank page (the last piece is "")
        assert "总览" in body and "指标达标情况" in body
        for sidebar in ("语言 Language", "教育局政策看板", "数据质量"):
            assert sidebar not in body, sidebar
        # the grid is not cut: its last KPI column is on the page
        assert "数据填报完整率" in body


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_clicking_a_district_bar_opens_its_page(tmp_path_factory, tmp_path):
    """Nothing was clickable: a click on a district's bar in the ranking opens 区县."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser_click"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        browser.get(f"{url}/overview")
        wait_for(browser, lambda b: plots_drawn(b, 3))
        ranking = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")[2]
        bars = ranking.find_elements(By.CSS_SELECTOR, ".barlayer .point path")
        assert len(bars) == 3
        ActionChains(browser).move_to_element(bars[-1]).click().perform()  # the top bar
        wait_for(browser, lambda b: "区县详情" in body_text(b), 60)
        body = body_text(browser)
        assert "/district" in browser.current_url
        # the top bar is a district at 100 %, not 金水区 (66.7 %, the page's default)
        assert "金水区（2025年秋季学期）" not in body
        assert any(f"{n}（2025年秋季学期）" in body for _, n, _ in fx.DISTRICTS[1:]), body[:300]


@pytest.mark.browser
@pytest.mark.timeout(300)
@pytest.mark.parametrize("figure", ["grid", "map"])
def test_clicking_a_district_on_the_grid_or_map_opens_its_page(tmp_path_factory, tmp_path, figure):
    """A click on a district's cell in the status grid, or on its name on the map, opens
    its 区县 page (a heatmap cell or a filled shape alone cannot be selected)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser_click"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        browser.get(f"{url}/overview")
        wait_for(browser, lambda b: plots_drawn(b, 3))
        plot = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")[
            {"grid": 0, "map": 1}[figure]
        ]
        # in the middle of the window, as a person would scroll to it (not under the header)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", plot)
        # where each district's cell (grid) or name (map) is drawn, in page pixels from
        # the figure's centre: the heatmap's rows, the map's text labels
        spots = browser.execute_script(
            """
            const gd = arguments[0], full = gd._fullLayout, size = full._size, out = [];
            const box = gd.getBoundingClientRect();
            const at = (x, y) => [size.l + full.xaxis.d2p(x) - box.width / 2,
                                  size.t + full.yaxis.d2p(y) - box.height / 2];
            for (const tr of gd.data) {
              if (tr.type === 'heatmap')
                for (const y of tr.y) out.push([String(y), ...at(tr.x[0], y)]);
              else if (tr.mode === 'text')
                tr.text.forEach((t, i) => out.push([t.split('<br>')[0], ...at(tr.x[i], tr.y[i])]));
            }
            return out;
            """,
            plot,
        )
        name, dx, dy = next(s for s in spots if s[0] != "金水区")  # not the page's default
        assert name in {n for _, n, _ in fx.DISTRICTS}, spots
        ActionChains(browser).move_to_element_with_offset(plot, int(dx), int(dy)).click().perform()
        wait_for(browser, lambda b: "区县详情" in body_text(b), 60)
        body = body_text(browser)
        assert "/district" in browser.current_url
        assert f"{name}（2025年秋季学期）" in body, body[:300]


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_the_sample_mark_is_clear_of_the_plotly_toolbar(tmp_path):
    """#19: the 示例数据（合成） mark was drawn under the Plotly toolbar (top right): in
    Chromium, with the dashboard's toolbar shown, the two boxes do not meet — on a laptop
    and on a 390-px phone."""
    import plotly.graph_objects as go
    from browser import open_browser

    from dashboard.ui import PLOTLY_CONFIG
    from schoolwh.reading import charts

    chromium, driver = browser_or_skip()
    fig = go.Figure(go.Bar(x=["金水区", "中原区"], y=[0.9, 0.8]))
    fig.update_layout(title="就餐需求满足率", height=360, margin={"t": 60})
    charts.mark_sample(fig, "zh")
    page = tmp_path / "figure.html"
    page.write_text(
        fig.to_html(config={**PLOTLY_CONFIG, "displayModeBar": True}, include_plotlyjs=True),
        encoding="utf-8",
    )
    browser = open_browser(chromium, driver, tmp_path / "profile")
    try:
        for width in (1440, 390):
            browser.set_window_size(width, 900)
            browser.get(page.as_uri())
            boxes = wait_for(
                browser,
                lambda b: b.execute_script(
                    """
                    const bar = document.querySelector('.modebar');
                    const mark = [...document.querySelectorAll('.annotation-text')]
                        .find(e => e.textContent.includes('示例数据'));
                    if (!bar || !mark) return null;
                    const r = e => { const x = e.getBoundingClientRect();
                        return [x.left, x.top, x.right, x.bottom]; };
                    return [r(bar), r(mark)];
                    """
                ),
                30,
            )
            (bl, bt, br, bb), (ml, mt, mr, mb) = boxes
            assert br > bl and mr > ml  # both drawn
            apart = mr <= bl or ml >= br or mb <= bt or mt >= bb
            assert apart, (width, boxes)
    finally:
        browser.quit()


@pytest.mark.timeout(600)
def test_a_login_survives_a_reload_follows_the_link_and_ends_everywhere(tmp_path_factory, tmp_path):
    """Every reload logged the user out; a shared link lost its page and district at the
    login; a logout left other tabs logged in."""
    browser_or_skip()
    from selenium.webdriver.common.by import By

    warehouse = own_warehouse(tmp_path_factory, tmp_path)
    from schoolwh.accounts import AccountStore

    AccountStore(warehouse).add("juzhang", "bureau", (), PASSWORD)
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        link = f"{url}/district?district={fx.D_ZHONGMOU}"
        log_in(browser, link, "juzhang", PASSWORD)
        wait_for(browser, page_settled)
        # the link's page and district, not 总览 and the first district
        assert browser.current_url.split("?")[0].endswith("/district")
        wait_for(browser, lambda b: _box_values(b).get("区县") == "中牟县")
        cookie = browser.get_cookie("schoolwh_session")
        assert cookie and cookie["sameSite"] == "Strict"

        browser.refresh()  # a reload keeps the login and the page
        wait_for(browser, page_settled)
        assert not browser.find_elements(By.CSS_SELECTOR, 'input[type="password"]')
        assert "juzhang" in body_text(browser)

        # a second tab of the same browser is logged in too; a logout there ends both
        first = browser.current_window_handle
        browser.switch_to.new_window("tab")
        browser.get(f"{url}/funding")
        wait_for(browser, page_settled)
        browser.find_element(By.XPATH, "//button[normalize-space(.)='退出登录']").click()
        wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="password"]'))
        browser.switch_to.window(first)
        browser.refresh()
        wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, 'input[type="password"]'))
        assert "数据截至" not in body_text(browser)


# ---------------------------------------------------------------------------------------
# a phone (390 px) and a laptop (1440 × 900)
# ---------------------------------------------------------------------------------------
def _screen(browser, width: int, height: int, phone: bool) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone},
    )


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_overview_reads_on_a_phone_and_a_laptop(tmp_path_factory, tmp_path):
    """At 390 px the district × KPI grid smeared value, 环比 and 同比 together and dropped
    half its column headers, and 11 cards stacked before it: a phone now gets the cards two
    to a row and one list per district (status and value only), nothing wider than the
    screen; a laptop keeps the grid."""
    browser_or_skip()
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        _screen(browser, 390, 844, phone=True)
        browser.get(url)
        wait_for(browser, lambda b: page_settled(b) and plots_drawn(b, 2))
        phone = browser.find_element(By.CSS_SELECTOR, ".schoolwh-phone-grid")
        assert phone.is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, ".st-key-grid_wide").is_displayed()
        summaries = phone.find_elements(By.TAG_NAME, "summary")
        assert {s.text.split()[0] for s in summaries} >= {"金水区", "中牟县"}
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summaries[0])
        summaries[0].click()
        lines = wait_for(
            browser, lambda b: phone.find_elements(By.CSS_SELECTOR, "details[open] li")
        )
        assert all(line.is_displayed() for line in lines)
        texts = [line.text for line in lines]
        assert any("%" in x for x in texts) and not any("环比" in x or "同比" in x for x in texts)
        cards = browser.find_elements(By.CSS_SELECTOR, ".schoolwh-card")
        assert len({c.location["x"] for c in cards}) == 2  # two to a row
        assert all(c.size["width"] >= 150 for c in cards)
        wide = browser.execute_script("return document.documentElement.scrollWidth")
        assert wide <= 390, wide  # no sideways scrolling
        assert browser.save_screenshot(str(tmp_path / "overview-390.png"))

        _screen(browser, 1440, 900, phone=False)
        wait_for(
            browser, lambda b: b.find_element(By.CSS_SELECTOR, ".st-key-grid_wide").is_displayed()
        )
        assert not phone.is_displayed()
        cards = browser.find_elements(By.CSS_SELECTOR, ".schoolwh-card")
        assert len({c.location["y"] for c in cards[:4]}) == 1  # four to a row
        assert browser.save_screenshot(str(tmp_path / "overview-1440.png"))


# ---------------------------------------------------------------------------------------
# 监管: the supervision page for the bureau and for a district account
# ---------------------------------------------------------------------------------------
def _open_expander(browser, label: str) -> None:
    from selenium.webdriver.common.by import By

    summary = wait_for(
        browser,
        lambda b: [
            s
            for s in b.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"] summary')
            if label in s.text
        ],
    )[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()


def _click_first_row(browser) -> None:
    """Tick the first data row of the one table shown in an open expander (its row
    selection box, left of the first column)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    grid = wait_for(
        browser,
        lambda b: [
            g
            for g in b.find_elements(
                By.CSS_SELECTOR, '[data-testid="stExpander"] [data-testid="stDataFrame"]'
            )
            if g.is_displayed()
        ],
    )[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", grid)
    wait_for(browser, page_settled)
    width, height = grid.size["width"], grid.size["height"]
    # the header row is 35 px high, a data row too: the middle of the first data row
    ActionChains(browser).move_to_element_with_offset(
        grid, int(-width / 2 + 18), int(-height / 2 + 35 + 17)
    ).click().perform()


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_supervision_page_in_chromium_opens_a_school_from_needs_attention(
    tmp_path_factory, tmp_path
):
    """The bureau's 监管 page: every district in the grid, the 需要关注 counts; a click on
    a listed kitchen opens its school's detail with its supervision facts."""
    from selenium.webdriver.common.by import By

    warehouse = fx.shared_warehouse(tmp_path_factory.mktemp("dashboard_browser_supervision"))
    with dashboard_in_chromium(warehouse, tmp_path) as (url, browser):
        browser.set_window_size(1440, 900)
        browser.get(f"{url}/supervision")
        wait_for(browser, lambda b: "需要关注" in body_text(b) and plots_drawn(b, 2), 90)
        wait_for(browser, page_settled)
        body = body_text(browser)
        assert "监管一屏统揽" in body and "郑州市全市监管指标（2025年秋季学期）" in body
        for _, name, _ in fx.DISTRICTS:
            assert name in body, name  # the grid's and the ranking's rows
        assert "明厨亮灶未全部在线的食堂（1 所）" in body
        assert "非统一配送或非认证企业供货的大宗食材（4 笔）" in body
        assert not browser.find_elements(By.CSS_SELECTOR, ERROR_BOXES)
        assert browser.save_screenshot(str(tmp_path / "supervision.png"))

        _open_expander(browser, "明厨亮灶未全部在线的食堂")
        _click_first_row(browser)
        wait_for(browser, lambda b: "学校详情：中牟县刘集镇九年一贯制学校" in body_text(b), 60)
        wait_for(browser, page_settled)
        body = body_text(browser)
        assert "/district" in browser.current_url
        assert "监管情况" in body and "2025年10月31日：摄像头 8 路，在线 6 路" in body
        assert not browser.find_elements(By.CSS_SELECTOR, ERROR_BOXES)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_district_user_sees_only_their_district_on_the_supervision_page(tmp_path_factory, tmp_path):
    warehouse = own_warehouse(tmp_path_factory, tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with dashboard_in_chromium(warehouse, tmp_path, downloads) as (url, browser):
        log_in(browser, url, "jinshui", PASSWORD)
        wait_for(browser, page_settled)
        go_to(browser, "supervision")
        wait_for(browser, lambda b: "需要关注" in body_text(b) and plots_drawn(b, 2), 90)
        wait_for(browser, page_settled)
        body = body_text(browser)
        assert "金水区全区监管指标（2025年秋季学期）" in body  # its own figures, not the city's
        for other in OTHER_DISTRICTS:
            assert other not in body, other
        # its own lists: 金水区's two bulk deliveries; its supplier changes: its own and the
        # one of a supplier serving the whole jurisdiction (other districts' stay out)
        assert "明厨亮灶未全部在线的食堂（0 所）" in body
        assert "非统一配送或非认证企业供货的大宗食材（2 笔）" in body
        assert "2025 年准入和清退的配送企业（2 家）" in body
        _open_expander(browser, "非统一配送或非认证企业供货的大宗食材")
        wait_for(browser, page_settled)
        content = download_csv(browser, downloads, -1)  # the open list's download
        assert "DL2" in content and "DL3" in content
        assert "DL4" not in content and "DL5" not in content
        for other in OTHER_DISTRICTS:
            assert other not in content
        assert browser.save_screenshot(str(tmp_path / "supervision_district.png"))
