"""Bounded reading (issue 14): files beyond a cap are refused in seconds, naming the file,
sheet and cap, in bounded memory; rows are whole; an overlong cell fails its row; links
do not lead out of the folder; names reach the terminal as text."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import duckdb

from ingest import readers
from ingest.batches import Batch, read_batches
from ingest.outcome import FileOutcome
from schoolwh.pipeline.load import EXIT_OK, load
from schoolwh.pipeline.report import file_line, print_report
from schoolwh.pipeline.result import LoadResult
from tests.filemaker import write_csv, write_xlsx

TODAY = dt.date(2026, 1, 15)
ROOT = Path(__file__).resolve().parents[1]
ENROL = ["学校代码", "学期", "在校生数", "有就餐需求学生数"]


def items(path: Path) -> list[Batch | FileOutcome]:
    return read_batches(path, path.read_bytes(), "h", None, TODAY)


def outcome(path: Path) -> FileOutcome:
    [o] = items(path)
    return o.outcome if isinstance(o, Batch) else o


def xlsx_with_sheet_xml(path: Path, sheet_xml: bytes | str) -> Path:
    """A minimal XLSX whose one sheet (名单) has the given XML."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main">'
)


def dimension_bomb(path: Path) -> Path:
    """33 KB: a sheet declaring A1:XFD1048576 with 200,000 one-cell rows."""
    rows = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 200_000
    xml = f'{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>'
    return xlsx_with_sheet_xml(path, xml)


PEAK_MARK = "peak-resident-kb="


def run_bounded(code: str, limit_gb: float = 2.0) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run `code` in a child process whose address space is capped; (result, seconds, peak
    resident bytes of the child)."""
    prelude = textwrap.dedent(
        f"""
        import atexit, resource, sys
        cap = int({limit_gb} * (1 << 30))
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        def _peak():  # VmHWM: this program's own peak (ru_maxrss keeps the forking parent's)
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    print("{PEAK_MARK}" + line.split()[1], file=sys.stderr)
        atexit.register(_peak)
        """
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    # the child's own peak, which it reports as it exits (RUSAGE_CHILDREN would be the
    # largest of every child this test process ever waited for: a dashboard, a load; and a
    # child's own ru_maxrss starts at the resident size of the process it was forked from)
    marks = [ln for ln in proc.stderr.splitlines() if ln.startswith(PEAK_MARK)]
    peak_kb = int(marks[-1][len(PEAK_MARK) :]) if marks else 0
    return proc, seconds, peak_kb * 1024


def test_a_dimension_bomb_is_refused_in_seconds_in_bounded_memory(tmp_path):
    bomb = dimension_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 60_000
    proc, seconds, peak = run_bounded(
        f"""
        import datetime as dt
        from pathlib import Path
        from ingest.batches import read_batches
        p = Path({str(bomb)!r})
        [o] = read_batches(p, p.read_bytes(), "h", None, dt.date(2026, 1, 15))
        print(o.status, o.message)
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rejected")
    assert "名单" in proc.stdout and "XFD1048576" not in proc.stdout
    assert "declared columns" in proc.stdout and "1,024" in proc.stdout
    assert seconds < 30 and 0 < peak < 2 * (1 << 30)


def test_an_actual_extent_beyond_the_cap_is_refused(tmp_path):
    # two cells, far apart: the extent, not the file, is what a reader would allocate
    xml = (
        f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="900000"><c r="AMJ900000"><v>1</v></c></row></sheetData></worksheet>'
    )
    o = outcome(xlsx_with_sheet_xml(tmp_path / "far.xlsx", xml))
    assert o.status == "rejected" and "extent" in o.message and "名单" in o.message


