"""The dashboard's building blocks without Streamlit: formatting, status, translations,
downloads, boundaries and figure builders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from schoolwh.core import sources
from schoolwh.core.settings import DBT_DIR, PROJECT_ROOT
from schoolwh.reading import charts, downloads, geo, i18n, tables
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading import status as st_
from schoolwh.reading.connection import Warehouse

ZHENGZHOU_OFFICIAL = [
    "410102", "410103", "410104", "410105", "410106", "410108",
    "410122", "410181", "410182", "410183", "410184", "410185",
]  # fmt: skip


# --- formatting ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (8400, "zh", "8,400"),
        (842_000, "zh", "84.2万"),
        (1_050_213, "zh", "105.02万"),
        (135_000_000, "zh", "1.35亿"),
        (-10_000, "zh", "-1万"),
        (842_000, "en", "842k"),
        (29_282_900, "en", "29.28 M"),
        (None, "zh", "—"),
        (float("nan"), "en", "—"),
    ],
)
def test_number_in_wan_and_yi(value, lang, expected):
    assert fmt.number(value, lang) == expected


def test_money_rates_days_and_dates():
    assert fmt.money(29_282_900, "zh") == "2,928.29万元"
    assert fmt.money(1_200_000, "en") == "¥1.20 M"
    assert fmt.money(173_000_000, "zh") == "1.73亿元"  # 亿 only in headlines
    assert fmt.percent(0.925) == "92.5%"
    assert fmt.percent(2 / 3) == "66.7%"
    assert fmt.points(0.025, "zh") == "+2.5个百分点"
    assert fmt.points(-0.042, "en") == "-4.2 pp"
    assert fmt.days(7.5, "zh") == "7.5天"
    assert fmt.kpi_value(11, "days", "en") == "11 days"
    assert fmt.kpi_value(0.875, "ratio", "zh") == "87.5%"
    assert fmt.date("2025-09-28", "zh") == "2025年9月28日"
    assert fmt.date(pd.Timestamp("2025-09-28"), "en") == "28 Sep 2025"


def test_periods_and_previous_periods():
    assert fmt.period("2025-autumn", "zh") == "2025年秋季学期"
    assert fmt.period("2026-spring", "en") == "Spring term 2026"
    assert fmt.period("2025-09", "zh") == "2025年9月"
    assert fmt.period("2025", "en") == "2025"
    assert fmt.previous_period("term", "2025-autumn") == "2025-spring"
    assert fmt.previous_period("term", "2025-spring") == "2024-autumn"
    assert fmt.previous_period("month", "2025-01") == "2024-12"
    assert fmt.previous_period("year", "2025") == "2024"
    assert fmt.previous_period("term", "garbage") is None
    ordered = sorted(["2025-autumn", "2025-spring", "2024-autumn"], key=fmt.period_sort_key)
    assert ordered == ["2024-autumn", "2025-spring", "2025-autumn"]


# --- status -------------------------------------------------------------------------------
def test_status_palette_is_distinct_and_never_colour_only():
    keys = st_.ORDER
    assert len({st_.STYLES[k].colour for k in keys}) == len(keys)
    assert len({st_.STYLES[k].glyph for k in keys}) == len(keys)
    # Okabe-Ito colours for the three verdicts
    assert (st_.MET.colour, st_.NEAR.colour, st_.MISSED.colour) == ("#009E73", "#E69F00", "#D55E00")
    assert st_.INSUFFICIENT.pattern  # hatched
    assert st_.normalise(None) == "no_target"
    assert st_.normalise(float("nan")) == "no_target"
    assert st_.normalise("met") == "met"


def test_text_colour_reads_on_fills():
    assert st_.text_colour_on("#08519C") == "#FFFFFF"
    assert st_.text_colour_on("#DEEBF7") == "#000000"


# --- translations -------------------------------------------------------------------------
def test_every_label_has_both_languages_and_same_placeholders():
    for key, (zh, en) in i18n.TEXT.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)", zh)) == set(re.findall(r"{(\w+)", en)), key
    assert i18n.t("app.as_of", "zh", date="2025年9月28日") == "数据截至 2025年9月28日"
    assert i18n.t("app.as_of", "en", date="28 Sep 2025") == "Data as of 28 Sep 2025"


def _kpi_warehouse(path: Path, extra_sql: str = "") -> Warehouse:
    """A warehouse file whose marts.kpi_definitions holds the seed's rows, as dbt
    publishes it, changed by `extra_sql`."""
    seed = (DBT_DIR / "seeds" / "kpi_definitions.csv").as_posix()
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_definitions as select * from read_csv("
            f"'{seed}', header = true, types = {{'target': 'DOUBLE', 'near_band': 'DOUBLE'}})"
        )
        if extra_sql:
            con.execute(extra_sql)
    finally:
        con.close()
    return Warehouse(path)


@pytest.fixture
def kpi_dictionary(tmp_path: Path) -> dict[str, q.KpiDefinition]:
    """The seed's KPI dictionary, read from a warehouse (the only source of KPI names)."""
    return q.kpi_definitions(_kpi_warehouse(tmp_path / "kpis.duckdb"))


