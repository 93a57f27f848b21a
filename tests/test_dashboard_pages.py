"""Every dashboard page, run with Streamlit's AppTest on a hand-made warehouse
(tests/dashboard_fixtures.py): what a bureau leader would read on each page."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import dashboard_fixtures as fx
import duckdb
import pandas as pd
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.core.sample import SAMPLE_MARKER
from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT
from schoolwh.reading import formatting as fmt
from schoolwh.reading import i18n

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ("overview", "district", "funding", "satisfaction", "issues", "quality", "sql")


@pytest.fixture(scope="session")
def dash_warehouse(tmp_path_factory):
    return fx.shared_warehouse(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(autouse=True)
def _loopback():
    """Served on the loopback address without accounts: the open dashboard."""
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", previous)


def open_app(monkeypatch, warehouse, page: str = "overview", lang: str | None = None) -> AppTest:
    monkeypatch.setenv(ENV_WAREHOUSE, str(warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return at


def shown(at: AppTest) -> str:
    """All text the page shows (titles, markdown, captions, notices, table cells)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


def cards(at: AppTest) -> list[str]:
    """The markup of each KPI card on the page (all cards are one element, a grid)."""
    marker = '<div class="schoolwh-card">'
    grids = [m.value for m in at.markdown if marker in m.value]
    return [card for grid in grids for card in grid.split(marker)[1:]]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


# --- overview -------------------------------------------------------------------------------
def test_overview_shows_cards_grid_map_and_as_of(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse)
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    assert "郑州市全市指标（2025年秋季学期）" in text  # the place from the data, 全市 not 全域
    assert f"郑州市 · 数据截至 {fx.AS_OF_ZH}" in text  # the jurisdiction in the header
    # the leader's lists: schools serving no lunch, the longest overdue issues
    assert "金水区育英民办小学" in set(table_with(at, "课后服务")["学校"])
    assert table_with(at, "逾期天数").iloc[0]["问题编号"] == "I3"
    for kpi in ("lunch_coverage", "satisfaction_rate", "reporting_completeness"):
        assert i18n.kpi_name(kpi, "zh") in text
    # lunch coverage of the whole jurisdiction: 5 of 6 active schools serve lunch
    assert "83.3%" in text and "5 / 6" in text
    # the development zone has no official boundary: listed beside the map
    assert "没有官方行政区划边界" in text
    beside = table_with(at, "区县")
    assert "郑州经济技术开发区" in set(beside["区县"])
    assert len(at.get("plotly_chart")) >= 3  # grid, map, ranking
    # a KPI without a target says 无目标值 once (the badge), not twice
    untargeted = [card for card in cards(at) if "无目标值" in card]
    assert untargeted and all(card.count("无目标值") == 1 for card in untargeted)
    # the briefing files are made on request (a button each), not on every page view
    makers = {b.key for b in at.button if b.key.startswith("briefing_make_")}
    assert makers == {f"briefing_make_{k}_overview" for k in ("png", "pdf", "pptx")} or (
        "Chromium" in shown(at) or "chromium" in shown(at)
    )


def test_overview_lists_the_schools_furthest_below_target(monkeypatch, dash_warehouse):
    """A leader's list: the schools furthest below a target, largest gap first."""
    at = open_app(monkeypatch, dash_warehouse)
    assert_clean(at)
    below = table_with(at, "距目标差距")
    gaps = [float(g.rstrip("%")) for g in below["距目标差距"]]
    assert gaps == sorted(gaps, reverse=True) and all(g > 0 for g in gaps)
    # 文化路初级中学 served 48.1 % of its lunch need (target 100 %): the first row
    first = below.iloc[0]
    assert (first["学校"], first["指标"], first["数值"]) == (
        "金水区文化路初级中学",
        "就餐需求满足率",
        "48.1%",
    )
    assert first["距目标差距"] == "51.9%"
    assert "郑州经济技术开发区" in set(below["区县"])  # every district, not only one


