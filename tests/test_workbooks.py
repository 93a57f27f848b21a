"""Workbooks as bureaus really send them: many sheets, hidden sheets, multi-row headers
with merged cells, 合计 and group rows, units in headers and titles, footers, mappings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from ingest.batches import Batch, read_batches
from ingest.mappings import load_mapping
from ingest.outcome import FileOutcome
from schoolwh.pipeline.load import EXIT_OK, load

TODAY = dt.date(2026, 1, 15)

MAPPING = """
source = "enrollment"
sheets = ["小学", "初级中学"]
[columns]
"机构代码" = "school_code"
"在校生数（个）/合计" = "enrolled"
[values.ownership]
"831县级教育部门" = "public"
"999民办" = "private"
[constants]
term = "2023-autumn"
stage = { from = "sheet", map = { "小学" = "primary", "初级中学" = "junior" } }
"""

# (code, name, 性质, 合计, 其中：女, 一年级) per sheet; group labels between schools
PRIMARY = [
    ("城东街道", None),
    (("4101050001", "金水区第一小学", "831县级教育部门", 1200, 590, 210), None),
    (("4101050002", "金水区第二小学", "999民办", 800, 402, 130), None),
    ("城西镇（2所）", None),
    (("4101050003", "城西镇中心小学", "831县级教育部门", 450, 220, 75), None),
    (("4101050004", "城西镇第二小学", "831县级教育部门", 300, 149, 52), None),
]
JUNIOR = [
    ("城东街道", None),
    (("4101050101", "金水区第一初级中学", "831县级教育部门", 1500, 730, 500), None),
    (("4101050102", "金水区外国语初级中学", "999民办", 900, 450, 300), None),
]


def _stats_sheet(wb, name: str, rows: list, level: str):
    ws = wb.add_worksheet(name)
    ws.write(0, 0, f"金水区2023年教育事业统计（{level}）")
    ws.write(1, 0, "单位：人")
    # a three-row header: 机构代码 merged down, 在校生数 merged over its sub-columns
    ws.merge_range(2, 0, 4, 0, "机构代码")
    ws.merge_range(2, 1, 4, 1, "单位名称")
    ws.merge_range(2, 2, 4, 2, "性质")
    ws.merge_range(2, 3, 2, 5, "在校生数（个）")
    ws.merge_range(3, 3, 4, 3, "合计")
    ws.merge_range(3, 4, 4, 4, "其中：女")
    ws.merge_range(3, 5, 4, 5, "一年级")
    schools = [r for r, _ in rows if isinstance(r, tuple)]
    r = 5
    # the 合计 row above the data
    ws.write(r, 1, "合计")
    for j in range(3):
        ws.write_number(r, 3 + j, sum(s[3 + j] for s in schools))
    r += 1
    for row, _ in rows:
        if isinstance(row, str):
            ws.write(r, 1, row)  # a group row: a label alone in the name column
        else:
            ws.write_string(r, 0, row[0])
            ws.write(r, 1, row[1])
            ws.write(r, 2, row[2])
            for j in range(3):
                ws.write_number(r, 3 + j, row[3 + j])
        r += 1
    ws.write(r, 0, "单位负责人：张三    统计负责人：李四    制表人：王五")
    ws.write(r + 1, 0, "报出日期：2023年10月15日")
    return ws


def district_workbook(path: Path) -> Path:
    """A district's 13-sheet 教育事业统计 workbook (items 2–4 of the layout)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    kg = wb.add_worksheet("幼儿园")
    kg.write(0, 0, "金水区2023年教育事业统计（幼儿园）")
    kg.write_row(2, 0, ["机构代码", "单位名称", "在园幼儿数（人）"])
    kg.write_row(3, 0, ["4101059001", "金水区实验幼儿园", 300])
    _stats_sheet(wb, "小学", PRIMARY, "小学")
    _stats_sheet(wb, "初级中学", JUNIOR, "初级中学")
    for name in ("高级中学", "完全中学", "九年一贯制", "特殊教育", "工读学校", "成人教育"):
        ws = wb.add_worksheet(name)
        ws.write(0, 0, f"金水区2023年教育事业统计（{name}）")
        ws.write_row(2, 0, ["序号", "单位", "备注"])
        ws.write_row(3, 0, [1, "（无）", "本区无此类学校"])
    cover = wb.add_worksheet("填报说明")
    cover.write(0, 0, "填报说明：本表由区教育局统计科填报。")
    wb.add_worksheet("空白页")
    hidden = wb.add_worksheet("核对用")
    hidden.write_row(0, 0, ["机构代码", "在校生数"])
    hidden.write_row(1, 0, ["4101050001", 1])
    hidden.hide()
    wb.add_worksheet("汇总").write(0, 0, "汇总表（由各分表自动计算）")
    wb.close()
    return path


