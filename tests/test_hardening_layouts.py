"""Issue 18, items 6 and 7: layouts that were read silently wrong. Hidden rows are skipped
and reported like hidden sheets; a header fitting two sources, or two columns for one
field, rejects the sheet naming both; a `;` or tab separated CSV is read as such; an
unlabelled row equal to the column totals above it is a summary row."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl

from ingest.batches import Batch, read_batches
from ingest.mappings import load_mapping
from ingest.outcome import FileOutcome
from schoolwh.pipeline.check import check_file
from schoolwh.pipeline.report import file_line
from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv, write_xlsx
from tests.workbook_files import ods_content, write_ods

ENROLL = ["学校代码", "学校名称", "学期", "在校生数", "有就餐需求学生数"]


def enrolment_rows(n: int = 6) -> list[list]:
    return [
        [f"41010500{i:02d}", f"第{i}小学", "2025-autumn", 100 * i, 10 * i] for i in range(1, n + 1)
    ]


def only(check) -> FileOutcome:
    [outcome] = check.outcomes
    return outcome


def landed_codes(check) -> set[str]:
    return {code for b in check.batches for code in b.rows["school_code"].to_list()}


# --- hidden rows ------------------------------------------------------------------------
def test_hidden_rows_of_an_xlsx_sheet_are_reported_and_skipped(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "在校生"
    for row in [ENROLL, *enrolment_rows()]:
        sheet.append(row)
    for hidden in (3, 5, 6):  # 4101050002, 4101050004 and 4101050005
        sheet.row_dimensions[hidden].hidden = True
    path = tmp_path / "在校生.xlsx"
    book.save(path)
    checked = check_file(path)
    outcome = only(checked)
    assert landed_codes(checked) == {"4101050001", "4101050003", "4101050006"}
    assert outcome.rows_landed == 3 and outcome.rows_read == 3
    assert outcome.structure == {"hidden": [3, 5, 6]}
    assert outcome.rows_dropped == 3
    line = file_line(outcome)
    assert "隐藏的行（未读取）" in line and "hidden rows (not read) 3（第 3、5、6 行 rows）" in line


def test_hidden_rows_of_an_ods_sheet_are_reported_and_skipped(tmp_path):
    content = ods_content({"在校生": [ENROLL, *enrolment_rows()]})
    rows = content.split("<table:table-row>")
    # rows[0] is what comes before the first row; rows[4] is the sheet's fourth row
    rows[4] = '<table:table-row table:visibility="collapse">' + rows[4]
    content = rows[0] + "".join(
        r if r.startswith("<table:table-row ") else "<table:table-row>" + r for r in rows[1:]
    )
    checked = check_file(write_ods(tmp_path / "在校生.ods", {}, content=content))
    assert only(checked).structure == {"hidden": [4]}
    assert "4101050003" not in landed_codes(checked)
    assert len(landed_codes(checked)) == 5


# --- headers ------------------------------------------------------------------------------
def test_a_header_fitting_two_sources_is_rejected_naming_both(tmp_path):
    header = ["学校代码", "日期", "就餐人数", "问卷编号", "身份", "总体满意度"]
    rows = [header, ["4101050001", "2025-09-01", 300, "Q1", "家长", 5]]
    path = write_csv(tmp_path / "混合.csv", rows)
    outcome = only(check_file(path))
    assert outcome.status == "rejected"
    assert "participation" in outcome.message and "survey" in outcome.message
    assert "每日就餐及课后服务" in outcome.message and "满意度调查" in outcome.message
    assert "--source" in outcome.message
    forced = check_file(path, source="survey")
    assert only(forced).status == "loaded" and only(forced).source == "survey"


def test_a_mapping_naming_the_source_resolves_a_header_fitting_two(tmp_path):
    header = ["学校代码", "日期", "就餐人数", "问卷编号", "身份", "总体满意度"]
    path = write_csv(
        tmp_path / "混合.csv", [header, ["4101050001", "2025-09-01", 300, "Q", "家长", 5]]
    )
    mapping = tmp_path / "问卷.toml"
    mapping.write_text('source = "survey"\n', encoding="utf-8")
    data = path.read_bytes()
    [batch] = read_batches(
        path, data, hashlib.sha256(data).hexdigest(), None, dt.date.today(), load_mapping(mapping)
    )
    assert isinstance(batch, Batch) and batch.source.name == "survey"
    assert batch.outcome.rows_landed == 1


def test_a_registry_naming_its_district_fits_one_source(tmp_path):
    header = [*SCHOOLS_HEADER_ZH, "区县名称"]
    path = write_csv(tmp_path / "学校.csv", [header, [*school_row("4101050001"), "金水区"]])
    outcome = only(check_file(path))
    assert (outcome.status, outcome.source) == ("loaded", "schools")


def test_two_columns_for_one_field_reject_the_sheet_naming_both(tmp_path):
    header = ["学校代码", "school_code", "学期", "在校生数"]
    rows = [header, ["4101050001", "4101050002", "2025-autumn", 300]]
    outcome = only(check_file(write_csv(tmp_path / "在校生.csv", rows)))
    assert outcome.status == "rejected"
    assert "「学校代码」、「school_code」" in outcome.message
    assert "'学校代码' and 'school_code' both name school_code" in outcome.message


# --- delimiters ---------------------------------------------------------------------------
def _separated(path: Path, rows: list[list], sep: str) -> Path:
    path.write_text("\r\n".join(sep.join(str(c) for c in r) for r in rows), encoding="utf-8")
    return path


def test_semicolon_and_tab_separated_files_are_read_as_such(tmp_path):
    rows = [ENROLL, *enrolment_rows(3)]
    rows[1][3] = "1,100"  # a comma inside a cell is no separator here
    for sep, word in ((";", "semicolons"), ("\t", "tabs")):
        checked = check_file(_separated(tmp_path / f"在校生{len(word)}.csv", rows, sep))
        outcome = only(checked)
        assert (outcome.status, outcome.rows_landed) == ("loaded", 3), outcome.message
        assert f"cells separated by {word}" in outcome.message
        enrolled = checked.batches[0].rows["enrolled"].to_list()
        assert enrolled == [1100, 200, 300]


def test_a_comma_file_with_semicolons_in_a_cell_stays_a_comma_file(tmp_path):
    header = ["问卷编号", "学校代码", "日期", "身份", "总体满意度", "意见建议"]
    rows = [header, ["Q1", "4101050001", "2025-09-01", "家长", 3, "偏咸;量少;凉了;贵;慢;吵;挤"]]
    rows.append(["Q2", "4101050001", "2025-09-02", "学生", 5, ""])
    checked = check_file(write_csv(tmp_path / "问卷.csv", rows))
    assert (only(checked).status, only(checked).rows_landed) == ("loaded", 2)
    assert "separated by" not in only(checked).message
    assert checked.batches[0].rows["comment"][0] == "偏咸;量少;凉了;贵;慢;吵;挤"


# --- unlabelled check sums ----------------------------------------------------------------
def test_an_unlabelled_row_of_column_totals_is_a_summary_row(tmp_path):
    rows = [ENROLL, *enrolment_rows(4), [None, None, None, 1000, 100]]  # 100+200+300+400
    checked = check_file(write_csv(tmp_path / "在校生.csv", rows))
    outcome = only(checked)
    assert outcome.rows_quarantined == 0 and outcome.rows_landed == 4
    assert outcome.structure == {"summary": [6]}


def test_an_unlabelled_row_that_is_not_the_totals_stays_a_problem(tmp_path):
    rows = [ENROLL, *enrolment_rows(4), [None, None, None, 999, 100]]
    rows += [[None, "某校", None, 1000, 100]]  # a name: a labelled row, never a check sum
    checked = check_file(write_csv(tmp_path / "在校生.csv", rows))
    outcome = only(checked)
    assert outcome.rows_quarantined == 2 and not outcome.structure
    assert set(checked.problems()["reason"]) == {"missing_value"}


def test_a_mapped_district_workbook_with_a_check_sum_row_quarantines_nothing(tmp_path):
    """Item 7: a district's own workbook read with a mapping (its own code column, the
    term a constant): the last row, no code and no name, holds the four column totals."""
    mapping = tmp_path / "区县.toml"
    mapping.write_text(
        'source = "enrollment"\n[columns]\n"机构代码" = "school_code"\n'
        '"学生总数" = "enrolled"\n[constants]\nterm = "2025-autumn"\n',
        encoding="utf-8",
    )
    header = ["机构代码", "机构名称", "学生总数", "就餐需求人数", "留守儿童数", "随迁子女数"]
    body = [[f"41010500{i:02d}", f"第{i}小学", 500 * i, 100 * i, 7 * i, 3 * i] for i in (1, 2, 3)]
    total = [None, None, 3000, 600, 42, 18]
    path = write_xlsx(tmp_path / "金水区.xlsx", {"2025秋": [header, *body, total]})
    data = path.read_bytes()
    items = read_batches(
        path,
        data,
        hashlib.sha256(data).hexdigest(),
        None,
        dt.date.today(),
        mapping=load_mapping(mapping),
    )
    [batch] = items
    assert isinstance(batch, Batch)
    assert batch.outcome.rows_quarantined == 0 and batch.outcome.rows_landed == 3
    assert batch.outcome.structure == {"summary": [5]}


def test_hidden_rows_of_an_xls_sheet_are_reported_and_skipped(tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("在校生")
    for r, row in enumerate([ENROLL, *enrolment_rows()]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.row(2).hidden = True  # the sheet's third row: 4101050002
    path = tmp_path / "在校生.xls"
    book.save(str(path))
    checked = check_file(path)
    assert only(checked).structure == {"hidden": [3]}
    assert "4101050002" not in landed_codes(checked) and len(landed_codes(checked)) == 5


def _compound_file(stream: bytes) -> bytes:
    """A compound file (version 3) holding `stream` as a `Workbook` in its mini stream, as
    Excel keeps a workbook smaller than 4,096 bytes."""
    import struct

    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    mini = stream + b"\0" * (-len(stream) % 64)
    container = mini + b"\0" * (-len(mini) % 512)
    n_container = len(container) // 512
    fat = [0xFFFFFFFD, end, end] + [4 + i for i in range(n_container - 1)] + [end]
    fat += [free] * (128 - len(fat))
    n_mini = len(mini) // 64
    minifat = [i + 1 for i in range(n_mini - 1)] + [end]
    minifat += [free] * (128 - len(minifat))

    def entry(name: str, kind: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, free, 1 if kind == 5 else free)
            + b"\0" * 36
            + struct.pack("<II4x", start, size)
        )

    directory = entry("Root Entry", 5, 3, len(mini)) + entry("Workbook", 2, 0, len(stream))
    directory += entry("", 0, 0, 0) * 2
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    sectors = [struct.pack("<128I", *fat), directory, struct.pack("<128I", *minifat)]
    return header + b"".join(sectors) + container


def test_hidden_rows_of_a_small_xls_kept_in_the_mini_stream_are_found():
    import struct

    from ingest.biff import hidden_rows

    def record(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    name = "在校生".encode("utf-16-le")
    bof = record(0x0809, b"\0" * 16)
    sheet_at = len(bof) + (4 + 8 + len(name)) + 4  # after the BOUNDSHEET and the EOF
    boundsheet = record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 3, 1) + name)
    globals_ = bof + boundsheet + record(0x000A, b"")
    rows = b"".join(
        record(0x0208, struct.pack("<HHHHHHHH", r, 0, 3, 300, 0, 0, 0x20 if r == 4 else 0, 0))
        for r in range(6)
    )
    stream = globals_ + bof + rows + record(0x000A, b"")
    assert len(stream) < 4096
    assert hidden_rows(_compound_file(stream)) == {"在校生": [5]}
    assert hidden_rows(_compound_file(stream)[:700]) == {}  # cut short: nothing known