def test_kpi_names_come_from_the_warehouse(kpi_dictionary):
    with (DBT_DIR / "seeds" / "kpi_definitions.csv").open(encoding="utf-8") as f:
        seed = list(csv.DictReader(f))
    assert seed and list(kpi_dictionary) == [row["kpi"] for row in seed]
    for row in seed:
        assert i18n.kpi_name(row["kpi"], "zh") == row["name_zh"]
        assert i18n.kpi_name(row["kpi"], "en") == row["name_en"]
        assert kpi_dictionary[row["kpi"]].direction == row["direction"]


def test_a_kpi_defined_only_in_the_warehouse_is_shown_with_its_properties(tmp_path):
    """Nothing about a KPI is known but what the warehouse says: a KPI added to its
    kpi_definitions (the seed) gets its names, direction, topic and minimum sample, and a
    renamed KPI shows the new name."""
    wh = _kpi_warehouse(
        tmp_path / "extra.duckdb",
        "insert into marts.kpi_definitions (kpi, sort_order, name_zh, name_en, unit, direction, "
        "target, near_band, min_sample, target_basis, value_kind, topic, periods) values "
        "('meals_wasted', 99, '餐食浪费率', 'Meals wasted', 'ratio', 'lower_is_better', "
        "0.05, 0.02, 10, 'fixed', 'proportion', 'issues', 'term|month'); "
        "update marts.kpi_definitions set name_en = 'Lunch reach' where kpi = 'lunch_coverage'",
    )
    defs = q.kpi_definitions(wh)
    added = defs["meals_wasted"]
    assert list(defs)[-1] == "meals_wasted" and added.lower_is_better
    assert (added.target, added.near_band, added.periods) == (0.05, 0.02, ("term", "month"))
    assert i18n.kpi_name("meals_wasted", "zh") == "餐食浪费率"
    assert i18n.kpi_name("meals_wasted", "en") == "Meals wasted"
    assert i18n.kpi_name("lunch_coverage", "en") == "Lunch reach"
    assert q.kpis_of_topic(wh, "issues")[-1] == "meals_wasted"
    assert q.min_sample(wh, "meals_wasted") == 10
    # its rows rank and judge changes by the warehouse's direction
    current = pd.DataFrame(
        {"kpi": ["meals_wasted"], "value": [0.04], "target": [0.05], "status": ["met"],
         "unit": ["ratio"], "direction": [added.direction]}
    )  # fmt: skip
    previous = pd.DataFrame({"kpi": ["meals_wasted"], "value": [0.06]})
    (card,) = charts.kpi_cards(current, previous, "en")
    assert card.name == "Meals wasted" and card.delta_is_good is True


def test_no_kpi_property_is_known_before_a_warehouse_is_read():
    """KPI names live in the warehouse only: a process that read none shows bare ids."""
    code = (
        "from schoolwh.reading import i18n, queries as q; "
        "print(i18n.kpi_name('lunch_coverage', 'en'), len(q.definitions_in_use()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert out.stdout.split() == ["lunch_coverage", "0"]


def test_enum_labels_use_the_source_contract():
    assert (
        i18n.enum_label("lunch_mode", "central_kitchen", "zh")
        == sources.LUNCH_MODE["central_kitchen"]
    )
    assert i18n.enum_label("lunch_mode", "central_kitchen", "en") == "Central kitchen"
    assert i18n.enum_label("issue_source", "unannounced", "zh") == "四不两直"
    assert i18n.enum_label("status", "insufficient_sample", "zh") == "样本不足"
    assert i18n.enum_label("quarantine_reason", "duplicate_key", "en").startswith("duplicate key")
    assert i18n.enum_label("stage", "unknown_value", "en") == "unknown_value"
    for kind, table in i18n._ENUM_ZH.items():
        assert set(i18n._ENUM_EN[kind]) == set(table), kind


def test_tables_use_only_known_labels():
    for name in dir(tables):
        spec = getattr(tables, name)
        if isinstance(spec, tuple) and spec and isinstance(spec[0], tables.Col):
            for col in spec:
                assert col.label in i18n.TEXT, (name, col.label)


# --- downloads ----------------------------------------------------------------------------
def test_csv_has_a_bom_and_keeps_chinese():
    frame = pd.DataFrame({"区县": ["金水区"], "数值": [0.925]})
    data = downloads.to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == "金水区,0.925"


def test_xlsx_round_trips():
    frame = pd.DataFrame({"区县": ["金水区", "中牟县"], "下达资金（元）": [1_200_000.0, None]})
    book = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(frame, "资金/明细:2025")))
    sheet = book.active
    assert sheet.title == "资金_明细_2025"
    assert [c.value for c in sheet[1]] == ["区县", "下达资金（元）"]
    assert sheet["A2"].value == "金水区"
    assert sheet["B2"].value == 1_200_000


def test_table_display_and_export_forms():
    frame = pd.DataFrame(
        {
            "district_name": ["金水区"],
            "program": ["nutrition_plan"],
            "allocated": [1_000_000.0],
            "spent": [520_000.0],
            "execution": [0.52],
        }
    )
    zh = tables.build(frame, tables.FUNDING, "zh")
    assert zh.display.iloc[0].tolist() == ["金水区", "营养改善计划", "100.00", "52.00", "52.0%"]
    assert list(zh.display.columns)[2:4] == ["下达资金（万元）", "支出（万元）"]
    assert list(zh.export.columns)[2:] == ["下达资金（元）", "支出（元）", "执行率（%）"]
    assert zh.export.iloc[0].tolist()[2:] == [1_000_000.0, 520_000.0, 52.0]
    en = tables.build(frame, tables.FUNDING, "en")
    assert en.display.iloc[0].tolist()[1] == "Nutrition improvement plan"