def test_schools_below_target_leave_out_the_schools_serving_no_lunch(dash_warehouse, tmp_path):
    """「距目标最远的学校」 repeated the list of schools serving no lunch (0 % of a lunch
    need met is the largest gap of all): it lists the schools that serve and fall short."""
    from schoolwh.reading import queries as q
    from schoolwh.reading.connection import Warehouse

    path = tmp_path / "warehouse.duckdb"
    shutil.copy(dash_warehouse, path)
    con = duckdb.connect(str(path))  # 育英民办小学 (no lunch service) with a need of 80
    con.execute(
        "update marts.fct_school_period set lunch_need = 80, avg_daily_lunch_students = 0 "
        "where school_code = ?",
        [fx.SCHOOL_C],
    )
    con.close()
    wh = Warehouse(path)
    try:
        no_lunch = set(q.schools_without_lunch(wh)["school_code"])
        below = q.schools_below_target(wh, "term", "2025-autumn")
        assert fx.SCHOOL_C in no_lunch and not below.empty
        assert not no_lunch & set(below["school_code"])
        ranked = q.school_kpi_values(wh, "term", "2025-autumn", "lunch_demand_met", fx.D_JINSHUI)
        assert list(ranked["school_code"]) == [fx.SCHOOL_B, fx.SCHOOL_A]  # lowest first
        assert q.school_kpi_values(wh, "term", "2025-autumn", "satisfaction_rate").empty
    finally:
        wh.close()


