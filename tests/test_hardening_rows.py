"""Issue 14, rows that are not what they seem: each probe fails its row (or its file) with a
reason naming file, sheet, row and column, and never lands a wrong value or stops the load.

Dates outside the plausible window, codes with invisible or lookalike characters, mixed
encodings, odd line endings and amounts DECIMAL(18,2) cannot hold.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from ingest.batches import Batch, read_batches
from ingest.encodings import DecodeError, decode_csv
from schoolwh.core.reasons import REASONS
from schoolwh.core.settings import ENV_DATE_FLOOR, SettingError, date_floor
from schoolwh.pipeline.load import load
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv, write_xlsx

LOAD_DATE = dt.date(2026, 1, 15)

ISSUE_HEADER = [
    "问题编号",
    "学校代码",
    "发现日期",
    "问题类别",
    "整改期限",
    "整改状态",
    "整改完成日期",
]
SURVEY_HEADER = ["问卷编号", "学校代码", "填写日期", "填写人身份", "总体满意度"]
SPENDING_HEADER = ["凭证号", "区县代码", "日期", "项目", "支出类别", "金额"]
PARTICIPATION_HEADER = ["学校代码", "日期", "就餐人数"]


def issue(i: int, found: str = "2025-09-08") -> list[str]:
    return [f"I{i}", "4101050001", found, "食品安全", "2025-10-15", "未整改", ""]


def survey(i: int, date: str = "2025-09-15") -> list[str]:
    return [f"R{i}", "4101050001", date, "家长", "4"]


def spending(i: int, date: str = "2025-09-15", amount: str = "1200.50") -> list[str]:
    return [f"V{i}", "410105", date, "午餐补助", "食材", amount]


def batches(path: Path, load_date: dt.date = LOAD_DATE) -> list:
    return read_batches(path, path.read_bytes(), "h", None, load_date)


def only_batch(path: Path, load_date: dt.date = LOAD_DATE) -> Batch:
    [b] = batches(path, load_date)
    assert isinstance(b, Batch), b
    return b


def problems(b: Batch) -> list[tuple]:
    return [
        (r["_row_number"], r["column_name"], r["raw_value"], r["reason"])
        for r in b.problems.iter_rows(named=True)
    ]


# --- dates inside a plausible window ---------------------------------------------------


@pytest.mark.parametrize(
    ("header", "good", "bad", "column", "value", "reason"),
    [
        (
            ISSUE_HEADER,
            issue,
            issue(99, "1925-03-01"),
            "发现日期",
            "1925-03-01",
            "date_before_floor",
        ),
        (
            SURVEY_HEADER,
            survey,
            survey(99, "2052-06-03"),
            "填写日期",
            "2052-06-03",
            "date_in_future",
        ),
        (
            SPENDING_HEADER,
            spending,
            spending(99, "9999-12-31"),
            "日期",
            "9999-12-31",
            "date_in_future",
        ),
        (
            PARTICIPATION_HEADER,
            lambda i: ["4101050001", f"2025-09-{i + 1:02d}", "10"],
            ["4101050001", "1999-12-31", "10"],
            "日期",
            "1999-12-31",
            "date_before_floor",
        ),
    ],
)
def test_a_date_outside_the_window_quarantines_its_row(
    tmp_path, header, good, bad, column, value, reason
):
    rows = [header, *(good(i) for i in range(9)), bad]
    b = only_batch(write_csv(tmp_path / "f.csv", rows))
    assert b.outcome.status == "loaded"
    assert problems(b) == [(11, column, value, reason)]  # header row 1: the bad row is 11th
    assert b.rows.height == 9
    assert reason in REASONS


def test_the_reasons_name_the_window():
    zh, en = REASONS["date_before_floor"]
    assert "2000-01-01" in zh and ENV_DATE_FLOOR in zh and "导入日期" in zh
    assert "2000-01-01" in en and "load date" in en
    assert "导入日期" in REASONS["date_in_future"][0]


def test_the_bureau_sets_the_floor(tmp_path, monkeypatch):
    rows = [ISSUE_HEADER, *(issue(i) for i in range(9)), issue(99, "2004-03-01")]
    path = write_csv(tmp_path / "f.csv", rows)
    assert [p[3] for p in problems(only_batch(path))] == []
    monkeypatch.setenv(ENV_DATE_FLOOR, "2010-09-01")
    assert date_floor() == dt.date(2010, 9, 1)
    assert [p[3] for p in problems(only_batch(path))] == ["date_before_floor"]
    monkeypatch.setenv(ENV_DATE_FLOOR, "last year")
    with pytest.raises(SettingError, match=ENV_DATE_FLOOR):
        date_floor()


def test_a_term_or_fiscal_year_far_ahead_is_quarantined(tmp_path):
    header = ["学校代码", "学期", "在校生数"]
    rows = [header, *([f"41010500{i:02d}", "2025秋", "100"] for i in range(9))]
    rows.append(["4101059999", "2052秋", "100"])
    b = only_batch(write_csv(tmp_path / "enrol.csv", rows))
    assert problems(b) == [(11, "学期", "2052秋", "year_outside_window")]
    # the term of the coming school year is accepted
    rows[-1] = ["4101059999", "2026秋", "100"]
    assert problems(only_batch(write_csv(tmp_path / "enrol2.csv", rows))) == []


def test_a_bad_date_in_a_workbook_names_its_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        {"九月": [ISSUE_HEADER, *(issue(i) for i in range(9)), issue(99, "1925-03-01")]},
    )
    b = only_batch(path)
    assert b.outcome.sheet == "九月"
    assert problems(b) == [(11, "发现日期", "1925-03-01", "date_before_floor")]


# --- codes and names --------------------------------------------------------------------


def test_a_zero_width_space_does_not_make_a_second_school(tmp_path):
    rows = [SCHOOLS_HEADER_ZH, *(school_row(f"41010500{i:02d}") for i in range(9))]
    twin = school_row("4101050003")
    twin[0] = "4101050003\u200b"
    twin[1] = "学校\u200b03\u2060"
    rows.append(twin)
    b = only_batch(write_csv(tmp_path / "schools.csv", rows))
    codes = b.rows["school_code"].to_list()
    assert len(codes) == len(set(codes)) == 9
    assert all(c.isascii() and c.isdigit() for c in codes)
    # the invisible twin is the same school: the later row wins, the earlier is a duplicate
    assert [(p[0], p[3]) for p in problems(b)] == [(5, "duplicate_key")]
    assert b.rows.filter(b.rows["school_code"] == "4101050003")["school_name"][0] == "学校03"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("41010500А1", "Cyrillic А"),
        ("4101O5OO99", "Latin O for zero is a letter: allowed"),
        ("4101 050099", "space inside"),
        ("41010\t50099", "tab inside"),
        ("4101-05-099", "a bureau's own hyphenated code: allowed"),
        ("4101_05.099", "underscore and dot between digits: allowed"),
        ("-410105099", "a sign in front"),
        ("4101050099，", "a full-width comma after"),
    ],
)
def test_lookalike_letters_and_signs_in_a_code_are_a_row_problem(tmp_path, code, why):
    rows = [SCHOOLS_HEADER_ZH, *(school_row(f"41010500{i:02d}") for i in range(9))]
    bad = school_row("4101050099")
    bad[0] = code
    rows.append(bad)
    b = only_batch(write_csv(tmp_path / "schools.csv", rows))
    found = problems(b)
    if why.endswith("allowed"):
        assert found == []
        return
    assert found == [(11, "学校代码", code, "bad_code")], why
    assert code not in b.rows["school_code"].to_list()


def test_full_width_digits_in_a_code_are_read_as_digits(tmp_path):
    rows = [SCHOOLS_HEADER_ZH, *(school_row(f"41010500{i:02d}") for i in range(9))]
    wide = school_row("4101050099")
    wide[0] = "４１０１０５００９９"
    rows.append(wide)
    b = only_batch(write_csv(tmp_path / "schools.csv", rows))
    assert problems(b) == []
    assert "4101050099" in b.rows["school_code"].to_list()


def test_control_characters_leave_names_and_numbers(tmp_path):
    rows = [PARTICIPATION_HEADER, *(["4101050001", f"2025-09-{i + 1:02d}", "10"] for i in range(9))]
    rows.append(["4101050001", "2025-09-20", "1\u200b2"])
    b = only_batch(write_csv(tmp_path / "p.csv", rows))
    assert problems(b) == []
    assert b.rows["lunch_students"].to_list()[-1] == 12
    names = [SCHOOLS_HEADER_ZH, school_row("4101050001")]
    names[1][0] = "\x1b[31m4101050001\x1b[0m"
    names[1][1] = "\x1b]8;;http://x\x07第一\u202e中学\t"
    s = only_batch(write_csv(tmp_path / "s.csv", names))
    assert (s.rows["school_code"][0], s.rows["school_name"][0]) == ("4101050001", "第一中学")


# --- encodings and line endings ---------------------------------------------------------


def _gbk_file_with_utf8_row(tmp_path: Path) -> Path:
    gbk = "\r\n".join(",".join(r) for r in [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    utf8 = ",".join(school_row("4101050002"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(gbk.encode("gbk") + b"\r\n" + utf8.encode("utf-8") + b"\r\n")
    return path


def test_a_gbk_file_with_one_utf8_row_is_rejected_naming_the_line(tmp_path):
    path = _gbk_file_with_utf8_row(tmp_path)
    [outcome] = batches(path)
    assert outcome.status == "rejected"
    assert "第 3 行是 UTF-8" in outcome.message and "line 3 is UTF-8" in outcome.message
    with pytest.raises(DecodeError):
        decode_csv(path.read_bytes())


def test_a_utf8_file_with_one_gbk_row_is_rejected(tmp_path):
    utf8 = "\r\n".join(",".join(r) for r in [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    path = tmp_path / "mixed.csv"
    path.write_bytes(utf8.encode() + b"\r\n" + ",".join(school_row("4101050002")).encode("gbk"))
    [outcome] = batches(path)
    assert outcome.status == "rejected"
    assert "第 3 行是 GBK" in outcome.message


def test_a_plain_gbk_file_still_loads(tmp_path):
    rows = [SCHOOLS_HEADER_ZH, school_row("4101050001"), school_row("4101050002")]
    b = only_batch(write_csv(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert b.outcome.encoding == "gb18030"
    assert b.rows["school_name"].to_list() == ["学校01", "学校02"]


def test_cr_only_line_endings_are_read_as_rows(tmp_path):
    lines = [
        PARTICIPATION_HEADER,
        *(["4101050001", f"2025-09-{i + 1:02d}", "10"] for i in range(5)),
    ]
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join(",".join(r) for r in lines).encode("utf-8") + b"\r")
    b = only_batch(path)
    assert b.rows.height == 5
    assert problems(b) == []
    assert b.rows["_row_number"].to_list() == [2, 3, 4, 5, 6]


def test_a_stray_carriage_return_in_a_cell_is_a_row_problem_not_a_crash(tmp_path):
    lines = [",".join(PARTICIPATION_HEADER)]
    lines += [f"4101050001,2025-09-{i + 1:02d},10" for i in range(9)]
    lines.insert(5, "41010\r50001,2025-09-20,10")  # a lone CR inside an unquoted cell
    path = tmp_path / "stray.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    b = only_batch(path)
    assert problems(b) == [(6, "学校代码", "41010 50001", "bad_code")]
    assert b.rows.height == 9
    assert b.rows["_row_number"].to_list()[-1] == 11  # later rows keep their numbers


# --- amounts DECIMAL(18,2) cannot hold ----------------------------------------------------


def test_an_amount_of_1e16_yuan_fails_its_row_and_the_rest_lands(tmp_path):
    rows = [SPENDING_HEADER, *(spending(i) for i in range(9))]
    rows.append(spending(99, amount="10000000000000000"))
    folder = tmp_path / "in"
    write_csv(folder / "支出.csv", rows)
    write_csv(folder / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    wh = tmp_path / "wh" / "warehouse.duckdb"
    result = load([folder], wh, build=False)
    assert result.published, result.failure
    spent = next(o for o in result.outcomes if o.source == "expenditure")
    assert (spent.rows_landed, spent.rows_quarantined) == (9, 1)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        [row] = con.execute(
            "select file_name, sheet, row_number, column_name, raw_value, reason, raw_row "
            "from audit.quarantine"
        ).fetchall()
        assert con.execute("select count(*) from raw.expenditure").fetchone() == (9,)
    finally:
        con.close()
    assert row[0].endswith("支出.csv") and row[1] is None
    assert row[2:6] == (11, "金额", "10000000000000000", "amount_too_large")
    assert json.loads(row[6])["凭证号"] == "V99"