# --- boundaries ---------------------------------------------------------------------------
def test_boundary_package_is_free_and_has_zhengzhou():
    dist = metadata.distribution(geo.BOUNDARY_PACKAGE)
    licence_files = [f for f in dist.files or [] if "LICENSE" in f.name.upper()]
    assert licence_files, "the boundary package ships its licence text"
    assert "MIT License" in licence_files[0].read_text()
    data = geo.map_data([*ZHENGZHOU_OFFICIAL, "410171", "410172", "410173", "ZD001"])
    assert data.codes == ZHENGZHOU_OFFICIAL
    assert data.without_boundary == ["410171", "410172", "410173", "ZD001"]
    lon, lat = data.centroids["410105"]  # 金水区 lies north-east of the city centre
    assert 113.6 < lon < 113.9 and 34.7 < lat < 34.95
    lons, lats = data.outline("410181")
    assert len(lons) == len(lats) > 10


# --- figure builders ----------------------------------------------------------------------
def _kpi_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_code": ["410105", "410105", "410122", "410122"],
            "district_name": ["金水区", "金水区", "中牟县", "中牟县"],
            "kpi": ["lunch_coverage", "satisfaction_rate"] * 2,
            "value": [2 / 3, 0.925, 1.0, 0.9],
            "target": [1.0, 0.95, 1.0, 0.95],
            "status": ["missed", "near", "met", "insufficient_sample"],
            "unit": ["ratio"] * 4,
            "direction": ["higher_is_better"] * 4,
            "numerator": [2, 37, 2, 18],
            "denominator": [3, 40, 2, 20],
            "ci_lower": [None, 0.8014, None, 0.699],
            "ci_upper": [None, 0.9742, None, 0.972],
        }
    )


def test_kpi_cards_carry_status_and_change(kpi_dictionary):
    rows = _kpi_rows()
    current = rows[rows["district_code"] == "410105"]
    previous = pd.DataFrame({"kpi": ["lunch_coverage"], "value": [1 / 3]})
    cards = charts.kpi_cards(current, previous, "zh", "2025年春季学期")
    coverage, satisfaction = cards
    assert (coverage.name, coverage.value_text, coverage.status) == (
        "午餐供餐覆盖率",
        "66.7%",
        "missed",
    )
    assert coverage.glyph == st_.MISSED.glyph and coverage.colour == st_.MISSED.colour
    assert coverage.delta_text == "+33.3个百分点 较2025年春季学期"
    assert coverage.delta_is_good is True
    assert coverage.detail == "2 / 3"
    assert satisfaction.status_text == "接近目标" and satisfaction.detail == "样本 40"
    assert satisfaction.delta is None


def test_lower_is_better_change_is_good_when_falling():
    current = pd.DataFrame(
        {"kpi": ["median_days_to_close"], "value": [6.0], "target": [None], "status": [None],
         "unit": ["days"], "direction": ["lower_is_better"]}
    )  # fmt: skip
    previous = pd.DataFrame({"kpi": ["median_days_to_close"], "value": [9.0]})
    (card,) = charts.kpi_cards(current, previous, "en")
    assert card.value_text == "6 days" and card.delta_text == "-3 days"
    assert card.delta_is_good is True and card.status == "no_target"


def test_status_grid_colours_each_cell_by_its_status():
    fig = charts.status_grid(_kpi_rows(), "zh")
    heat = fig.data[0]
    assert list(heat.y) == ["金水区", "中牟县"]
    assert list(heat.x) == ["午餐供餐覆盖率", "满意率"]
    assert heat.text[0][0] == f"{st_.MISSED.glyph} 66.7%"
    assert heat.text[1][1] == f"{st_.INSUFFICIENT.glyph} 90.0%"
    # the z index of each cell picks the colour of its status from the discrete scale
    n = len(st_.ORDER)
    for row, statuses in zip(
        heat.z, (["missed", "near"], ["met", "insufficient_sample"]), strict=True
    ):
        for z, status in zip(row, statuses, strict=True):
            position = (z + 0.5) / n
            band = next(c for p, c in heat.colorscale[::2][::-1] if p <= position)
            assert band == st_.STYLES[status].colour


def test_district_map_fills_by_status_and_lists_no_boundary_units():
    rows = _kpi_rows()
    one = rows[rows["kpi"] == "lunch_coverage"].copy()
    extra = one.iloc[[0]].assign(district_code="410171", district_name="经开区", status="met")
    one = pd.concat([one, extra])
    shapes = geo.map_data(one["district_code"])
    assert shapes.without_boundary == ["410171"]
    fig = charts.district_map(one, shapes, "lunch_coverage", "zh", has_target=True)
    fills = {tr.text.split("<br>")[0]: tr.fillcolor for tr in fig.data if tr.fill == "toself"}
    assert fills == {"金水区": st_.MISSED.colour, "中牟县": st_.MET.colour}
    labels = next(tr for tr in fig.data if tr.mode == "text")
    assert any("66.7%" in text for text in labels.text)
    # no base map from the internet: plain axes only
    assert not fig.layout.geo.to_plotly_json() or fig.layout.geo.visible is None
    value_map = charts.district_map(one, shapes, "lunch_coverage", "en", has_target=False)
    value_fills = [tr.fillcolor for tr in value_map.data if tr.fill == "toself"]
    assert value_fills[0] != value_fills[1]  # coloured by value, not by status


