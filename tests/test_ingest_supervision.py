"""The seven supervision sources through ingest (docs/contract.md#sources): headers and
aliases, values and synonyms, units, defaults, every row rule with its reason, the date
windows, the 20 % rule, duplicate keys, a clerk's scope and the raw-only free text."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ingest.batches import Batch, read_batches
from ingest.rules import AHEAD_DATES, FACT_DATES, WINDOW_DATES, rules_for
from schoolwh.core.sources import SOURCES, raw_only_columns
from schoolwh.pipeline.check import scope_batch
from tests.filemaker import write_csv, write_xlsx

TODAY = dt.date(2026, 1, 15)
S1, S2 = "4101050001", "4101020001"  # a school of 410105 and one of 410102
SUPERVISION = (
    "meal_companions",
    "menus",
    "kitchen_cameras",
    "canteen_checks",
    "suppliers",
    "deliveries",
    "training",
)


def read(path, source: str | None = None) -> Batch:
    [b] = read_batches(path, path.read_bytes(), "h", source, TODAY)
    assert isinstance(b, Batch), b
    return b


def problems(b: Batch) -> list[tuple]:
    return [
        (r["_row_number"], r["column_name"], r["reason"]) for r in b.problems.iter_rows(named=True)
    ]


# One clean row per source, written as a bureau writes it (Chinese labels, 是/否).
GOOD: dict[str, dict[str, str]] = {
    "meal_companions": {
        "陪餐编号": "P1",
        "学校代码": S1,
        "陪餐日期": "2025-09-01",
        "陪餐人员类别": "校领导",
        "陪餐人数": "2",
        "评价": "5",
        "陪餐人": "王校长",
        "意见建议": "菜偏咸",
    },
    "menus": {
        "学校代码": S1,
        "供餐日期": "2025-09-01",
        "菜品数": "3",
        "荤菜数": "1",
        "水果": "有",
        "主食": "是",
        "餐费": "6.5",
        "公示日期": "2025-08-29",
        "菜单": "红烧肉、炒青菜、番茄蛋汤、苹果、米饭",
    },
    "kitchen_cameras": {"学校代码": S1, "统计日期": "2025-09-01", "摄像头数": "4", "在线数": "4"},
    "canteen_checks": {
        "检查编号": "C1",
        "学校代码": S1,
        "检查日期": "2025-09-03",
        "检查类型": "周排查",
        "检查结果": "合格",
        "得分": "96",
        "检查人": "李四",
    },
    "suppliers": {
        "供应商编号": "91410100MA0001",
        "供应商名称": "某某粮油配送有限公司",
        "区县代码": "410105",
        "体系认证": "是",
        "准入日期": "2024-03-01",
        "清退日期": "",
    },
    "deliveries": {
        "配送单号": "D1",
        "学校代码": S1,
        "配送日期": "2025-09-01",
        "供应商编号": "91410100MA0001",
        "食材类别": "大米",
        "统一配送": "是",
        "金额": "1000",
        "双人查验": "是",
    },
    "training": {
        "培训编号": "T1",
        "培训日期": "2025-10-10",
        "区县代码": "410105",
        "培训对象": "食堂管理员",
        "培训人次": "120",
        "培训内容": "食品安全法规",
    },
}
# The key column of each source and how to vary it (rows of one file need distinct keys).
KEY_CELL = {
    "meal_companions": ("陪餐编号", lambda i: f"P{i}"),
    "menus": ("供餐日期", lambda i: f"2025-09-{i + 1:02d}"),
    "kitchen_cameras": ("统计日期", lambda i: f"2025-09-{i + 1:02d}"),
    "canteen_checks": ("检查编号", lambda i: f"C{i}"),
    "suppliers": ("供应商编号", lambda i: f"91410100MA{i:04d}"),
    "deliveries": ("配送单号", lambda i: f"D{i}"),
    "training": ("培训编号", lambda i: f"T{i}"),
}


def rows_of(source: str, n: int, **changes: str) -> list[list[str]]:
    """A header and n good rows; `changes` (header → value) applies to the last row."""
    good = GOOD[source]
    key, make = KEY_CELL[source]
    out = [list(good)]
    for i in range(n):
        row = {**good, key: make(i)}
        if source == "suppliers":  # one company, one code
            row["供应商名称"] = f"{good['供应商名称']}{i}"
        if i == n - 1:
            row.update(changes)
        out.append(list(row.values()))
    return out


# --- headers and values ------------------------------------------------------------------


@pytest.mark.parametrize("source", SUPERVISION)
def test_a_bureau_file_of_each_source_is_recognised_and_read(tmp_path, source):
    b = read(write_csv(tmp_path / f"{source}.csv", rows_of(source, 3), encoding="gbk"))
    assert b.source.name == source
    assert b.outcome.status == "loaded" and problems(b) == []
    assert b.rows.height == 3


def _alias_cases():
    for source in SUPERVISION:
        for col in SOURCES[source].columns:
            for alias in col.aliases[1:]:
                yield source, col.name, alias


@pytest.mark.parametrize(("source", "column", "alias"), list(_alias_cases()))
def test_every_chinese_header_names_its_column(tmp_path, source, column, alias):
    src = SOURCES[source]
    header = [alias if c.name == column else c.zh for c in src.columns]
    rows = (
        rows_of(source, 2, 清退日期="2025-06-30") if source == "suppliers" else rows_of(source, 2)
    )
    b = read(write_csv(tmp_path / "f.csv", [header, *rows[1:]]))
    assert b.source.name == source
    assert problems(b) == []
    last = b.rows.row(-1, named=True)
    assert last[column] is not None, f"{alias} did not name {column}"


def test_values_are_read_into_the_contract_values(tmp_path):
    read_all = {s: read(write_csv(tmp_path / f"{s}.csv", rows_of(s, 1))) for s in SUPERVISION}
    row = {s: b.rows.row(0, named=True) for s, b in read_all.items()}
    assert row["meal_companions"]["role"] == "school_leader"
    assert row["meal_companions"]["rating"] == 5
    assert row["menus"]["has_fruit"] is True and row["menus"]["has_staple"] is True
    assert row["menus"]["price"] == 6.5
    assert row["menus"]["date"] == dt.date(2025, 9, 1)
    assert row["canteen_checks"]["kind"] == "weekly"
    assert row["canteen_checks"]["result"] == "pass"
    assert row["suppliers"]["certified"] is True
    assert row["suppliers"]["exited_date"] is None
    assert row["deliveries"]["category"] == "rice" and row["deliveries"]["unified"] is True
    assert row["training"]["audience"] == "canteen_manager"
    assert row["training"]["person_times"] == 120


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("合格", "pass"),
        ("是", "pass"),
        ("达标", "pass"),
        ("不合格", "fail"),
        ("否", "fail"),
        ("不达标", "fail"),
        ("√", "pass"),
        ("×", "fail"),
        ("pass", "pass"),
        ("FAIL", "fail"),
    ],
)
def test_check_results_take_their_synonyms(tmp_path, label, value):
    rows = rows_of("canteen_checks", 1, 检查结果=label)
    rows[0][rows[0].index("检查结果")] = "是否合格"
    b = read(write_csv(tmp_path / "c.csv", rows))
    assert problems(b) == []
    assert b.rows["result"].to_list() == [value]


@pytest.mark.parametrize(
    ("source", "header", "label", "column", "value"),
    [
        ("canteen_checks", "检查类型", "标准化", "kind", "standard"),
        ("canteen_checks", "检查类型", "日检查", "kind", "daily"),
        ("deliveries", "食材类别", "鸡蛋", "category", "egg"),
        ("deliveries", "食材类别", "学生奶", "category", "milk"),
        ("deliveries", "食材类别", "猪肉", "category", "meat"),
        ("training", "培训对象", "食堂从业人员", "audience", "staff"),
        ("meal_companions", "陪餐人员类别", "副校长", "role", "school_leader"),
        ("meal_companions", "陪餐人员类别", "人大代表", "role", "deputy"),
    ],
)
def test_labels_take_the_contracts_synonyms(tmp_path, source, header, label, column, value):
    b = read(write_csv(tmp_path / "f.csv", rows_of(source, 1, **{header: label})))
    assert problems(b) == []
    assert b.rows[column].to_list() == [value]


def test_a_price_cell_may_carry_its_unit(tmp_path):
    b = read(write_csv(tmp_path / "m.csv", rows_of("menus", 2, 餐费="6.5元/餐")))
    assert problems(b) == [] and b.rows["price"].to_list() == [6.5, 6.5]
    b = read(write_csv(tmp_path / "d.csv", rows_of("deliveries", 5, 金额="100元/吨")))
    assert problems(b) == [(6, "金额", "bad_number")]  # an amount is never per something


def test_a_score_may_have_decimals(tmp_path):
    b = read(write_csv(tmp_path / "c.csv", rows_of("canteen_checks", 2, 得分="92.5")))
    assert problems(b) == []
    assert b.rows.sort("check_id")["score"].to_list() == [96.0, 92.5]
    b = read(write_csv(tmp_path / "c2.csv", rows_of("canteen_checks", 5, 得分="九十")))
    assert problems(b) == [(6, "得分", "bad_number")]


def test_a_label_outside_the_list_is_unknown(tmp_path):
    b = read(write_csv(tmp_path / "c.csv", rows_of("canteen_checks", 5, 检查结果="基本合格")))
    assert problems(b) == [(6, "检查结果", "unknown_label")]
    b = read(write_csv(tmp_path / "m.csv", rows_of("meal_companions", 5, 陪餐人员类别="路人")))
    assert problems(b) == [(6, "陪餐人员类别", "unknown_label")]


def test_a_school_head_is_a_school_leader(tmp_path):
    b = read(write_csv(tmp_path / "m.csv", rows_of("meal_companions", 1, 陪餐人员类别="校长")))
    assert b.rows["role"].to_list() == ["school_leader"]


def test_people_empty_or_absent_means_one(tmp_path):
    b = read(write_csv(tmp_path / "m.csv", rows_of("meal_companions", 2, 陪餐人数="")))
    assert b.rows.sort("record_id")["people"].to_list() == [2, 1]
    rows = [[c for j, c in enumerate(r) if j != 4] for r in rows_of("meal_companions", 2)]
    assert "陪餐人数" not in rows[0]
    b = read(write_csv(tmp_path / "m2.csv", rows))
    assert b.rows["people"].to_list() == [1, 1]


def test_a_workbook_with_typed_cells_reads_the_same(tmp_path):
    rows = rows_of("deliveries", 2)
    rows[2][rows[0].index("金额")] = 1234.5
    rows[2][rows[0].index("配送日期")] = dt.datetime(2025, 9, 2)
    rows[2][rows[0].index("统一配送")] = "否"
    b = read(write_xlsx(tmp_path / "d.xlsx", {"配送台账": rows}))
    last = b.rows.filter(pl.col("delivery_id") == "D1").row(0, named=True)
    assert last["amount"] == 1234.5 and last["date"] == dt.date(2025, 9, 2)
    assert last["unified"] is False


# --- units -------------------------------------------------------------------------------


def test_an_amount_in_wan_yuan_is_stored_in_yuan(tmp_path):
    rows = rows_of("deliveries", 2)
    rows[0][rows[0].index("金额")] = "金额（万元）"
    b = read(write_csv(tmp_path / "d.csv", rows))
    assert b.rows["amount"].to_list() == [10_000_000.0, 10_000_000.0]


@pytest.mark.parametrize("header", ["餐费（元/餐）", "每餐价格（元/人·餐）", "价格（元/人/天）"])
def test_a_meal_price_may_be_per_meal(tmp_path, header):
    rows = rows_of("menus", 2)
    rows[0][rows[0].index("餐费")] = header
    b = read(write_csv(tmp_path / "m.csv", rows))
    assert b.outcome.status == "loaded"
    assert b.rows["price"].to_list() == [6.5, 6.5]


def test_an_amount_per_ton_is_no_amount(tmp_path):
    """Only a meal price may be per something: 金额（元/吨） is a unit price, not an amount."""
    rows = rows_of("deliveries", 2)
    rows[0][rows[0].index("金额")] = "金额（元/吨）"
    path = write_csv(tmp_path / "d.csv", rows)
    [outcome] = read_batches(path, path.read_bytes(), "h", None, TODAY)
    assert outcome.status == "rejected"
    assert "元/吨" in outcome.message and "金额" in outcome.message


def test_scales_take_no_unit_and_counts_take_theirs(tmp_path):
    rows = rows_of("canteen_checks", 2)
    rows[0][rows[0].index("得分")] = "得分（分）"
    b = read(write_csv(tmp_path / "c.csv", rows))
    assert b.rows["score"].to_list() == [96, 96]
    rows = rows_of("kitchen_cameras", 2)
    rows[0][rows[0].index("摄像头数")] = "接入路数（路）"
    b = read(write_csv(tmp_path / "k.csv", rows))
    assert b.rows["cameras"].to_list() == [4, 4]
    rows = rows_of("training", 1)
    rows[0][rows[0].index("培训人次")] = "培训人次（万人次）"
    rows[1][rows[0].index("培训人次（万人次）")] = "0.012"
    b = read(write_csv(tmp_path / "t.csv", rows))
    assert b.rows["person_times"].to_list() == [120]


# --- row rules ---------------------------------------------------------------------------

LATE = (TODAY + dt.timedelta(days=1)).isoformat()
# source, the change to the last of 5 rows (header → value), column, reason
CASES = {
    "menu_meat_dishes_above_dishes": ("menus", {"荤菜数": "4"}, "荤菜数", "parts_exceed_total"),
    "cameras_online_above_installed": (
        "kitchen_cameras",
        {"在线数": "5"},
        "在线数",
        "parts_exceed_total",
    ),
    "supplier_exited_before_admitted": (
        "suppliers",
        {"清退日期": "2024-02-01"},
        "清退日期",
        "exited_before_admitted",
    ),
    "delivery_amount_zero": ("deliveries", {"金额": "0"}, "金额", "not_positive"),
    "delivery_amount_negative": ("deliveries", {"金额": "-5"}, "金额", "not_positive"),
    "rating_above_five": ("meal_companions", {"评价": "6"}, "评价", "out_of_range"),
    "rating_zero": ("meal_companions", {"评价": "0"}, "评价", "out_of_range"),
    "people_zero": ("meal_companions", {"陪餐人数": "0"}, "陪餐人数", "out_of_range"),
    "score_above_hundred": ("canteen_checks", {"得分": "101"}, "得分", "out_of_range"),
    "score_negative": ("canteen_checks", {"得分": "-1"}, "得分", "out_of_range"),
    "person_times_zero": ("training", {"培训人次": "0"}, "培训人次", "out_of_range"),
    "dishes_negative": ("menus", {"菜品数": "-1"}, "菜品数", "out_of_range"),
    "price_negative": ("menus", {"餐费": "-2"}, "餐费", "out_of_range"),
    "cameras_negative": ("kitchen_cameras", {"摄像头数": "-1"}, "摄像头数", "out_of_range"),
    "fruit_not_yes_no": ("menus", {"水果": "香蕉"}, "水果", "bad_boolean"),
    "check_kind_unknown": ("canteen_checks", {"检查类型": "季检查"}, "检查类型", "unknown_label"),
    "category_unknown": ("deliveries", {"食材类别": "调料"}, "食材类别", "unknown_label"),
    "audience_unknown": ("training", {"培训对象": "学生"}, "培训对象", "unknown_label"),
    "supplier_certified_missing": ("suppliers", {"体系认证": ""}, "体系认证", "missing_value"),
    "supplier_id_not_a_code": (
        "deliveries",
        {"供应商编号": "某公司"},
        "供应商编号",
        "bad_code",
    ),
    "companion_date_in_future": (
        "meal_companions",
        {"陪餐日期": LATE},
        "陪餐日期",
        "date_in_future",
    ),
    "snapshot_in_future": (
        "kitchen_cameras",
        {"在线数": "4", "统计日期": LATE},
        "统计日期",
        "date_in_future",
    ),
    "check_in_future": ("canteen_checks", {"检查日期": LATE}, "检查日期", "date_in_future"),
    "delivery_in_future": ("deliveries", {"配送日期": LATE}, "配送日期", "date_in_future"),
    "training_in_future": ("training", {"培训日期": LATE}, "培训日期", "date_in_future"),
    "published_in_future": ("menus", {"公示日期": LATE}, "公示日期", "date_in_future"),
    "admitted_in_future": ("suppliers", {"准入日期": LATE}, "准入日期", "date_in_future"),
    "exited_in_future": ("suppliers", {"清退日期": LATE}, "清退日期", "date_in_future"),
    "menu_beyond_fourteen_days": (
        "menus",
        {"供餐日期": (TODAY + dt.timedelta(days=15)).isoformat()},
        "供餐日期",
        "date_in_future",
    ),
    "companion_before_floor": (
        "meal_companions",
        {"陪餐日期": "1925-09-01"},
        "陪餐日期",
        "date_before_floor",
    ),
    "menu_before_floor": ("menus", {"供餐日期": "1925-09-01"}, "供餐日期", "date_before_floor"),
    "admitted_before_floor": (
        "suppliers",
        {"准入日期": "1925-09-01"},
        "准入日期",
        "date_before_floor",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_row_rule_quarantines_the_row_with_its_reason(tmp_path, case):
    source, change, column, reason = CASES[case]
    b = read(write_csv(tmp_path / f"{case}.csv", rows_of(source, 5, **change)))
    assert b.outcome.status == "loaded"
    assert problems(b) == [(6, column, reason)]  # header row 1: the 5th data row is row 6
    assert b.rows.height == 4
    assert b.outcome.reasons[reason] == 1


def test_equal_parts_and_totals_are_fine(tmp_path):
    b = read(write_csv(tmp_path / "m.csv", rows_of("menus", 2, 荤菜数="3")))
    assert problems(b) == []
    b = read(write_csv(tmp_path / "s.csv", rows_of("suppliers", 2, 清退日期="2024-03-01")))
    assert problems(b) == []


def test_a_menu_may_be_published_up_to_fourteen_days_ahead(tmp_path):
    ahead = (TODAY + dt.timedelta(days=14)).isoformat()
    b = read(write_csv(tmp_path / "m.csv", rows_of("menus", 3, 供餐日期=ahead)))
    assert problems(b) == []
    assert b.rows["date"].max() == TODAY + dt.timedelta(days=14)


def test_which_dates_move_the_as_of_date():
    """Event dates do; menu dates (published ahead), publication dates and the registry's
    dates are only window-checked (docs/contract.md#row-rules)."""
    for source in (
        "meal_companions",
        "kitchen_cameras",
        "canteen_checks",
        "deliveries",
        "training",
    ):
        assert FACT_DATES[source] == ("date",)
    for source in ("menus", "suppliers"):
        assert source not in FACT_DATES
    assert WINDOW_DATES == {
        "menus": ("published_date",),
        "suppliers": ("admitted_date", "exited_date"),
    }
    assert AHEAD_DATES == {"menus": {"date": 14}}
    # every date column of a supervision source is window-checked
    for source in SUPERVISION:
        checked = {r.column for r in rules_for(source, TODAY) if r.reason == "date_before_floor"}
        dates = {c.name for c in SOURCES[source].columns if c.kind == "date"}
        assert checked == dates, source


def test_more_than_20_percent_failing_rejects_a_supervision_file(tmp_path):
    rows = rows_of("kitchen_cameras", 9)
    for r in rows[-2:]:
        r[rows[0].index("在线数")] = "9"  # 2 of 9 online above cameras: 22 %
    b = read(write_csv(tmp_path / "k.csv", rows))
    assert b.rejected and b.outcome.rows_landed == 0
    assert "2 / 9" in b.outcome.message


def test_duplicate_keys_later_row_wins(tmp_path):
    rows = rows_of("canteen_checks", 2)
    rows.append([*rows[1][:4], "不合格", "40", "王五"])  # C0 again
    b = read(write_csv(tmp_path / "c.csv", rows))
    assert problems(b) == [(2, "检查编号", "duplicate_key")]
    assert b.rows.sort("check_id")["result"].to_list() == ["fail", "pass"]


# --- scope -------------------------------------------------------------------------------

SCHOOLS = {S1: "410105", S2: "410102"}


def _scoped(tmp_path, source: str, rows) -> Batch:
    b = read(write_csv(tmp_path / f"{source}.csv", rows))
    scope_batch(b, ("410105",), dict(SCHOOLS))
    return b


def test_a_clerk_loads_facts_of_the_schools_of_the_district(tmp_path):
    for source in ("meal_companions", "menus", "kitchen_cameras", "canteen_checks", "deliveries"):
        b = _scoped(tmp_path, source, rows_of(source, 3, 学校代码=S2))
        assert problems(b) == [(4, "学校代码", "out_of_scope")], source
        assert b.rows.height == 2


def test_training_counts_for_its_own_district(tmp_path):
    b = _scoped(tmp_path, "training", rows_of("training", 3, 区县代码="410102"))
    assert problems(b) == [(4, "区县代码", "out_of_scope")]


def test_a_jurisdiction_wide_supplier_is_not_a_district_clerks(tmp_path):
    rows = rows_of("suppliers", 3, 区县代码="")
    rows[2][rows[0].index("区县代码")] = "410102"
    b = _scoped(tmp_path, "suppliers", rows)
    assert problems(b) == [(3, "区县代码", "out_of_scope"), (4, "区县代码", "jurisdiction_wide")]
    assert b.rows["district_code"].to_list() == ["410105"]
    assert b.outcome.reasons["jurisdiction_wide"] == 1


def test_a_jurisdiction_account_loads_every_supplier(tmp_path):
    b = read(write_csv(tmp_path / "s.csv", rows_of("suppliers", 3, 区县代码="")))
    assert problems(b) == [] and b.rows["district_code"].null_count() == 1


# --- free text ---------------------------------------------------------------------------


def test_the_contract_says_which_free_text_stays_raw():
    assert raw_only_columns() == {
        ("raw", "survey"): ("comment",),
        ("raw", "meal_companions"): ("companion_name", "feedback"),
        ("raw", "canteen_checks"): ("inspector",),
        ("raw", "training"): ("topic",),
    }
    # the dish names are free text that may be shown (the disclosure of menus)
    assert not SOURCES["menus"].column("menu_text").stays_raw
    assert SOURCES["meal_companions"].column("companion_name").personal
    assert SOURCES["canteen_checks"].column("inspector").personal


# --- the dry run ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", SUPERVISION)
def test_schoolwh_check_reads_each_source(tmp_path, source):
    from typer.testing import CliRunner

    from schoolwh.cli import app

    path = write_csv(tmp_path / f"{SOURCES[source].title_zh}.csv", rows_of(source, 3))
    r = CliRunner().invoke(app, ["check", str(path), "-w", str(tmp_path / "none.duckdb")])
    assert r.exit_code == 0, r.output
    assert f"{SOURCES[source].zh} ({source})" in r.output
    assert "检查通过" in r.output


def test_schoolwh_check_says_why_a_clerk_cannot_load_a_city_supplier(tmp_path):
    from typer.testing import CliRunner

    from schoolwh.cli import app

    path = write_csv(tmp_path / "供应商.csv", rows_of("suppliers", 2, 区县代码=""))
    r = CliRunner().invoke(
        app, ["check", str(path), "--district", "410105", "-w", str(tmp_path / "none.duckdb")]
    )
    assert r.exit_code == 0, r.output
    assert "第3行「区县代码」：区县代码为空表示服务全辖区" in r.output


def test_the_command_line_lists_every_source():
    from typer.testing import CliRunner

    from schoolwh.cli import app

    out = CliRunner().invoke(app, ["load", "--help"], terminal_width=400).output
    assert all(name in " ".join(out.split()) for name in SOURCES)


# --- a bureau's own shape: mappings, correction sheets, a clerk's load -------------------------


def test_a_platform_export_with_a_sheet_per_check_kind_loads_through_a_mapping(tmp_path):
    """日管控 / 周排查 / 月调度 kept on sheets of their own, the platform's own headers."""
    from ingest.mappings import parse_mapping

    mapping = parse_mapping(
        {
            "source": "canteen_checks",
            "columns": {"记录号": "check_id", "学校标识码": "school_code", "检查时间": "date"},
            "values": {"result": {"√": "pass", "×": "fail"}},
            "constants": {
                "kind": {"from": "sheet", "map": {"日管控": "daily", "周排查": "weekly"}}
            },
        },
        "platform.toml",
    )
    header = ["记录号", "学校标识码", "检查时间", "检查结果"]
    daily = [header, *[[f"D{i}", S1, f"2025-09-0{i}", "√"] for i in range(1, 4)]]
    weekly = [header, ["W1", S1, "2025-09-05", "×"]]
    path = write_xlsx(tmp_path / "检查台账.xlsx", {"日管控": daily, "周排查": weekly})
    batches = read_batches(path, path.read_bytes(), "h", None, TODAY, mapping)
    assert [b.outcome.status for b in batches] == ["loaded", "loaded"]
    rows = pl.concat([b.rows for b in batches]).sort("check_id")
    assert rows["kind"].to_list() == ["daily", "daily", "daily", "weekly"]
    assert rows["result"].to_list() == ["pass", "pass", "pass", "fail"]


def test_a_correction_sheet_of_a_supervision_file_loads_back(tmp_path):
    from schoolwh.pipeline.check import check_file, correction_sheet

    rows = rows_of("kitchen_cameras", 6, 在线数="7")
    result = check_file(write_xlsx(tmp_path / "明厨亮灶.xlsx", {"Sheet1": rows}))
    assert result.problem_count == 1
    fixed = tmp_path / "问题行.xlsx"
    fixed.write_bytes(correction_sheet(result))
    import openpyxl

    book = openpyxl.load_workbook(fixed)
    sheet = book.active
    assert "部分数大于总数" in sheet.cell(2, len(rows[0]) + 1).value
    sheet.cell(2, rows[0].index("在线数") + 1).value = 3
    book.save(fixed)
    again = check_file(fixed)
    assert again.problem_count == 0 and again.outcomes[0].source == "kitchen_cameras"


def test_a_clerks_load_keeps_the_city_suppliers_out(tmp_path):
    import duckdb

    from schoolwh.pipeline.load import load
    from tests.test_templates import registry

    wh = registry(tmp_path / "warehouse.duckdb")
    rows = rows_of("suppliers", 3, 区县代码="")
    path = write_csv(tmp_path / "供应商.csv", rows)
    result = load([path], wh, build=False, submitted_by="clerk_a", scope=("410105",))
    assert result.published
    con = duckdb.connect(str(wh), read_only=True)
    try:
        landed = con.execute("select supplier_id, district_code from raw.suppliers").fetchall()
        why = con.execute("select row_number, reason from audit.quarantine").fetchall()
    finally:
        con.close()
    assert sorted(landed) == [("91410100MA0000", "410105"), ("91410100MA0001", "410105")]
    assert why == [(4, "jurisdiction_wide")]