def test_a_briefing_file_is_made_under_a_spinner_then_offered(monkeypatch, dash_warehouse):
    """The PNG/PPTX/PDF buttons took ≈ 30 s behind a greyed-out button with no word of
    progress: now a 生成 button makes the file under a timed spinner, then the same place
    offers the download, named in the page's language."""
    from dashboard import page_buttons

    if page_buttons._browser_problem():
        pytest.skip(page_buttons._browser_problem())
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    names: list[str] = []  # the file names the downloads are offered under
    offer = MemoryMediaFileStorage.load_and_get_id
    defer = MediaFileManager.add_deferred  # a table's CSV/XLSX: made when clicked

    def record(self, data, mimetype, kind, filename=None):
        names.append(filename)
        return offer(self, data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        names.append(file_name)
        return defer(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    at = open_app(monkeypatch, dash_warehouse, "issues")
    assert_clean(at)

    def briefing_files() -> list:
        return [b for b in at.get("download_button") if b.key.startswith("briefing_")]

    assert not briefing_files()  # nothing made yet, nothing offered
    at.button(key="briefing_make_pdf_issues").click().run(timeout=180)
    assert_clean(at)
    made = at.session_state[page_buttons.MADE_KEY]
    selection, data = made[("pdf", "issues")]
    assert data[:5] == b"%PDF-" and selection[0] == "2025-autumn"
    assert [b.proto.label for b in briefing_files()] == ["一页摘要 PDF"]
    # every file name in the page's language: 2025年秋季学期, not 2025-autumn
    assert "2025年秋季学期_全市_一页摘要.pdf" in names  # 郑州市: 全市, not 全域
    assert names and all("autumn" not in n for n in names), names
    assert any(n.startswith("按问题类别_2025年秋季学期") for n in names), names
    # the other two are still buttons to make them
    assert {b.key for b in at.button if b.key.startswith("briefing_make_")} == {
        "briefing_make_png_issues",
        "briefing_make_pptx_issues",
    }
    # the file is made once: another rerun offers the same bytes without making them again
    at.run()
    assert at.session_state[page_buttons.MADE_KEY][("pdf", "issues")][1] is data


def test_language_switch_to_english(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert_clean(at)
    text = shown(at)
    assert f"Data as of {fx.AS_OF_EN}" in text
    assert "All districts (Autumn term 2025)" in text
    assert i18n.kpi_name("lunch_coverage", "en") in text
    assert "午餐供餐覆盖率" not in text
    assert at.title[0].value == "Overview"
    # and back
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.title[0].value == "总览"


def test_overview_follows_the_period_filter(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse)
    at.selectbox(key="f_period_type").set_value("month").run()
    at.selectbox(key="f_period_month").set_value("2025-09").run()
    assert_clean(at)
    text = shown(at)
    assert "全市指标（2025年9月）" in text
    assert i18n.kpi_name("budget_execution", "zh") in text  # a month KPI
    assert i18n.kpi_name("lunch_coverage", "zh") not in text  # a term-only KPI


# --- district -------------------------------------------------------------------------------
def test_district_page_cards_trends_schools_and_drill_down(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "district")
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    assert "金水区（2025年秋季学期）" in text
    assert "66.7%" in text  # worked example: 2 of 3 schools serve lunch
    assert "92.5%" in text  # 37 of 40 satisfied
    schools = table_with(at, "学校")
    assert list(schools["学校代码"]) == [fx.SCHOOL_A, fx.SCHOOL_B, fx.SCHOOL_C]
    a = schools.iloc[0]
    assert a["日均就餐人数"] == "866.7" and a["填报完整率"] == "75.0%"  # 2600/3 days; 3 of 4
    assert schools.iloc[1]["未整改问题"] == "2"
    # a school's detail on request (a click on its row, or the picker), not the first's
    assert "学校详情" not in text and "点击上表中学校所在的行" in text
    assert at.selectbox(key="school").value is None
    at.selectbox(key="school").set_value(fx.SCHOOL_A).run()
    assert "学校详情：金水区实验小学" in shown(at)
    issues = table_with(at, "问题编号")
    assert set(issues["问题编号"]) == {"I1", "I2"}

    at.selectbox(key="f_district_stage").set_value("junior").run()
    assert list(table_with(at, "学校")["学校"]) == ["金水区文化路初级中学"]


def _card(at: AppTest, kpi: str, lang: str = "zh") -> str:
    """The markup of the KPI card named by `kpi`."""
    name = f">{i18n.kpi_name(kpi, lang)}</div>"
    found = [card for card in cards(at) if name in card]
    assert len(found) == 1, (kpi, found)
    return found[0]


def test_district_cards_say_the_rank_and_its_change(monkeypatch, dash_warehouse):
    """No rank or rank change anywhere: each card of 区县 says the district's place among
    the districts and how it moved since the previous period (2025 spring term)."""
    at = open_app(monkeypatch, dash_warehouse, "district")
    assert_clean(at)
    # 金水区: 2 of 3 schools serve lunch, last of the 3 districts now and in spring
    assert "第 3 名（共 3 个）· 名次不变" in _card(at, "lunch_coverage")
    # fewer days to close is better: 7.5 days beats 中牟县's 11 (the zone has none)
    assert "第 1 名（共 2 个）" in _card(at, "median_days_to_close")
    assert "并列第 1 名（共 3 个）" in _card(at, "issue_closure_rate")  # 50 % like 中牟县
    assert "较上期" not in _card(at, "issue_closure_rate")  # no issues closed in spring
    at.selectbox(key="district").set_value(fx.D_ZHONGMOU).run()
    assert_clean(at)
    # 中牟县 met the most after-school demand of the two with a value in spring, the least
    # of the three now
    assert "第 3 名（共 3 个）· 较上期 ↓2" in _card(at, "after_school_demand_met")
    assert "未到整改期限" not in _card(at, "issue_closure_rate")
    at.selectbox(key="district").set_value(fx.D_DEVZONE).run()  # K1: open, not yet due
    assert "其中 1 个问题未到整改期限，不算逾期" in _card(at, "issue_closure_rate")
    at.selectbox(key="district").set_value(fx.D_ZHONGMOU).run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert "Rank 3 of 3 · ↓2 vs previous" in _card(at, "after_school_demand_met", "en")
    assert "Joint rank 1 of 3 · rank unchanged" in _card(at, "lunch_coverage", "en")


def test_the_overview_ranking_writes_ranks_beside_the_values(monkeypatch, dash_warehouse):
    """The ranking's tied districts say so, with their rank change, beside the value."""
    at = open_app(monkeypatch, dash_warehouse, "overview")
    assert_clean(at)
    annotations = [
        a.get("text", "")
        for element in at.get("plotly_chart")
        for a in json.loads(element.proto.spec)["layout"].get("annotations", [])
    ]
    assert any("并列第1名 不变" in a for a in annotations)  # lunch coverage: two at 100 %
    assert any("第3名 不变" in a for a in annotations)


def test_school_picker_follows_the_district(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "district")
    at.selectbox(key="school").set_value(fx.SCHOOL_B).run()
    assert "学校详情：金水区文化路初级中学" in shown(at)
    at.selectbox(key="district").set_value(fx.D_ZHONGMOU).run()
    assert_clean(at)
    picker = at.selectbox(key="school")
    # the previous district's school is gone from the box and from below it
    assert picker.value is None and picker.options == [
        "中牟县城关镇第一小学（4101220001）",
        "中牟县刘集镇九年一贯制学校（4101220002）",
    ]
    assert not [m.value for m in at.markdown if "学校详情" in str(m.value)]
    assert set(table_with(at, "学校")["学校代码"]) == {fx.SCHOOL_D, fx.SCHOOL_E}
    picker.set_value(fx.SCHOOL_D).run()
    detail = [m.value for m in at.markdown if "学校详情" in str(m.value)]
    assert detail == ["<h4>学校详情：中牟县城关镇第一小学</h4>"]


def test_district_choice_does_not_carry_over_to_other_pages(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "district")
    at.selectbox(key="district").set_value(fx.D_ZHONGMOU).run()
    at.selectbox(key="f_district_stage").set_value("primary").run()
    for page, key in (
        ("funding", "f_funding_district"),
        ("issues", "f_issues_district"),
        ("satisfaction", "f_sat_district"),
    ):
        at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
        assert at.selectbox(key=key).value == "", page  # 全部区县, as the box shows
        if page == "issues":
            assert at.selectbox(key="f_issues_stage").value == ""  # 全部, not 小学
    # the period is shown on every page, so it may follow the reader
    at.switch_page("views/district.py").run()
    assert at.selectbox(key="district").value == fx.D_ZHONGMOU  # the page's own choice


def test_language_switch_hands_the_filters_their_values_again(monkeypatch, dash_warehouse):
    """The browser redraws a box with the new language's label only when its value comes
    from Python; the switch re-sets every filter (checked in Chromium in
    test_dashboard_browser.py)."""
    at = open_app(monkeypatch, dash_warehouse, "district")
    at.selectbox(key="f_period_type").set_value("term").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert_clean(at)
    period = at.selectbox(key="f_period_term")
    assert period.options[0] == "Autumn term 2025" and period.value == "2025-autumn"
    trend = at.multiselect(key="f_trend_kpis")
    assert "Lunch demand met" in trend.options
    # each filter's value is sent again, so the browser redraws it in English
    for element in (at.selectbox(key="f_period_type"), period, trend):
        assert element.proto.set_value, element.key
    assert at.selectbox(key="district").value == fx.D_JINSHUI


# --- the synthetic sample -------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_warehouse(dash_warehouse, tmp_path_factory):
    """The fixture as a load of the generator's sample folder leaves it: the sample's mark
    recorded among the files the load found."""
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    shutil.copy(dash_warehouse, path)
    con = duckdb.connect(str(path))
    con.execute(
        "insert into audit.load_files (load_id, batch_seq, file_name, status) "
        "values (1, 99, ?, 'ignored')",
        [f"/data/sample_inbox/{SAMPLE_MARKER}"],
    )
    con.close()
    return path


def _figure_texts(at: AppTest) -> list[str]:
    texts = []
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        texts.append(" ".join(a.get("text", "") for a in spec["layout"].get("annotations", [])))
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_sample_is_labelled_on_every_page_and_figure(monkeypatch, sample_warehouse, page):
    at = open_app(monkeypatch, sample_warehouse, page)
    assert_clean(at)
    assert any("示例数据（合成）" in w.value for w in at.warning), page
    figures = _figure_texts(at)
    assert all("示例数据（合成）" in f for f in figures), page
    if page in ("overview", "district", "funding", "issues", "satisfaction"):
        assert figures, page


def test_sample_label_in_english(monkeypatch, sample_warehouse):
    at = open_app(monkeypatch, sample_warehouse, "district", lang="en")
    assert any("Sample data (synthetic)" in w.value for w in at.warning)
    assert all("Sample data (synthetic)" in f for f in _figure_texts(at))


def test_real_data_carries_no_sample_label(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "overview")
    assert not any("示例数据" in w.value for w in at.warning)
    assert not any("示例数据" in f for f in _figure_texts(at))


def test_generator_leaves_the_sample_mark(tmp_path):
    """The generator writes the mark beside the sample (a load records it: is_sample)."""
    from schoolwh.generator.jurisdiction import build_jurisdiction
    from schoolwh.generator.readme import write_readme

    when = dt.datetime(2026, 1, 5)
    write_readme(tmp_path, build_jurisdiction(60, 7), [], [], clean=True, when=when)
    marker = tmp_path / SAMPLE_MARKER
    assert "示例数据（合成）" in marker.read_text(encoding="utf-8")


# --- funding --------------------------------------------------------------------------------
def test_funding_page(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "funding")
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    assert fmt.percent(2_530_000 / 4_000_000) in text  # spent / allocated in 2025
    funding = table_with(at, "项目")
    row = funding[(funding["区县"] == "金水区") & (funding["项目"] == "营养改善计划")].iloc[0]
    # one unit per money column, named in the header, two decimals
    assert (row["下达资金（万元）"], row["支出（万元）"], row["执行率"]) == (
        "100.00",
        "52.00",
        "52.0%",
    )
    pace = table_with(at, "目标进度")
    assert len(pace) == 10 and pace.iloc[-1]["月份"] == "2025年10月"

    at.selectbox(key="f_funding_district").set_value(fx.D_JINSHUI).run()
    assert fmt.percent(660_000 / 1_200_000) in shown(at)  # worked example: 55.0 %


# --- satisfaction ---------------------------------------------------------------------------
def test_satisfaction_page_intervals_and_small_samples(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "satisfaction")
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    by_district = table_with(at, "置信下限")
    jinshui = by_district[by_district["区县"] == "金水区"].iloc[0]
    assert (jinshui["样本量"], jinshui["满意率"], jinshui["置信下限"]) == ("40", "92.5%", "80.1%")
    assert jinshui["状态"].endswith("接近目标")
    zhongmou = by_district[by_district["区县"] == "中牟县"].iloc[0]
    assert zhongmou["状态"].endswith("样本不足") and zhongmou["样本量"] == "20"
    respondents = table_with(at, "填写人身份")
    assert list(respondents["填写人身份"]) == ["家长", "学生", "教师"]
    assert "少于30份" in text
    items = table_with(at, "分项")
    assert "口味" in set(items["分项"])


# --- issues ---------------------------------------------------------------------------------
def test_issues_page_rates_open_list_and_breakdowns(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "issues")
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    assert i18n.kpi_name("issue_closure_rate", "zh") in text
    assert "42.9%" in text  # 3 of 7 issues found in the term are closed
    # K1 is open but not yet due: the card says so instead of letting it read as late
    assert "其中 1 个问题未到整改期限，不算逾期" in text
    open_list = table_with(at, "逾期天数")
    assert open_list.iloc[0]["问题编号"] == "I3" and open_list.iloc[0]["逾期天数"] == "44"
    assert "K1" in set(open_list["问题编号"])  # open, not yet due
    at.toggle(key="f_only_overdue").set_value(True).run()
    overdue = table_with(at, "逾期天数")
    assert "K1" not in set(overdue["问题编号"]) and "I3" in set(overdue["问题编号"])
    categories = table_with(at, "发现问题数")  # the first breakdown: by category
    assert "台账记录" in set(categories["问题类别"])


def test_issue_closure_by_month_keeps_not_yet_due_apart_from_overdue(monkeypatch, dash_warehouse):
    """问题整改率 "dropped" in the last month because issues not yet due counted as unclosed."""
    at = open_app(monkeypatch, dash_warehouse, "issues")
    assert_clean(at)
    assert "按发现月份的整改情况（未到期问题不计入整改率）" in shown(at)
    charts_ = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    closure = next(
        c
        for c in charts_
        if [d.get("name") for d in c["data"][:3]] == ["已整改", "已逾期", "未到期"]
    )
    closed, overdue, not_due = (list(d["y"]) for d in closure["data"][:3])
    # September: I1, I2 closed, I3, I4 overdue; October: Z2 closed, Z1 overdue, K1 not yet due
    assert (closed, overdue, not_due) == ([2, 1], [2, 1], [0, 1])
    # October's rate counts the due issues only: 1 of 2, not 1 of 3
    assert list(closure["data"][3]["text"]) == ["50.0%", "50.0%"]
    assert closure["data"][3]["name"] == "到期整改率（柱上数值）"
    # September's card has nothing pending: no note
    at.selectbox(key="f_period_type").set_value("month").run()
    at.selectbox(key="f_period_month").set_value("2025-09").run()
    assert_clean(at)
    assert "未到整改期限" not in shown(at)
    at.selectbox(key="f_period_month").set_value("2025-10").run()
    assert "其中 1 个问题未到整改期限，不算逾期" in shown(at)


def test_the_closure_rate_trend_marks_issues_not_yet_due_as_the_monthly_chart(dash_warehouse):
    """The 问题整改率 trend dropped to 71 % in December while the closure-by-month chart
    said 81.5 % (issues not yet due): the trend now marks such a month with the rate of the
    issues already due, the same figure as the monthly chart's."""
    from schoolwh.reading import charts
    from schoolwh.reading import queries as q
    from schoolwh.reading.connection import Warehouse

    wh = Warehouse(dash_warehouse)
    try:
        series = q.kpi_series(wh, "month")
        closure = q.issues_closure_by_month(wh)
    finally:
        wh.close()
    rows = series[series["kpi"] == "issue_closure_rate"]
    pending = dict(zip(rows["period"], rows["not_yet_due"].fillna(0), strict=True))
    assert pending["2025-10"] == 1 and pending["2025-09"] == 0  # K1, as the monthly chart
    assert series.loc[series["kpi"] != "issue_closure_rate", "not_yet_due"].isna().all()
    fig = charts.trend_vs_target(rows, "issue_closure_rate", "zh")
    [due] = [tr for tr in fig.data if tr.name == "到期整改率"]
    october = closure.loc[closure["month"] == "2025-10", "due_closure_rate"].iloc[0]
    assert list(due.y) == [pytest.approx(october)]
    assert list(due.text) == [f"到期 {fmt.percent(october)}（未到期 1）"]


# --- data quality ---------------------------------------------------------------------------
def test_quality_page_loads_quarantine_checks_completeness(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "quality")
    assert_clean(at)
    text = shown(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in text
    assert "已发布（有文件被拒收）" in text
    files = table_with(at, "处理结果")
    assert "拒收" in set(files["处理结果"])
    quarantine = table_with(at, "原始值")
    assert len(quarantine) == 3
    assert "不在可选值范围内" in set(quarantine["原因"])
    at.selectbox(key="f_reason").set_value("out_of_range").run()
    assert list(table_with(at, "原始值")["原始值"]) == ["-5"]
    checks = table_with(at, "检查项")
    # in words: the failed check's message, not a machine name
    assert "2 rows name a school not in the registry" in set(checks["检查项"])
    assert not any(str(c).startswith("expect_") for c in checks["检查项"])
    completeness = table_with(at, "填报完整率")
    assert "87.5%" in set(completeness["填报完整率"])  # worked example: 7 of 8 days


# --- SQL ------------------------------------------------------------------------------------
def test_sql_page_runs_read_only_queries(monkeypatch, dash_warehouse):
    at = open_app(monkeypatch, dash_warehouse, "sql")
    assert_clean(at)
    assert f"数据截至 {fx.AS_OF_ZH}" in shown(at)
    columns = table_with(at, "字段")
    assert "district_code" in set(columns["字段"])
    at.text_area(key="sql_query").set_value(
        "select district_name, value from marts.kpi_district "
        "where kpi = 'lunch_coverage' and period = '2025-autumn' order by district_code"
    )
    at.button[0].click().run()
    assert_clean(at)
    result = table_with(at, "value")
    assert list(result["district_name"]) == ["金水区", "中牟县", "郑州经济技术开发区"]
    assert result["value"].iloc[0] == pytest.approx(2 / 3)

    at.text_area(key="sql_query").set_value("create table marts.x as select 1")
    at.button[0].click().run()
    assert at.error and "查询出错" in at.error[0].value
    assert not at.exception


# --- no data ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_missing_warehouse_shows_how_to_load(monkeypatch, tmp_path, page):
    at = open_app(monkeypatch, tmp_path / "missing.duckdb", page)
    assert not at.exception
    text = shown(at)
    assert "还没有可展示的数据" in text
    assert any("schoolwh load" in c.value for c in at.code)


def test_empty_warehouse_file_shows_how_to_load(monkeypatch, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    at = open_app(monkeypatch, path, lang="en")
    assert not at.exception
    text = shown(at)
    assert "No data to show yet" in text and "no successful load" in text


def test_warehouse_replaced_while_open_is_picked_up(monkeypatch, dash_warehouse, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    shutil.copy(dash_warehouse, published)
    at = open_app(monkeypatch, published, "district")
    assert f"数据截至 {fx.AS_OF_ZH}" in shown(at)

    # a new load publishes a file with a later as-of date by atomic rename
    staged = tmp_path / "warehouse.duckdb.build"
    shutil.copy(dash_warehouse, staged)
    con = duckdb.connect(str(staged))
    con.execute("update marts.build_info set as_of_date = date '2025-11-30'")
    con.close()
    os.replace(staged, published)

    at.run()
    assert_clean(at)
    assert "数据截至 2025年11月30日" in shown(at)
    assert "金水区（2025年秋季学期）" in shown(at)

    published.unlink()  # and a warehouse that disappears shows how to load
    at.run()
    assert not at.exception
    assert "还没有可展示的数据" in shown(at)


# --- a district leader's own extract ----------------------------------------------------------
@pytest.fixture(scope="module")
def district_extract(sample_warehouse, tmp_path_factory):
    """What a district leader's session reads: 金水区's extract of the sample warehouse
    (schoolwh/pipeline/extracts.py), its own figures standing for the overall ones."""
    from schoolwh.pipeline.extracts import ensure_extract

    path = tmp_path_factory.mktemp("district") / "warehouse.duckdb"
    shutil.copy(sample_warehouse, path)
    return ensure_extract(path, (fx.D_JINSHUI,))


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


@pytest.mark.parametrize("page", ("overview", "district", "quality", "funding", "satisfaction"))
def test_a_district_leader_sees_the_sample_mark_and_no_one_bar_ranking(
    monkeypatch, district_extract, page
):
    """A district leader saw no 示例数据（合成）, rankings of one bar 「第1名 不变」 and cards
    saying 「第 1 名（共 1 个）」."""
    at = open_app(monkeypatch, district_extract, page)
    assert_clean(at)
    assert any("示例数据（合成）" in w.value for w in at.warning)
    assert all("示例数据（合成）" in f for f in _figure_texts(at))
    text = shown(at) + "".join(cards(at))
    assert "共 1 个" not in text and "第1名" not in " ".join(_figure_texts(at))
    for fig in _figures(at):
        for trace in fig["data"]:
            if trace.get("type") == "bar" and trace.get("orientation") == "h":
                assert len(trace["y"]) > 1, page  # never a ranking of one bar
            if trace.get("error_x"):  # intervals by district: not of one
                assert len(trace["y"]) > 1, page
    if page == "quality":  # its own loads without the columns blanked for it
        loads = table_with(at, "开始时间")
        assert "入库行数" not in loads.columns
        assert not (loads == "—").all().any()
    if page == "overview":
        assert "金水区全区指标" in text
        assert "只有金水区一个区县的数据，不做区县排名" in text  # 供餐覆盖率: no school values
        at.selectbox(key="f_map_kpi").select("lunch_demand_met").run()
        assert_clean(at)
        [ranking] = [f for f in _figures(at) if "各学校排名" in str(f["layout"].get("title"))]
        schools = ranking["data"][0]["y"]
        assert set(schools) == {"金水区实验小学", "金水区文化路初级中学"}  # its own schools


def test_the_overview_leads_with_a_one_line_headline(monkeypatch, dash_warehouse):
    """No headline said where the period stands: now one line over the cards, led by the
    KPI furthest from its target and the weakest district on it."""
    at = open_app(monkeypatch, dash_warehouse)
    assert_clean(at)
    [line] = [m.value for m in at.markdown if "schoolwh-headline" in m.value]
    con = duckdb.connect(str(dash_warehouse), read_only=True)
    judged = con.execute(
        "select count(*), count(*) filter (where status = 'met') from marts.kpi_overall "
        "where period_type = 'term' and period = '2025-autumn' "
        "and status in ('met', 'near', 'missed') and kpi not in "  # 监管's own KPIs
        "(select kpi from marts.kpi_definitions where topic = 'supervision')"
    ).fetchone()
    con.close()
    assert f"{judged[0]} 项指标 {judged[1]} 项达标；距目标最远：" in line
    assert "最弱：" in line  # the weakest of the districts on that KPI


def test_the_satisfaction_and_issue_cards_say_year_on_year(monkeypatch, dash_warehouse, tmp_path):
    """The satisfaction card lacked 同比 (the overview's cards had it)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(dash_warehouse, path)
    con = duckdb.connect(str(path))  # the same term a year before
    con.execute(
        "insert into marts.kpi_overall select * replace ('2024-autumn' as period, "
        "value - 0.05 as value, period_start_date - interval 1 year as period_start_date, "
        "period_end_date - interval 1 year as period_end_date) from marts.kpi_overall "
        "where period_type = 'term' and period = '2025-autumn'"
    )
    con.close()
    for page, kpi in (("satisfaction", "satisfaction_rate"), ("issues", "issue_closure_rate")):
        at = open_app(monkeypatch, path, page)
        assert_clean(at)
        [card] = [c for c in cards(at) if i18n.kpi_name(kpi, "zh") in c]
        assert "同比 +5.0个百分点" in card, page


def test_the_overviews_lists_are_tabs_not_a_page_of_closed_boxes(monkeypatch, dash_warehouse):
    """重点关注 was a heading over three collapsed expanders: nothing to read under it."""
    at = open_app(monkeypatch, dash_warehouse)
    assert_clean(at)
    labels = [tab.label for tab in at.tabs]
    assert labels[0].startswith("未供应午餐的学校") and "距目标最远的学校" in labels[1]
    assert labels[2] == "逾期最久的未整改问题"
    assert not [e for e in at.expander if e.label in labels]
    assert len(at.expander) <= 1  # the grid as a table, for who wants it