def test_trend_has_target_line_and_status_markers():
    series = pd.DataFrame(
        {
            "period": ["2025-10", "2025-09"],
            "value": [0.93, 0.96],
            "target": [1.0, 1.0],
            "status": ["missed", "near"],
            "unit": ["ratio", "ratio"],
        }
    )
    fig = charts.trend_vs_target(series, "reporting_completeness", "zh")
    line, target = fig.data
    assert list(line.x) == ["2025年9月", "2025年10月"]  # sorted by time
    assert list(line.marker.color) == [st_.NEAR.colour, st_.MISSED.colour]
    assert list(target.y) == [1.0, 1.0] and target.line.dash == "dash"


def test_funding_axis_is_written_in_wan():
    frame = pd.DataFrame({"label": ["金水区"], "allocated": [1_200_000.0], "spent": [660_000.0]})
    fig = charts.funding_bars(frame, "label", "zh")
    assert "100" in fig.layout.xaxis.ticktext and fig.layout.xaxis.title.text == "金额（万元）"
    assert fig.data[1].text[0] == "66.00万元 · 55.0%"


def test_funding_bars_are_sorted_and_in_one_unit_with_the_cards():
    """资金 bars came in district-code order, labelled 30,987.00万元 on an axis in 亿 beside
    cards in 亿: now the largest allocation is on top and labels, axis and cards share 亿元."""
    frame = pd.DataFrame(
        {"district_name": ["中原区", "金水区", "登封市"],
         "allocated": [309_870_000.0, 620_000_000.0, 95_000_000.0],
         "spent": [200_000_000.0, 310_000_000.0, 50_000_000.0]}
    )  # fmt: skip
    fig = charts.funding_bars(frame, "district_name", "zh")
    assert list(fig.data[0].y)[::-1] == ["金水区", "中原区", "登封市"]  # top to bottom
    assert list(fig.data[0].text)[::-1] == ["6.20亿元", "3.10亿元", "0.95亿元"]
    assert fig.data[1].text[-1] == "3.10亿元 · 50.0%"
    assert fig.layout.xaxis.title.text == "金额（亿元）"
    assert all("万" not in x for x in fig.layout.xaxis.ticktext)
    assert fmt.money(frame["allocated"].sum()).endswith("亿元")  # the card's unit
    en = charts.funding_bars(frame, "district_name", "en")
    assert en.data[0].text[-1] == "¥620.00 M" and en.layout.xaxis.title.text == "Amount (¥ M)"


def test_every_money_header_names_one_unit():
    """A table header read 「累计支出（元）（万元）」."""
    for name in dir(tables):
        spec = getattr(tables, name)
        if not (isinstance(spec, tuple) and spec and isinstance(spec[0], tables.Col)):
            continue
        money = [c for c in spec if c.kind == "money"]
        if not money:
            continue
        frame = pd.DataFrame({c.source: [1.0] for c in spec})
        for lang in ("zh", "en"):
            built = tables.build(frame, spec, lang)
            for header in [*built.display.columns, *built.export.columns]:
                units = header.count("（") if lang == "zh" else header.count("(")
                assert units <= 1, (name, header)


def test_satisfaction_interval_and_pace_and_issue_figures():
    rows = _kpi_rows()
    sat = rows[rows["kpi"] == "satisfaction_rate"]
    fig = charts.satisfaction_intervals(sat, "district_name", "zh", target=0.95)
    points = fig.data[0]
    assert list(points.marker.symbol) == ["circle-open", "triangle-up"]  # 0.90 first (sorted)
    assert points.error_x.array[1] == pytest.approx(0.9742 - 0.925)
    pace = pd.DataFrame(
        {"month": ["2025-06", "2025-09"], "ytd_share": [0.4333, 0.55], "target_pace": [0.475, 0.7125],
         "status": ["near", "missed"]}
    )  # fmt: skip
    fig = charts.ytd_pace(pace, "en")
    assert list(fig.data[1].y) == [0.4333, 0.55]
    issues = pd.DataFrame({"month": ["2025-09", "2025-10"], "found": [4, 3], "closed": [2, 1]})
    fig = charts.issues_per_month(issues, "zh")
    assert [tr.name for tr in fig.data] == ["发现", "已整改"]
    assert all(float(v).is_integer() for v in fig.layout.yaxis.tickvals)
    closure = pd.DataFrame(
        {"month": ["2025-11", "2025-12"], "found": [4, 5], "closed": [3, 2], "overdue": [1, 0],
         "not_yet_due": [0, 3], "due_closure_rate": [0.75, 1.0]}
    )  # fmt: skip
    fig = charts.issues_closure_by_month(closure, "zh")
    assert [tr.name for tr in fig.data[:3]] == ["已整改", "已逾期", "未到期"]
    assert fig.layout.barmode == "stack"
    assert fig.data[2].marker.pattern.shape == "/"  # not yet due reads apart from overdue
    # December's 2 closed of 2 due is 100 %, not 2 of 5
    assert list(fig.data[3].text) == ["75.0%", "100.0%"] and "到期整改率" in fig.data[3].name


def test_sql_examples_have_titles_in_both_languages():
    source = (PROJECT_ROOT / "dashboard" / "views" / "sql.py").read_text(encoding="utf-8")
    ids = re.findall(r'^    "(\w+)": \((?:\s*#.*)?$', source, flags=re.MULTILINE)
    assert len(ids) == 5
    for example in ids:
        assert f"sql.example.{example}" in i18n.TEXT


