"""Each row rule quarantines the row with its reason, row number and column; good rows land."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ingest.batches import Batch, read_batches
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv

TODAY = dt.date(2026, 1, 15)


def read(path) -> Batch:
    [b] = read_batches(path, path.read_bytes(), "h", None, TODAY)
    assert isinstance(b, Batch)
    return b


def problems(b: Batch) -> list[tuple]:
    return [
        (r["_row_number"], r["column_name"], r["reason"]) for r in b.problems.iter_rows(named=True)
    ]


GOOD_ISSUE = ["I0", "4101050001", "2025-09-08", "食品安全", "2025-09-15", "已整改", "2025-09-10"]
ISSUE_HEADER = [
    "问题编号",
    "学校代码",
    "发现日期",
    "问题类别",
    "整改期限",
    "整改状态",
    "整改完成日期",
]

# (source header, good rows, bad row, expected column, expected reason)
CASES = {
    "missing_required": (
        SCHOOLS_HEADER_ZH,
        [school_row(f"41010500{i:02d}") for i in range(9)],
        ["4101059999", "", "410105", "小学", "公办", "城区", "无", "", "否"],
        "学校名称",
        "missing_value",
    ),
    "bad_number": (
        ["学校代码", "日期", "就餐人数"],
        [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 10)],
        ["4101050001", "2025-09-20", "十"],
        "就餐人数",
        "bad_number",
    ),
    "negative_count": (
        ["学校代码", "日期", "就餐人数"],
        [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 10)],
        ["4101050001", "2025-09-20", "-5"],
        "就餐人数",
        "out_of_range",
    ),
    "bad_date": (
        ["学校代码", "日期", "就餐人数"],
        [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 10)],
        ["4101050001", "2025-02-30", "5"],
        "日期",
        "bad_date",
    ),
    "date_in_future": (
        ["学校代码", "日期", "就餐人数"],
        [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 10)],
        ["4101050001", "2026-03-01", "5"],
        "日期",
        "date_in_future",
    ),
    "unknown_label": (
        SCHOOLS_HEADER_ZH,
        [school_row(f"41010500{i:02d}") for i in range(9)],
        ["4101059999", "某校", "410105", "大学", "公办", "城区", "无", "", "否"],
        "学段",
        "unknown_label",
    ),
    "bad_boolean": (
        SCHOOLS_HEADER_ZH,
        [school_row(f"41010500{i:02d}") for i in range(9)],
        ["4101059999", "某校", "410105", "小学", "公办", "城区", "无", "", "也许"],
        "课后服务",
        "bad_boolean",
    ),
    "lunch_start_missing": (
        SCHOOLS_HEADER_ZH,
        [school_row(f"41010500{i:02d}") for i in range(9)],
        ["4101059999", "某校", "410105", "小学", "公办", "城区", "自办食堂", "", "是"],
        "供餐开始日期",
        "lunch_start_missing",
    ),
    "need_exceeds_enrolled": (
        ["学校代码", "学期", "在校生数", "有就餐需求学生数"],
        [[f"41010500{i:02d}", "2025秋", "100", "90"] for i in range(9)],
        ["4101059999", "2025秋", "100", "120"],
        "有就餐需求学生数",
        "need_exceeds_enrolled",
    ),
    "bad_term": (
        ["学校代码", "学期", "在校生数"],
        [[f"41010500{i:02d}", "2025秋", "100"] for i in range(9)],
        ["4101059999", "2025冬", "100"],
        "学期",
        "bad_term",
    ),
    "budget_not_positive": (
        ["指标文号", "年度", "区县代码", "项目", "金额"],
        [[f"B{i}", "2025", "410105", "其他", "100"] for i in range(9)],
        ["B99", "2025", "410105", "其他", "0"],
        "金额",
        "not_positive",
    ),
    "spending_zero": (
        ["凭证号", "日期", "区县代码", "项目", "金额"],
        [[f"V{i}", "2025-03-01", "410105", "其他", "100"] for i in range(9)],
        ["V99", "2025-03-01", "410105", "其他", "0"],
        "金额",
        "zero_amount",
    ),
    "score_out_of_range": (
        ["问卷编号", "学校代码", "日期", "身份", "总体满意度"],
        [[f"R{i}", "4101050001", "2025-09-26", "家长", "5"] for i in range(9)],
        ["R99", "4101050001", "2025-09-26", "家长", "6"],
        "总体满意度",
        "out_of_range",
    ),
    "deadline_before_found": (
        ISSUE_HEADER,
        [[f"I{i}", *GOOD_ISSUE[1:]] for i in range(9)],
        ["I99", "4101050001", "2025-09-08", "食品安全", "2025-09-01", "未整改", ""],
        "整改期限",
        "deadline_before_found",
    ),
    "closed_before_found": (
        ISSUE_HEADER,
        [[f"I{i}", *GOOD_ISSUE[1:]] for i in range(9)],
        ["I99", "4101050001", "2025-09-08", "食品安全", "2025-09-15", "已整改", "2025-09-01"],
        "整改完成日期",
        "closed_before_found",
    ),
    "closed_date_missing": (
        ISSUE_HEADER,
        [[f"I{i}", *GOOD_ISSUE[1:]] for i in range(9)],
        ["I99", "4101050001", "2025-09-08", "食品安全", "2025-09-15", "已整改", ""],
        "整改完成日期",
        "closed_date_missing",
    ),
    "closed_date_unexpected": (
        ISSUE_HEADER,
        [[f"I{i}", *GOOD_ISSUE[1:]] for i in range(9)],
        ["I99", "4101050001", "2025-09-08", "食品安全", "2025-09-15", "整改中", "2025-09-10"],
        "整改完成日期",
        "closed_date_unexpected",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_row_rule_quarantines_the_row(tmp_path, case):
    header, good, bad, column, reason = CASES[case]
    rows = [header, *good[:4], bad, *good[4:]]
    b = read(write_csv(tmp_path / f"{case}.csv", rows, encoding="gbk"))
    assert b.outcome.status == "loaded"
    assert problems(b) == [(6, column, reason)]  # header row 1, bad row is the 6th
    assert b.rows.height == len(good)
    assert b.outcome.rows_quarantined == 1
    raw = json.loads(b.problems["raw_row"][0])
    assert list(raw.values())[: len(bad)] == [v if v != "" else None for v in bad]


def test_more_than_20_percent_failing_rejects_the_file(tmp_path):
    rows = [["学校代码", "日期", "就餐人数"]]
    rows += [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 8)]  # 7 good
    rows += [["4101050001", f"2025-10-{d:02d}", "-1"] for d in range(1, 3)]  # 2 bad: 22 %
    b = read(write_csv(tmp_path / "p.csv", rows))
    assert b.rejected and b.outcome.status == "rejected"
    assert b.outcome.rows_landed == 0
    assert "2 / 9" in b.outcome.message and "20 %" in b.outcome.message


def test_exactly_20_percent_failing_still_loads(tmp_path):
    rows = [["学校代码", "日期", "就餐人数"]]
    rows += [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 9)]  # 8 good
    rows += [["4101050001", f"2025-10-{d:02d}", "x"] for d in range(1, 3)]  # 2 bad: 20 %
    b = read(write_csv(tmp_path / "p.csv", rows))
    assert not b.rejected and b.outcome.rows_landed == 8


def test_duplicate_keys_later_row_wins(tmp_path):
    rows = [
        ["学校代码", "日期", "就餐人数"],
        ["4101050001", "2025-09-01", "10"],
        ["4101050001", "2025-09-02", "11"],
        ["4101050001", "2025/9/1", "12"],
    ]
    b = read(write_csv(tmp_path / "p.csv", rows))
    assert b.rows.sort("date")["lunch_students"].to_list() == [12, 11]
    assert problems(b) == [(2, "学校代码、日期", "duplicate_key")]


def test_a_failing_row_never_wins_over_a_valid_twin(tmp_path):
    rows = [
        ["学校代码", "日期", "就餐人数"],
        ["4101050001", "2025-09-01", "10"],
        ["4101050001", "2025-09-01", "-3"],
    ]
    b = read(write_csv(tmp_path / "p.csv", rows))
    assert b.rows["lunch_students"].to_list() == [10]
    assert problems(b) == [(3, "就餐人数", "out_of_range")]


def test_defaults_for_optional_booleans(tmp_path):
    b = read(write_csv(tmp_path / "s.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")]))
    row = b.rows.row(0, named=True)
    assert row["active"] is True and row["nutrition_plan"] is False


def test_row_wider_than_the_header_is_quarantined_not_guessed(tmp_path):
    rows = [["学校代码", "日期", "就餐人数"]]
    rows += [["4101050001", f"2025-09-{d:02d}", "10"] for d in range(1, 10)]
    path = write_csv(tmp_path / "p.csv", rows)
    # An unquoted thousands separator splits 1,234 into two cells.
    path.write_bytes(path.read_bytes() + b"4101050001,2025-09-20,1,234\r\n")
    b = read(path)
    assert b.outcome.status == "loaded"
    assert b.rows.height == 9
    assert problems(b) == [(11, "（表头右侧）beyond the header", "extra_cells")]
    assert b.problems["raw_value"].to_list() == ["234"]