def test_uncompressed_size_is_checked_from_the_zip_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 1 << 20)
    xml = SHEET_HEAD + "<sheetData>" + " " * (3 << 20) + "</sheetData></worksheet>"
    bomb = xlsx_with_sheet_xml(tmp_path / "zip.xlsx", xml)
    assert bomb.stat().st_size < 50_000
    o = outcome(bomb)
    assert o.status == "rejected" and "uncompressed size" in o.message and "1,048,576" in o.message


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite the declared uncompressed size of `member` (local header and directory)."""
    import struct

    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while (at := data.find(name, at + 1)) > 0:
        if data[at - 30 : at - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, at - 30 + 22, size)
        elif data[at - 46 : at - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, at - 46 + 24, size)
    path.write_bytes(bytes(data))


def test_a_zip_lying_about_its_size_is_stopped_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 1 << 20)
    xml = SHEET_HEAD + "<sheetData>" + " " * (3 << 20) + "</sheetData></worksheet>"
    bomb = xlsx_with_sheet_xml(tmp_path / "lie.xlsx", xml)
    _lie_about_size(bomb, "xl/worksheets/sheet1.xml", 100)
    o = outcome(bomb)
    assert o.status == "rejected" and "damaged" in o.message


def test_any_member_lying_about_its_size_is_caught(tmp_path):
    # one 3 MB "cell" in the shared strings, declared as 100 bytes: never inflated
    import xlsxwriter

    bomb = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(bomb))  # strings go to xl/sharedStrings.xml
    ws = wb.add_worksheet("名单")
    ws.write(0, 0, "学校代码")
    ws.write(1, 0, "x" * 32_000)
    wb.close()
    data = bomb.read_bytes()
    with zipfile.ZipFile(bomb) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    members["xl/sharedStrings.xml"] = members["xl/sharedStrings.xml"].replace(
        b"x" * 32_000, b"x" * (3 << 20)
    )
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    assert bomb.read_bytes() != data
    _lie_about_size(bomb, "xl/sharedStrings.xml", 100)
    o = outcome(bomb)
    # refused by the bounds check, before any reader inflates it
    assert o.status == "rejected" and "cannot read the workbook" in o.message


def test_rows_per_file_are_capped_before_decoding(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS_PER_FILE", 100)
    rows = [ENROL] + [["4101050001", "2025-autumn", "1", "1"]] * 200
    o = outcome(write_csv(tmp_path / "many.csv", rows))
    assert o.status == "rejected" and "rows" in o.message and "100" in o.message


def test_a_rejected_file_keeps_a_bounded_sample_of_problem_rows(tmp_path):
    rows = [ENROL] + [[f"41010{i:05d}", "2025-autumn", "junk", ""] for i in range(3_000)]
    [b] = items(write_csv(tmp_path / "junk.csv", rows))
    assert isinstance(b, Batch) and b.rejected
    assert b.problems["_row_number"].n_unique() == 1_000
    assert b.outcome.reasons["bad_number"] == 3_000
    assert "1,000" in b.outcome.message


def test_a_csv_row_cut_short_is_quarantined(tmp_path):
    text = "\r\n".join(
        [
            ",".join(ENROL),
            "4101050001,2025-autumn,183,54",
            "4101050002,2025-autumn,183,50",
            "4101050003,2025-autumn,120,40",
            "4101050004,2025-autumn,90,30",
            "4101050005,2025-autumn,183",  # cut mid-row: lunch_need is unknown, not empty
        ]
    )
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8")
    [b] = items(path)
    assert b.rows["school_code"].to_list() == [f"410105000{i}" for i in range(1, 5)]
    assert b.problems["reason"].to_list() == ["short_row"]
    assert b.problems["_row_number"].to_list() == [6]


def test_a_short_row_among_quoted_multiline_cells_is_quarantined(tmp_path):
    rows = [ENROL, ["4101050001", "2025-autumn", "1", "1"], ["4101050002", "2025-autumn"]]
    text = '学校代码,学期,在校生数,有就餐需求学生数,"备注\n第二行"\r\n' + "\r\n".join(
        ",".join(r) for r in rows[1:]
    )
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    [b] = items(path)
    assert "short_row" in b.problems["reason"].to_list()


def test_duplicate_keys_across_sheets_follow_the_in_file_rule(tmp_path):
    sheet = lambda n: [ENROL, ["4101050001", "2025-autumn", n, "1"]]  # noqa: E731
    path = write_xlsx(tmp_path / "two.xlsx", {"一月": sheet("10"), "二月": sheet("20")})
    first, second = items(path)
    assert first.rows.height == 0 and first.problems["reason"].to_list() == ["duplicate_key"]
    assert second.rows["enrolled"].to_list() == [20]
    assert first.outcome.rows_quarantined == 1 and first.outcome.rows_landed == 0


def test_an_overlong_cell_fails_its_row_not_the_load(tmp_path):
    long = "长" * 131_073
    rows = [
        ["问题编号", "学校代码", "发现日期", "问题类别", "整改状态", "问题描述"],
        ["I1", "4101050001", "2025-09-08", "食品安全", "未整改", long],
    ] + [[f"I{i}", "4101050001", "2025-09-08", "食品安全", "未整改", "ok"] for i in range(2, 7)]
    path = write_csv(tmp_path / "in" / "长.csv", rows)
    wh = tmp_path / "wh.duckdb"
    res = load([path], wh, build=False)
    assert res.exit_code == EXIT_OK
    [o] = res.outcomes
    assert o.rows_landed == 5 and o.reasons == {"cell_too_long": 1}
    con = duckdb.connect(str(wh), read_only=True)
    try:
        [(raw_value, raw_row)] = con.execute(
            "select raw_value, raw_row from audit.quarantine"
        ).fetchall()
    finally:
        con.close()
    assert "131073" in raw_value and len(raw_row) < 1_000


def test_links_out_of_the_folder_are_reported_not_read(tmp_path):
    outside = write_csv(
        tmp_path / "secret" / "学校.csv", [["区县代码", "区县名称"], ["410105", "金水区"]]
    )
    d = tmp_path / "in"
    write_csv(d / "区县.csv", [["区县代码", "区县名称"], ["410102", "中原区"]])
    os.symlink(outside, d / "link.csv")
    os.symlink(outside.parent, d / "linked_dir")
    wh = tmp_path / "wh" / "warehouse.duckdb"
    res = load([d], wh, build=False)
    lines = [file_line(o) for o in res.outcomes]
    assert sum("link.csv" in line and "out of the folder" in line for line in lines) == 1
    assert any("linked_dir" in line for line in lines)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select district_code from raw.districts").fetchall() == [("410102",)]
    finally:
        con.close()
    archived = list((wh.parent / "archive").rglob("*.csv"))
    assert len(archived) == 1 and archived[0].read_bytes() != outside.read_bytes()


def test_names_and_cells_reach_the_terminal_as_text():
    fake = FileOutcome(
        "x.csv\n  ✓ 假.csv → 学校 (schools): 999 行导入 landed\x1b[2K",
        "h",
        status="rejected",
        message="bad \x1b]8;;http://x\x07link\x1b]8;;\x07 value\r",
    )
    out = io.StringIO()
    print_report(LoadResult(outcomes=[fake]), Path("wh.duckdb"), out)
    text = out.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert not any(line.startswith("  ✓ 假.csv") for line in text.splitlines())
    assert "x.csv\\x0a  ✓ 假.csv" in text


def test_progress_lines_show_file_names_as_text():
    from schoolwh.pipeline.report import Progress

    err = io.StringIO()
    Progress(1, stream=err).step("读取 reading a.csv\n[load] 已发布 fake\x1b[31m")
    assert err.getvalue().count("\n") == 1 and "\x1b" not in err.getvalue()