# --- one number style per unit ------------------------------------------------------------
def test_money_in_a_table_is_one_unit_with_separators_and_two_decimals():
    """Money once mixed 7074.75万元, 1711.1万元 and 1.73亿元 in one table headed （元）."""
    frame = pd.DataFrame({"district_name": ["甲", "乙", "丙"], "program": "nutrition",
                          "allocated": [70_747_500, 17_111_000, 173_000_000],
                          "spent": [1_000, None, 0], "execution": [0.1, None, 0.0]})  # fmt: skip
    zh = tables.build(frame, tables.FUNDING, "zh")
    assert list(zh.display["下达资金（万元）"]) == ["7,074.75", "1,711.10", "17,300.00"]
    assert list(zh.display["支出（万元）"]) == ["0.10", "—", "0.00"]
    assert "下达资金（元）" in zh.export and zh.export["下达资金（元）"].iloc[0] == 70_747_500
    en = tables.build(frame, tables.FUNDING, "en")
    assert list(en.display.filter(like="(¥ million)").iloc[:, 0]) == ["70.75", "17.11", "173.00"]
    assert not any("亿" in v or "万元" in v for v in zh.display.iloc[:, 2:4].to_numpy().ravel())


def test_counts_are_exact():
    """The quality page showed 1.26万 read and 1.26万 landed: one quarantined row vanished."""
    frame = pd.DataFrame({"load_id": [1], "rows_landed": [12_593], "rows_quarantined": [1],
                          "files_loaded": [22], "message": ['["/in/a.csv", "/in/b.xlsx", "/in/a.csv"]']})  # fmt: skip
    display = tables.build(frame, tables.LOADS, "zh").display
    assert display["入库行数"].iloc[0] == "12,593"
    assert fmt.count(12_594) == "12,594" and fmt.count(None) == "—"


def test_load_file_lists_read_as_names():
    paths = '["/data/in/区县名录.csv", "C:\\\\报表\\\\学校.xlsx", "/data/in/区县名录.csv"]'
    assert tables.file_list(paths, "zh") == "2 个文件：区县名录.csv、学校.xlsx"
    many = str([f"/x/{i}.csv" for i in range(8)]).replace("'", '"')
    assert tables.file_list(many, "en") == "8 files: 0.csv, 1.csv, 2.csv, 3.csv, 4.csv, …"
    assert tables.file_list("1 file rejected", "zh") == "1 file rejected"


def test_quality_checks_read_in_plain_words():
    """Raw GX names (expect_column_values_to_be_in_set) gave way to the report's words."""
    message = (
        "必填列「区县」不为空 / required column district_name is filled — "
        "通过 / passed: 0 of 16 rows unexpected"
    )
    assert tables.check_description(message, "zh") == "必填列「区县」不为空 — 通过"
    assert tables.check_description(message, "en") == (
        "required column district_name is filled — passed: 0 of 16 rows unexpected"
    )
    frame = pd.DataFrame({"check_name": ["expect_column_values_to_be_in_set"],
                          "message": [message], "success": [True]})  # fmt: skip
    display = tables.build(frame, tables.CHECKS, "zh").display
    assert "expect_column_values_to_be_in_set" not in display.to_csv()


# --- charts that tell the truth at a glance -------------------------------------------------
def _trend_rows(periods, values, target=0.95):
    return pd.DataFrame({"period": periods, "value": values, "target": target,
                         "status": "near", "unit": "ratio", "kpi": "lunch_demand_met"})  # fmt: skip


def test_trend_axis_fits_the_data_and_target():
    """Axes fixed at 0–100 % flattened a KPI moving between 90 and 97 %."""
    fig = charts.trend_vs_target(
        _trend_rows(["2025-09", "2025-10", "2025-11"], [0.90, 0.97, 0.93]), "x", "zh"
    )
    low, high = fig.layout.yaxis.range
    assert 0.7 < low < 0.9 and 0.97 < high <= 1.01


def test_months_without_school_days_are_gaps_not_missing():
    """January and August silently vanished from the axis."""
    rows = _trend_rows(["2025-06", "2025-09", "2026-02"], [0.9, 0.92, 0.94])
    fig = charts.trend_vs_target(rows, "x", "zh")
    line = fig.data[0]
    assert list(line.x) == [fmt.period(m, "zh") for m in
                            ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                             "2025-12", "2026-01", "2026-02"]]  # fmt: skip
    assert line.y[1] is None or line.y[1] != line.y[1]  # July: a gap (no value)
    assert line.connectgaps is False


