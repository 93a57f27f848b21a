"""One hand-made file per quirk of docs/contract.md#files-a-bureau-may-send, read and
normalised without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.batches import Batch, read_batches
from ingest.outcome import FileOutcome
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv, write_xlsx

TODAY = dt.date(2026, 1, 15)


def batches(path: Path, forced: str | None = None) -> list[Batch | FileOutcome]:
    return read_batches(path, path.read_bytes(), "hash", forced, TODAY)


def only_batch(path: Path) -> Batch:
    found = [b for b in batches(path) if isinstance(b, Batch)]
    assert len(found) == 1, batches(path)
    return found[0]


def participation_rows(dates: list) -> list[list]:
    return [["学校代码", "日期", "就餐人数", "课后服务人数"]] + [
        ["4101050001", d, 100 + i, 50] for i, d in enumerate(dates)
    ]


def test_gbk_csv_with_chinese_headers(tmp_path):
    rows = [SCHOOLS_HEADER_ZH, school_row("4101050001"), school_row("4101050002", mode="企业配餐")]
    b = only_batch(write_csv(tmp_path / "学校.csv", rows, encoding="gbk"))
    assert b.source.name == "schools"
    assert b.outcome.encoding == "gb18030"
    assert b.rows["lunch_mode"].to_list() == ["self_run", "catering"]
    assert b.rows["stage"].to_list() == ["primary", "primary"]
    assert b.rows["has_after_school"].to_list() == [True, True]
    assert b.rows["school_name"].to_list()[0] == "学校01"


def test_utf8_bom_csv(tmp_path):
    rows = [["district_code", "district_name", "district_kind"], ["410105", "金水区", "市辖区"]]
    b = only_batch(write_csv(tmp_path / "d.csv", rows, bom=True))
    assert b.outcome.encoding == "utf-8-sig"
    assert b.rows.row(0, named=True)["district_code"] == "410105"
    assert b.rows["district_kind"].to_list() == ["district"]


def test_title_rows_above_header_are_skipped_and_reported(tmp_path):
    rows = [
        ["郑州市2025年秋季学期午餐供餐情况统计表"],
        ["单位：人"],
        [],
        *participation_rows(["2025-09-01"]),
    ]
    b = only_batch(write_csv(tmp_path / "p.csv", rows))
    assert b.outcome.header_row == 4
    assert "skipped 3 rows above" in b.outcome.message
    # The data row is the 5th row a person sees in Excel.
    assert b.rows["_row_number"].to_list() == [5]


def test_summary_and_footer_rows_are_dropped_and_counted(tmp_path):
    rows = [
        *participation_rows(["2025-09-01", "2025-09-02"]),
        ["合计", "", "201", "100"],
        ["小 计", "", "1", "1"],
        ["Total", "", "1", "1"],
        ["填表人：张三", "", "", ""],
        ["审核人：李四"],
        ["联系电话：0371-12345678"],
        ["注：本表由学校填报"],
        [],
    ]
    b = only_batch(write_csv(tmp_path / "p.csv", rows, encoding="gbk"))
    assert b.rows.height == 2
    assert b.outcome.summary_rows == 3
    assert b.outcome.note_rows == 4
    assert b.outcome.rows_quarantined == 0


def test_amounts_in_wan_yuan_are_stored_in_yuan(tmp_path):
    rows = [
        ["指标文号", "年度", "区县代码", "项目", "金额（万元）"],
        ["互财教〔2025〕12号-1", "2025", "410105", "营养改善计划", "100"],
        ["互财教〔2025〕12号-2", "2025", "410105", "课后服务", "20.5"],
        ["互财教〔2025〕12号-3", "2025", "410105", "课后服务", "1,234.5678"],
    ]
    b = only_batch(write_csv(tmp_path / "b.csv", rows, encoding="gbk"))
    assert b.rows["amount"].to_list() == [1_000_000.0, 205_000.0, 12_345_678.0]
    assert b.rows["program"].to_list() == ["nutrition_plan", "after_school", "after_school"]


def test_amounts_in_yuan_with_half_width_bracket_unit(tmp_path):
    rows = [
        ["凭证号", "日期", "区县代码", "项目", "金额(元)"],
        ["V1", "2025-03-15", "410105", "nutrition_plan", "300,000"],
        ["V2", "2025-09-28", "410105", "nutrition_plan", "-10000"],
    ]
    b = only_batch(write_csv(tmp_path / "e.csv", rows))
    assert b.source.name == "expenditure"
    assert b.rows["amount"].to_list() == [300_000.0, -10_000.0]


@pytest.mark.parametrize(
    "text",
    ["2025-09-01", "2025/9/1", "2025.9.1", "2025年9月1日", "45901", "2025-9-1"],
)
def test_every_date_form_in_csv(tmp_path, text):
    b = only_batch(write_csv(tmp_path / "p.csv", participation_rows([text])))
    assert b.rows["date"].to_list() == [dt.date(2025, 9, 1)]


def test_real_excel_dates_serials_and_number_codes(tmp_path):
    rows = participation_rows([dt.datetime(2025, 9, 1), 45902, "2025年9月3日"])
    rows[1][0] = 4101050001  # Excel stored the code as a number
    rows[2][0] = 4101050001.0
    b = only_batch(write_xlsx(tmp_path / "p.xlsx", {"9月": rows}))
    assert b.rows["date"].to_list() == [dt.date(2025, 9, d) for d in (1, 2, 3)]
    assert set(b.rows["school_code"].to_list()) == {"4101050001"}
    assert b.outcome.sheet == "9月"


def test_leading_zeros_in_codes_are_kept(tmp_path):
    rows = [["district_code", "district_name"], ["001", "一学区"], ["002", "二学区"]]
    b = only_batch(write_csv(tmp_path / "d.csv", rows))
    assert b.rows["district_code"].to_list() == ["001", "002"]


def test_full_width_digits_and_spaces_in_numbers(tmp_path):
    rows = participation_rows(["2025-09-01"])
    rows[1][2] = " １，２３４ "
    b = only_batch(write_csv(tmp_path / "p.csv", rows))
    assert b.rows["lunch_students"].to_list() == [1234]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("2025-autumn", "2025-autumn"),
        ("2025年秋季学期", "2025-autumn"),
        ("2025秋", "2025-autumn"),
        ("2026年春季学期", "2026-spring"),
        ("2026春", "2026-spring"),
        ("2025-2026学年第一学期", "2025-autumn"),
        ("2025-2026学年第二学期", "2026-spring"),
    ],
)
def test_term_forms(tmp_path, text, term):
    rows = [["学校代码", "学期", "在校生数"], ["4101050001", text, "1000"]]
    b = only_batch(write_csv(tmp_path / "e.csv", rows, encoding="gbk"))
    assert b.rows["term"].to_list() == [term]


def test_chinese_enumeration_labels_and_booleans(tmp_path):
    rows = [
        [
            "问题编号",
            "学校代码",
            "发现日期",
            "问题来源",
            "问题类别",
            "严重程度",
            "整改状态",
            "整改完成日期",
            "整改期限",
        ],
        [
            "I1",
            "4101050001",
            "2025-09-08",
            "四不两直",
            "餐具洗消",
            "较重",
            "已整改",
            "2025-09-12",
            "2025-09-15",
        ],
        ["I2", "4101050001", "2025-09-09", "陪餐", "食品安全", "严重", "整改中", "", "2025-09-16"],
    ]
    b = only_batch(write_csv(tmp_path / "i.csv", rows, encoding="gbk"))
    assert b.rows["source"].to_list() == ["unannounced", "accompanied_meal"]
    assert b.rows["category"].to_list() == ["tableware", "food_safety"]
    assert b.rows["severity"].to_list() == ["medium", "high"]
    assert b.rows["status"].to_list() == ["closed", "in_progress"]


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("Y", True),
        ("n", False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
    ],
)
def test_boolean_words(tmp_path, word, value):
    row = school_row("4101050001")
    row[-1] = word
    b = only_batch(write_csv(tmp_path / "s.csv", [SCHOOLS_HEADER_ZH, row]))
    assert b.rows["has_after_school"].to_list() == [value]


def test_headers_match_whole_names_ignoring_case_width_and_units(tmp_path):
    rows = [
        [" School_Code ", "ＤＡＴＥ", "就餐人数（人）", "课后服务人数(人)", "就餐人数备注"],
        ["4101050001", "2025-09-01", "10", "5", "x"],
    ]
    b = only_batch(write_csv(tmp_path / "p.csv", rows))
    assert b.rows["lunch_students"].to_list() == [10]
    assert b.rows["after_school_students"].to_list() == [5]
    assert "就餐人数备注" in b.outcome.message  # not matched as a substring, reported unused


def test_source_is_recognised_by_header_not_file_name(tmp_path):
    rows = [SCHOOLS_HEADER_ZH, school_row("4101050001")]
    b = only_batch(write_csv(tmp_path / "2025年9月营养餐统计(修改版)最终.csv", rows))
    assert b.source.name == "schools"


def test_unknown_file_is_rejected_naming_the_closest_source(tmp_path):
    rows = [["学校代码", "日期", "人数"], ["4101050001", "2025-09-01", "10"]]
    [o] = batches(write_csv(tmp_path / "x.csv", rows))
    assert isinstance(o, FileOutcome) and o.status == "rejected"
    assert "participation" in o.message and "lunch_students" in o.message
    assert "就餐人数" in o.message


def test_xlsx_other_sheets_are_ignored_and_reported(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "说明": [["本表说明：请按学校填写"]],
            "学校": [SCHOOLS_HEADER_ZH, school_row("4101050001")],
            "空表": [],
        },
    )
    found = batches(path)
    statuses = {(o.outcome if isinstance(o, Batch) else o).sheet: o for o in found}
    assert isinstance(statuses["学校"], Batch)
    assert statuses["说明"].status == "ignored"
    assert statuses["空表"].status == "ignored"


def test_forced_source(tmp_path):
    rows = [["district_code", "district_name"], ["410105", "金水区"]]
    [o] = batches(write_csv(tmp_path / "d.csv", rows), forced="schools")
    assert o.status == "rejected" and "schools" in o.message


def test_undecodable_bytes_are_rejected_with_a_message(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\x00garbage")
    [o] = batches(path)
    assert o.status == "rejected" and "UTF-8" in o.message


def test_damaged_xlsx_is_rejected_with_a_message(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    [o] = batches(path)
    assert o.status == "rejected" and "XLSX" in o.message


def test_unknown_money_unit_rejects_the_sheet(tmp_path):
    rows = [
        ["指标文号", "年度", "区县代码", "项目", "金额（美元）"],
        ["B1", "2025", "410105", "其他", "1"],
    ]
    [o] = [
        x.outcome if isinstance(x, Batch) else x
        for x in batches(write_csv(tmp_path / "b.csv", rows))
    ]
    assert o.status == "rejected" and "美元" in o.message
    # the message names the column and the units understood
    assert "金额（美元）" in o.message and "万元" in o.message and "亿元" in o.message