def mapping_file(tmp_path: Path, text: str = MAPPING, name: str = "金水区统计.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def outcomes(items) -> dict[str | None, FileOutcome]:
    return {(i.outcome if isinstance(i, Batch) else i).sheet: i for i in items}


def test_district_workbook_loads_as_enrolment_with_a_mapping(tmp_path):
    path = district_workbook(tmp_path / "金水区2023年教育事业统计.xlsx")
    mapping = load_mapping(mapping_file(tmp_path))
    items = read_batches(path, path.read_bytes(), "h", None, TODAY, mapping)
    by_sheet = outcomes(items)
    assert len(by_sheet) == 13  # every sheet is reported
    for name in ("小学", "初级中学"):
        b = by_sheet[name]
        assert isinstance(b, Batch) and b.source.name == "enrollment", b
        o = b.outcome
        assert o.status == "loaded" and o.rows_quarantined == 0 and b.problems.height == 0
        assert o.mapping == mapping.name and o.header_row == 3
        assert o.structure["summary"] == [6]  # the 合计 row above the data
    primary = by_sheet["小学"]
    got = dict(zip(primary.rows["school_code"], primary.rows["enrolled"], strict=True))
    assert got == {"4101050001": 1200, "4101050002": 800, "4101050003": 450, "4101050004": 300}
    assert set(primary.rows["term"]) == {"2023-autumn"}
    assert primary.outcome.structure["group"] == [7, 10]
    assert primary.outcome.structure["note"] == [13, 14]
    junior = by_sheet["初级中学"]
    assert dict(zip(junior.rows["school_code"], junior.rows["enrolled"], strict=True)) == {
        "4101050101": 1500,
        "4101050102": 900,
    }
    assert by_sheet["核对用"].status == "hidden"
    assert by_sheet["幼儿园"].status == "ignored" and "mapping" in by_sheet["幼儿园"].message


def test_district_workbook_lands_one_audit_row_per_sheet(tmp_path):
    path = district_workbook(tmp_path / "in" / "金水区2023年教育事业统计.xlsx")
    wh = tmp_path / "wh" / "warehouse.duckdb"
    result = load([path], wh, build=False, mapping=load_mapping(mapping_file(tmp_path)))
    assert result.exit_code == EXIT_OK and result.published
    con = duckdb.connect(str(wh), read_only=True)
    try:
        files = con.execute(
            "select sheet, status, mapping, rows_landed, rows_quarantined, structure_rows "
            "from audit.load_files order by sheet"
        ).fetchall()
        enrolled = con.execute(
            "select school_code, enrolled from raw.enrollment order by 1"
        ).fetchall()
        quarantined = con.execute("select count(*) from audit.quarantine").fetchone()[0]
    finally:
        con.close()
    assert len(files) == 13
    loaded = {f[0]: f for f in files if f[1] == "loaded"}
    assert set(loaded) == {"小学", "初级中学"}
    assert loaded["小学"][2] == "金水区统计.toml" and loaded["小学"][3] == 4
    assert json.loads(loaded["小学"][5])["group"] == [7, 10]
    assert {f[0] for f in files if f[1] == "hidden"} == {"核对用"}
    assert quarantined == 0
    assert ("4101050101", 1500) in enrolled and len(enrolled) == 6


def test_without_a_mapping_the_partly_matching_sheets_are_rejected_with_advice(tmp_path):
    path = district_workbook(tmp_path / "统计.xlsx")
    items = read_batches(path, path.read_bytes(), "h", None, TODAY)
    by_sheet = outcomes(items)
    primary = by_sheet["小学"]
    assert isinstance(primary, FileOutcome) and primary.status == "rejected"
    # the row taken as the header, what was recognised there and what is missing
    assert "第 3 行" in primary.message and "row 3" in primary.message
    assert "学期" in primary.message
    assert by_sheet["填报说明"].status == "ignored"
    assert by_sheet["空白页"].status == "ignored"