def test_trend_panels_are_each_kpis_own_trend_in_one_figure():
    """The 区县 page draws its KPI trends as one figure (a panel each): every panel keeps
    its KPI's fitted axis, target and gaps; the target is explained once."""
    rows = _trend_rows(["2025-06", "2025-09"], [0.90, 0.97])
    days = _trend_rows(["2025-09", "2025-10"], [20.0, 30.0], target=15.0).assign(
        kpi="issue_median_days", unit="days"
    )
    series = pd.concat([rows, days], ignore_index=True)
    kpis = ["lunch_demand_met", "issue_median_days"]
    fig = charts.trend_panels(series, kpis, "zh")
    assert [a.text for a in fig.layout.annotations] == [i18n.kpi_name(k, "zh") for k in kpis]
    for i, kpi in enumerate(kpis):
        one = charts.trend_vs_target(series[series["kpi"] == kpi], kpi, "zh")
        axis = fig.layout[f"yaxis{i + 1 if i else ''}"]
        assert list(axis.range) == list(one.layout.yaxis.range)
        assert axis.tickformat == one.layout.yaxis.tickformat  # % for shares, days plain
        panel = [tr for tr in fig.data if tr.yaxis == f"y{i + 1 if i else ''}"]
        assert [list(tr.x) for tr in panel] == [list(tr.x) for tr in one.data]
    first = next(tr for tr in fig.data if tr.yaxis == "y")
    assert first.y[1] is None or first.y[1] != first.y[1]  # July, August: gaps
    targets = [tr for tr in fig.data if tr.name == i18n.t("chart.target", "zh")]
    assert len(targets) == 2 and [tr.showlegend for tr in targets] == [True, False]


def test_ranking_labels_stay_clear_of_the_target_and_the_axis_stops_at_100():
    """The dashed target ran through the value labels and the axis ran on to 120 %."""
    frame = pd.DataFrame({"district_name": ["甲", "乙", "丙"], "value": [1.0, 0.96, 0.5],
                          "unit": "ratio", "status": ["met", "near", "missed"],
                          "kpi": "lunch_coverage"})  # fmt: skip
    fig = charts.ranking_bars(frame, "zh", target=1.0)
    assert fig.data[0].textposition == "none"  # no label drawn on or beside the bars
    values = [a for a in fig.layout.annotations if a.xref == "paper" and a.x > 1]
    assert len(values) == 3 and "✔ 100.0%" in {a.text for a in values}
    assert list(fig.layout.xaxis.range) == [0, 1.0]
    target = [a for a in fig.layout.annotations if "目标" in (a.text or "")]
    assert target and target[0].yref == "y domain" and target[0].y >= 1  # above the bars


def test_daily_dates_are_chinese_in_the_chinese_view():
    """Dates in the Chinese view read "Sep 7 2025"."""
    frame = pd.DataFrame({"date": pd.to_datetime(["2025-09-01", "2025-09-02"]),
                          "lunch_students": [10, 12], "after_school_students": [5, 6]})  # fmt: skip
    assert "月" in charts.daily_participation(frame, "zh").layout.xaxis.tickformat
    assert "月" not in charts.daily_participation(frame, "en").layout.xaxis.tickformat


def test_cards_show_year_on_year_beside_the_previous_period():
    """Only the change on the previous period was shown; 同比 where last year has data."""
    now = pd.DataFrame({"kpi": ["a", "b"], "value": [0.95, 0.9], "unit": "ratio",
                        "status": "met", "target": None,
                        "direction": "higher_is_better"})  # fmt: skip
    before = now.assign(value=[0.93, 0.9])
    year_ago = pd.DataFrame({"kpi": ["a"], "value": [0.90]})
    cards = charts.kpi_cards(now, before, "zh", "2025年春季学期", year_ago, "2024年秋季学期")
    assert cards[0].delta_text == "+2.0个百分点 较2025年春季学期"
    assert cards[0].yoy_text == "同比 +5.0个百分点 较2024年秋季学期"
    assert cards[0].yoy_is_good is True
    assert cards[1].yoy_text == ""  # no value a year before: nothing claimed
    assert fmt.same_period_last_year("term", "2025-autumn") == "2024-autumn"
    assert fmt.same_period_last_year("month", "2025-01") == "2024-01"
    assert fmt.same_period_last_year("year", "2025") is None


def test_map_labels_never_overlap():
    """上街区 and 荥阳市 printed over each other."""
    centroids = {"a": (0.0, 0.0), "b": (0.05, 0.01), "c": (1.0, 1.0), "d": (0.5, 0.5)}
    spots = charts.label_spots(centroids)
    box_w, box_h = 0.2, 0.14  # the label's share of the centroids' extent
    codes = sorted(spots)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            (ax, ay), (bx, by) = spots[a], spots[b]
            assert abs(ax - bx) >= box_w or abs(ay - by) >= box_h - 1e-9, (a, b)
    assert spots["c"] == (1.0, 1.0)  # a label with room stays on its centroid


def test_a_district_smaller_than_its_label_gets_a_callout():
    """上街区's label lay across the 荥阳市 border: its shape is narrower than its name and
    value, so they stand in a box outside it, with an arrow to it."""
    shapes = geo.map_data(pd.Series(ZHENGZHOU_OFFICIAL))
    if not shapes.geojson["features"]:
        pytest.skip("no boundary package")
    frame = pd.DataFrame({"district_code": ZHENGZHOU_OFFICIAL, "district_name":
                          [f"区{c}" for c in ZHENGZHOU_OFFICIAL], "value": 0.9, "unit": "ratio",
                          "status": "met"})  # fmt: skip
    fig = charts.district_map(frame, shapes, "lunch_coverage", "zh", True)
    [callout] = fig.layout.annotations
    assert callout.text.startswith("区410106") and callout.showarrow
    assert (callout.x, callout.y) == shapes.centroids["410106"]  # the arrow points at it
    assert callout.ax < 0  # away from 荥阳市's label, which lies east of it
    names = " ".join(" ".join(tr.text) for tr in fig.data if tr.mode == "text")
    assert "区410106" not in names and "区410182" in names  # 荥阳市 keeps its own label


def test_the_grid_downloads_as_the_matrix_it_is():
    """The XLSX of a matrix is the matrix (wide), not a long list of cells."""
    frame = pd.DataFrame({"district_name": ["甲", "甲", "乙"], "kpi": ["lunch_coverage",
                          "median_days_to_close", "lunch_coverage"], "value": [0.5, 7.0, 1.0],
                          "unit": ["ratio", "days", "ratio"],
                          "status": ["missed", None, "met"]})  # fmt: skip
    grid = tables.matrix(frame, "zh")
    assert grid.display.shape == (2, 3) and list(grid.display["区县"]) == ["甲", "乙"]
    coverage = i18n.kpi_name("lunch_coverage", "zh")
    assert list(grid.display[coverage]) == ["✖ 50.0%", "✔ 100.0%"]
    assert grid.display.iloc[1, 2] == ""  # 乙 has no median days: an empty cell
    assert list(grid.export[coverage + "（%）"]) == [50.0, 100.0]
    book = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(grid.export, "矩阵")))
    assert book.active.max_row == 3 and book.active.max_column == 3


def test_the_sample_mark_has_a_band_of_its_own_above_the_figure():
    """The 示例数据（合成） mark once sat over the grid's column labels (drawn in the top margin)."""
    import plotly.graph_objects as go

    fig = go.Figure(layout={"margin": {"t": 120}, "height": 400})
    charts.mark_sample(fig, "zh")
    mark = fig.layout.annotations[-1]
    assert mark.text == "示例数据（合成）"
    assert fig.layout.margin.t == 142 and fig.layout.height == 422
    # its top at the figure's top edge, its bottom above everything the figure had before
    assert mark.yanchor == "top" and mark.yshift == 140
    # on the left of its band: the top right corner is the Plotly toolbar's on the screen
    assert (mark.x, mark.xanchor, mark.xshift) == (0, "left", -76)  # the figure's left edge
    grid = go.Figure(layout={"margin": {"t": 120, "b": 10}, "xaxis": {"side": "top"}})
    charts.mark_sample(grid, "zh")  # labels on top: the mark goes below the grid
    mark = grid.layout.annotations[-1]
    assert (mark.y, mark.yanchor, grid.layout.margin.t, grid.layout.margin.b) == (0, "top", 120, 32)


def test_rankings_and_grid_show_year_on_year_beside_the_previous_period():
    """Only the cards had 同比; the ranking and the grid showed no change at all."""
    frame = pd.DataFrame({"district_name": ["甲", "乙", "丙"], "value": [1.0, 0.96, 0.5],
                          "unit": "ratio", "status": ["met", "near", "missed"],
                          "kpi": "lunch_coverage"})  # fmt: skip
    previous = pd.DataFrame({"district_name": ["甲", "乙", "丙"], "value": [0.9, 0.96, 0.6]})
    last_year = pd.DataFrame({"district_name": ["甲", "丙"], "value": [0.8, 0.45]})  # 乙 new
    fig = charts.ranking_bars(frame, "zh", target=1.0, previous=previous, last_year=last_year)
    beside = {a.y: a.text for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"}
    assert "环比 +10.0 · 同比 +20.0" in beside["甲"]
    assert "环比 持平" in beside["乙"] and "同比" not in beside["乙"]  # no value a year before
    assert "环比 -10.0 · 同比 +5.0" in beside["丙"]
    assert any(a.text == "环比 · 同比（个百分点）" for a in fig.layout.annotations)
    plain = charts.ranking_bars(frame, "zh", target=1.0)  # without last periods: no changes
    assert not any("环比" in (a.text or "") for a in plain.layout.annotations)

    rows = _kpi_rows()
    before = rows.assign(value=[0.5, 0.925, 1.0, 0.85])
    year_ago = rows.iloc[[0]].assign(value=0.5)
    grid = charts.status_grid(rows, "en", previous=before, last_year=year_ago)
    cells = grid.data[0].text
    assert "PoP +16.7<br>YoY +16.7" in cells[0][0]  # 金水区, lunch coverage: a line each
    assert "PoP unchanged" in cells[0][1]
    assert "PoP +5.0" in cells[1][1] and "YoY" not in cells[1][1]
    assert "PoP" not in charts.status_grid(rows, "en").data[0].text[0][0]


# --- exports as seen ----------------------------------------------------------------------
def test_xlsx_columns_fit_chinese_text():
    """Widths counted a Chinese character as one column: 学校 names were cut in Excel."""
    frame = pd.DataFrame(
        {
            "学校": ["郑州市金水区文化路第一初级中学", "短名"],  # 15 wide characters = 30 columns
            "school_code": ["4101050002", "4101050001"],
            "说明": ["a", "b"],
        }
    )
    sheet = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(frame))).active
    widths = {c: sheet.column_dimensions[c].width for c in "ABC"}
    assert widths["A"] >= 30  # the widest cell, counted double
    assert 10 <= widths["B"] < 20  # Latin digits count once
    assert widths["C"] >= 4 and widths["C"] < 12  # the header 说明 (4 columns) decides
    assert downloads.text_width("金水区 ab") == 9


def test_sql_writes_csv_with_a_bom_and_xlsx_for_excel(tmp_path):
    """`schoolwh sql --format csv` wrote no BOM: Excel showed the Chinese garbled."""
    from typer.testing import CliRunner

    from schoolwh.cli import app
    from schoolwh.core.settings import STORAGE_VERSION

    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS wh (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute("CREATE SCHEMA wh.marts")
    con.execute(
        "CREATE TABLE wh.marts.dim_school AS SELECT * FROM (VALUES "
        "('4101050001', '金水区实验小学', 1234.50::DECIMAL(12, 2), DATE '2025-09-01')) "
        "t(school_code, school_name, budget_wan, opened)"
    )
    con.close()
    runner = CliRunner()
    query = "select school_name, budget_wan, opened from marts.dim_school"
    as_csv = tmp_path / "结果.csv"
    done = runner.invoke(app, ["sql", "-w", str(path), "-f", "csv", "-o", str(as_csv), query])
    assert done.exit_code == 0, done.stderr
    data = as_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == "金水区实验小学,1234.50,2025-09-01"
    assert "1 row" in done.stderr
    as_xlsx = tmp_path / "结果.xlsx"
    done = runner.invoke(app, ["sql", "-w", str(path), "-f", "xlsx", "-o", str(as_xlsx), query])
    assert done.exit_code == 0, done.stderr
    sheet = openpyxl.load_workbook(as_xlsx).active
    assert [c.value for c in sheet[1]] == ["school_name", "budget_wan", "opened"]
    assert sheet["A2"].value == "金水区实验小学"
    assert sheet["B2"].value == 1234.5  # a number Excel can sum, not text
    assert sheet["C2"].value.date() == dt.date(2025, 9, 1)
    no_file = runner.invoke(app, ["sql", "-w", str(path), "-f", "xlsx", query])
    assert no_file.exit_code == 2 and "--out" in no_file.stderr


def test_a_figure_is_built_once_for_the_same_data_and_marked_when_sample():
    """ui.plot keeps a built figure for every session: the same data is not built again
    (building costs more than the query), other data is, and the sample mark is part of
    the key, so a real warehouse's figure never carries it."""
    import json

    from streamlit.testing.v1 import AppTest

    from dashboard import ui

    ui._built.clear()  # figures kept by earlier tests in this process

    def page():
        import pandas as pd
        import plotly.graph_objects as go
        import streamlit as st

        from dashboard import ui

        def bars(frame, title):
            st.session_state["built"] = st.session_state.get("built", 0) + 1
            return go.Figure(go.Bar(x=list(frame["x"]), y=list(frame["y"])), {"title": title})

        st.session_state[ui.SAMPLE_KEY] = st.session_state.get("sample", False)
        frame = pd.DataFrame({"x": ["a", "b"], "y": [1, st.session_state.get("y", 2)]})
        ui.plot(bars, frame, "t", key="bars")

    at = AppTest.from_function(page).run()
    at.run()
    assert not at.exception and at.session_state["built"] == 1  # the second run reused it
    at.session_state["y"] = 3
    at.run()
    assert at.session_state["built"] == 2  # other data: built again
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not spec["layout"].get("annotations")
    at.session_state["sample"] = True
    at.run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert at.session_state["built"] == 3
    assert [a["text"] for a in spec["layout"]["annotations"]] == [i18n.t("sample.label", "zh")]


def test_issue_counts_never_run_into_each_other():
    """Two years of months left each bar narrower than its count: 169 beside 169 read
    「169169」. Past six months the counts stand upright over their bars."""
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    many = pd.DataFrame({"month": months, "found": 169, "closed": 169})
    fig = charts.issues_per_month(many, "zh")
    assert all(tr.textangle == -90 for tr in fig.data)
    few = charts.issues_per_month(many.head(4), "zh")
    assert all(tr.textangle in (0, None) for tr in few.data)


def test_a_year_to_date_trend_breaks_between_years(kpi_dictionary):
    """预算执行率 adds up from January: its trend ran from December's 100 % down to
    January's 0 %. The line now breaks at the new year, every month keeping its point."""
    months = ["2024-11", "2024-12", "2025-01", "2025-02"]
    frame = pd.DataFrame(
        {"period": months, "value": [0.9, 1.0, 0.05, 0.12], "target": [0.87, 0.95, 0.08, 0.16],
         "status": ["met", "met", "near", "missed"], "unit": "ratio", "kpi": "budget_execution"}
    )  # fmt: skip
    assert kpi_dictionary["budget_execution"].target_basis == "year_to_date"
    fig = charts.trend_vs_target(frame, "budget_execution", "zh")
    value, target = fig.data[0], fig.data[1]
    ys = [None if pd.isna(y) else y for y in value.y]
    assert ys == [0.9, 1.0, None, 0.05, 0.12]  # no segment from 100 % to 5 %
    assert value.x[2] == value.x[3] == fmt.period("2025-01", "zh")
    assert pd.isna(target.y[2]) and value.connectgaps is False
    other = charts.trend_vs_target(frame.assign(kpi="lunch_coverage"), "lunch_coverage", "zh")
    assert len(other.data[0].y) == 4  # a KPI of each month alone runs on


def test_facts_left_out_of_the_kpis_show_terms_as_terms():
    """未计入指标 showed the term code 2024-autumn as its example."""
    frame = pd.DataFrame(
        {"source": ["enrollment", "participation"], "example_key": ["2024-autumn", "2025-09-01"]}
    )
    shown = tables.build(frame, tables.ORPHANS, "zh").display["示例"].tolist()
    assert shown == ["2024年秋季学期", "2025-09-01"]
    assert tables.build(frame, tables.ORPHANS, "en").display.iloc[0, 6] == "Autumn term 2024"
