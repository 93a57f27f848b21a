"""Every format and layout of issue 11 on small hand-made files: .xls and .ods, merged
multi-row headers, units in headers and title lines, notes, mappings with values and
constants, `schoolwh map`, empty files, folders listing every file, messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from ingest.batches import Batch, read_batches
from ingest.mappings import load_mapping
from ingest.outcome import FileOutcome
from schoolwh.cli import app
from schoolwh.pipeline.load import EXIT_OK, EXIT_REJECTED, load, run_load
from schoolwh.pipeline.report import file_line
from tests.filemaker import write_csv, write_xlsx
from tests.workbook_files import write_ods, write_xls

TODAY = dt.date(2026, 1, 15)


def items(path: Path, forced: str | None = None, mapping=None) -> list[Batch | FileOutcome]:
    return read_batches(path, path.read_bytes(), "h", forced, TODAY, mapping)


def only_batch(path: Path, **kw) -> Batch:
    found = [b for b in items(path, **kw) if isinstance(b, Batch)]
    assert len(found) == 1, items(path, **kw)
    return found[0]


ENROL = [["学校代码", "学期", "在校生数"], ["4101050001", "2025年秋季学期", 1200]]


def test_xls_with_a_merged_two_row_header_and_a_hidden_sheet(tmp_path):
    rows = [
        ["学校代码", "学期", "在校生数（人）", None],
        [None, None, "其中：女", "合计"],
        ["4101050001", "2025-autumn", 590, 1200],
        ["4101050002", "2025-autumn", 402, 800],
    ]
    path = write_xls(
        tmp_path / "在校生.xls",
        {"在校生": rows, "底稿": [["学校代码", "学期", "在校生数"], ["1", "2025-autumn", 1]]},
        merges={"在校生": [(0, 1, 0, 0), (0, 1, 1, 1), (0, 0, 2, 3)]},
        hidden=("底稿",),
    )
    found = items(path)
    [b] = [i for i in found if isinstance(i, Batch)]
    # the 合计 sub-column stands for its parent, never 其中：女 by the parent's name
    assert b.rows["enrolled"].to_list() == [1200, 800]
    assert b.outcome.header_row == 1 and "header on rows 1–2" in b.outcome.message
    [hidden] = [i for i in found if isinstance(i, FileOutcome)]
    assert (hidden.sheet, hidden.status) == ("底稿", "hidden")


def test_a_sub_column_other_than_total_is_never_matched_by_its_parent(tmp_path):
    rows = [
        ["学校代码", "学期", "在校生数（人）", None],
        [None, None, "其中：女", "一年级"],
        ["4101050001", "2025-autumn", 590, 210],
    ]
    path = write_xls(
        tmp_path / "x.xls", {"S": rows}, merges={"S": [(0, 1, 0, 0), (0, 1, 1, 1), (0, 0, 2, 3)]}
    )
    [o] = items(path)
    assert isinstance(o, FileOutcome) and o.status == "rejected"
    assert "在校生数" in o.message and "enrolled" in o.message


def test_ods_workbook_loads(tmp_path):
    path = write_ods(tmp_path / "在校生.ods", {"说明": [["填报说明"]], "在校生": ENROL})
    b = only_batch(path)
    assert b.outcome.sheet == "在校生" and b.rows["enrolled"].to_list() == [1200]
    assert b.rows["term"].to_list() == ["2025-autumn"]


def test_counts_in_wan_ren_are_multiplied_and_must_be_whole(tmp_path):
    rows = [
        ["学校代码", "学期", "在校学生数(万人)"],
        ["4101050001", "2025-autumn", "94"],
        ["4101050002", "2025-autumn", "0.12"],
        ["4101050003", "2025-autumn", "0.00015"],
    ]
    b = only_batch(write_csv(tmp_path / "e.csv", rows))
    assert b.rows["enrolled"].to_list() == [940_000, 1_200]
    assert b.problems["reason"].to_list() == ["not_whole"]
    assert b.problems["_row_number"].to_list() == [4]


def test_a_unit_in_a_title_line_applies_to_its_columns(tmp_path):
    rows = [
        ["2025年资金下达情况表"],
        ["单位：万元"],
        ["指标文号", "年度", "区县代码", "项目", "金额"],
        ["B1", "2025", "410105", "午餐补助", "12.5"],
    ]
    b = only_batch(write_csv(tmp_path / "b.csv", rows))
    assert b.rows["amount"].to_list() == [125_000.0]
    assert "万元" in b.outcome.message


def test_a_unit_in_an_indicator_title_line(tmp_path):
    rows = [
        ["指标：学校午餐资金(亿元)"],
        ["指标文号", "年度", "区县代码", "项目", "金额"],
        ["B1", "2025", "410105", "午餐补助", "0.5"],
    ]
    b = only_batch(write_csv(tmp_path / "b.csv", rows))
    assert b.rows["amount"].to_list() == [50_000_000.0]


def test_an_unknown_unit_on_a_count_column_rejects_naming_the_units_understood(tmp_path):
    rows = [["学校代码", "学期", "在校生数（百人）"], ["4101050001", "2025-autumn", "3"]]
    [o] = [
        i.outcome if isinstance(i, Batch) else i for i in items(write_csv(tmp_path / "e.csv", rows))
    ]
    assert o.status == "rejected"
    assert "在校生数（百人）" in o.message and "万人" in o.message and "千人" in o.message


def test_footer_lines_and_indented_note_lines_are_notes(tmp_path):
    rows = [
        *ENROL,
        ["注：1. 在校生数含借读生；"],
        ["    2. 不含附设幼儿班。"],
        ["数据来源：学籍系统"],
        ["单位负责人：张三", "统计负责人：李四"],
        ["制表人：王五"],
        ["报出日期：2025-10-15"],
        ["填报日期：2025-10-14"],
    ]
    b = only_batch(write_csv(tmp_path / "e.csv", rows))
    assert b.outcome.rows_quarantined == 0 and b.rows.height == 1
    assert b.outcome.structure["note"] == [3, 4, 5, 6, 7, 8, 9]


def test_structure_rows_are_reported_by_kind_and_never_count_toward_20_percent(tmp_path):
    rows = [
        ["学校代码", "学校名称", "学期", "在校生数"],
        [None, "总计", None, "2000"],
        [None, "北京市（2所）", None, None],
        ["4101050001", "一小", "2025-autumn", "1200"],
        [None, "其中：民办", None, "800"],
        ["学校代码", "学校名称", "学期", "在校生数"],
        [None, "城东街道", None, None],
        ["4101050002", "二小", "2025-autumn", "800"],
        [None, "城西镇", None, None],
        [None, "城北镇", None, None],
    ]
    b = only_batch(write_csv(tmp_path / "e.csv", rows))
    o = b.outcome
    assert o.status == "loaded" and o.rows_quarantined == 0 and o.rows_read == 2
    assert o.structure == {
        "summary": [2],
        "group": [3, 7, 9, 10],
        "breakdown": [5],
        "repeated_header": [6],
    }


SCHOOLS_MAPPING = """
source = "schools"
[columns]
"机构代码" = "school_code"
"单位名称" = "school_name"
"性质" = "ownership"
[values.ownership]
"831县级教育部门" = "public"
"999民办" = "private"
[constants]
stage = { from = "sheet", map = { "小学" = "primary", "初级中学" = "junior" } }
district_code = { from = "title", pattern = "（(\\\\d{6})）" }
lunch_mode = "self_run"
has_after_school = "是"
lunch_start_date = "2020-09-01"
"""


def test_a_mapping_with_columns_values_and_constants_from_sheet_and_title(tmp_path):
    def sheet(code: str, name: str) -> list[list]:
        return [
            ["金水区（410105）学校名录"],
            ["机构代码", "单位名称", "性质"],
            [code, name, "831县级教育部门"],
            [code[:-1] + "9", name + "分校", "999民办"],
        ]

    path = write_xlsx(
        tmp_path / "名录.xlsx",
        {"小学": sheet("4101050001", "一小"), "初级中学": sheet("4101050101", "一中")},
    )
    (tmp_path / "m.toml").write_text(SCHOOLS_MAPPING, encoding="utf-8")
    mapping = load_mapping(tmp_path / "m.toml")
    batches = [i for i in items(path, mapping=mapping) if isinstance(i, Batch)]
    assert [b.outcome.sheet for b in batches] == ["小学", "初级中学"]
    primary, junior = batches
    assert primary.rows["ownership"].to_list() == ["public", "private"]
    assert set(primary.rows["stage"]) == {"primary"} and set(junior.rows["stage"]) == {"junior"}
    assert set(junior.rows["district_code"]) == {"410105"}
    assert primary.outcome.rows_quarantined == 0


def test_schoolwh_map_writes_a_starter_that_loads_once_completed(tmp_path):
    rows = [
        ["2023年在校生情况"],
        ["机构代码", "单位名称", "在校学生数(人)"],
        ["4101050001", "一小", "1200"],
    ]
    data = write_csv(tmp_path / "in" / "统计.csv", rows)
    out = tmp_path / "统计.toml"
    result = CliRunner().invoke(app, ["map", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'source = "enrollment"' in text
    assert '"机构代码" = "school_code"' in text  # recognised, already filled in
    assert '"在校学生数(人)" = "enrolled"' in text
    assert "term" in text and "required columns still unmapped" in text
    # the clerk completes it: the term is the same for every row
    done = text.replace('# term = ""', 'term = "2023-autumn"')
    assert done != text
    out.write_text(done, encoding="utf-8")
    wh = tmp_path / "wh" / "warehouse.duckdb"
    res = load([data], wh, build=False, mapping=load_mapping(out))
    assert res.exit_code == EXIT_OK
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select school_code, term, enrolled from raw.enrollment").fetchall() == [
            ("4101050001", "2023-autumn", 1200)
        ]
    finally:
        con.close()


def test_a_kept_mapping_applies_by_itself_to_a_file_it_fits(tmp_path, capsys):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    (wh.parent / "mappings").mkdir(parents=True)
    (wh.parent / "mappings" / "统计.toml").write_text(
        '[columns]\n"机构代码" = "school_code"\n[constants]\nterm = "2024-autumn"\n',
        encoding="utf-8",
    )
    data = write_csv(tmp_path / "in" / "e.csv", [["机构代码", "在校生数"], ["4101050001", "7"]])
    res = load([data], wh, build=False)
    assert res.exit_code == EXIT_OK
    [o] = res.outcomes
    assert o.mapping == "统计.toml"
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select mapping from audit.load_files").fetchall() == [("统计.toml",)]
    finally:
        con.close()


def test_empty_files_are_rejected(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    [o] = items(empty)
    assert o.status == "rejected" and "empty file" in o.message
    header_only = write_csv(tmp_path / "h.csv", [["学校代码", "学期", "在校生数"]])
    [o] = items(header_only)
    assert o.status == "rejected" and "empty file" in o.message
    blank = write_xlsx(tmp_path / "b.xlsx", {"Sheet1": []})
    [o] = items(blank)
    assert o.status == "rejected" and "empty file" in o.message


def test_an_empty_file_fails_the_load(tmp_path, capsys):
    empty = tmp_path / "in" / "空.csv"
    empty.parent.mkdir()
    empty.write_bytes(b"\r\n")
    code = run_load([empty], tmp_path / "wh.duckdb")
    assert code == EXIT_REJECTED and "空文件" in capsys.readouterr().out


def test_a_folder_lists_every_file_it_found(tmp_path, capsys):
    d = tmp_path / "in"
    write_csv(d / "在校生.csv", ENROL)
    write_xls(d / "在校生.xls", {"在校生": [ENROL[0], ["4101050002", "2025年秋季学期", 5]]})
    (d / "报告.docx").write_bytes(b"PK")
    (d / "~$在校生.xlsx").write_bytes(b"lock")
    res = load([d], tmp_path / "wh.duckdb", build=False)
    out = "\n".join(file_line(o) for o in res.outcomes)
    assert "在校生.xls" in out and "报告.docx" in out and "~$在校生.xlsx" in out
    assert res.exit_code == EXIT_OK
    assert sorted(o.status for o in res.outcomes) == ["ignored", "ignored", "loaded", "loaded"]


def test_messages_name_the_header_row_recognised_and_missing_columns(tmp_path):
    rows = [["区划代码", "行政区划名称x", "备注"], ["410105", "金水区", ""]]
    [o] = items(write_csv(tmp_path / "d.csv", rows))
    assert "第 1 行" in o.message and "row 1" in o.message
    assert "区县代码←「区划代码」" in o.message
    # the missing column, its accepted names and the closest header cell
    assert "缺少 区县（可用：区县、区县名称" in o.message and "是否为「行政区划名称x」" in o.message


def test_with_a_forced_source_only_that_source_is_discussed(tmp_path):
    rows = [["姓名", "电话"], ["张三", "1"]]
    [o] = items(write_csv(tmp_path / "x.csv", rows), forced="budget")
    assert "budget" in o.message and "participation" not in o.message


def test_an_unknown_title_unit_is_never_dropped_silently(tmp_path):
    rows = [
        ["单位：百万元"],
        ["指标文号", "年度", "区县代码", "项目", "金额"],
        ["B1", "2025", "410105", "午餐补助", "1"],
    ]
    [o] = [
        i.outcome if isinstance(i, Batch) else i for i in items(write_csv(tmp_path / "b.csv", rows))
    ]
    assert o.status == "rejected" and "百万元" in o.message and "亿元" in o.message


def test_a_damaged_xls_is_rejected_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "in" / "名录.xls"
    bad.parent.mkdir()
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not really an Excel 97 file" * 10)
    [o] = items(bad)
    assert o.status == "rejected" and "damaged" in o.message
    assert file_line(o).startswith(f"  ✗ {o.file_name}")


def test_a_large_workbook_without_a_known_header_is_rejected_in_seconds(tmp_path):
    import time

    import xlsxwriter

    path = tmp_path / "区划代码.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("代码")
    ws.write_row(0, 0, ["统计用区划代码", "名称", "城乡分类代码"])
    for i in range(1, 42_001):
        ws.write_row(i, 0, [str(410_000_000_000 + i), "某某社区居委会", "111"])
    wb.close()
    started = time.perf_counter()
    [o] = items(path)
    assert o.status == "rejected"
    assert time.perf_counter() - started < 8  # the header decides, not 42,000 rows read


def test_a_mapping_that_cannot_be_read_stops_the_load_with_its_name(tmp_path, capsys):
    data = write_csv(tmp_path / "e.csv", ENROL)
    bad = tmp_path / "坏映射.toml"
    bad.write_text('[columns]\n"机构代码" = "no_such_column"\n', encoding="utf-8")
    code = run_load([data], tmp_path / "wh.duckdb", mapping=bad)
    out = capsys.readouterr().out
    assert code == 4 and "坏映射.toml" in out and "no_such_column" in out


def test_old_warehouses_get_the_new_audit_columns(tmp_path):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    wh.parent.mkdir()
    con = duckdb.connect(str(wh))
    con.execute("create schema audit")
    con.execute(
        "create table audit.load_files (load_id bigint, batch_seq bigint, file_name varchar, "
        "file_hash varchar, sheet varchar, source varchar, status varchar, rows_read bigint, "
        "rows_landed bigint, rows_quarantined bigint, rows_dropped bigint, header_row integer, "
        "encoding varchar, message varchar)"
    )
    con.close()
    data = write_csv(tmp_path / "in" / "e.csv", ENROL)
    assert load([data], wh, build=False).exit_code == EXIT_OK
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cols = {r[0] for r in con.execute("describe audit.load_files").fetchall()}
    finally:
        con.close()
    assert {"mapping", "structure_rows"} <= cols


def test_a_merged_title_is_no_parent_and_a_merged_note_column_no_header_block(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("在校生")
    ws.merge_range(0, 0, 0, 4, "2025年秋季学期在校生情况统计表")  # a title across the table
    ws.write_row(1, 0, ["学校代码", "学期", "在校生数"])
    ws.merge_range(1, 3, 1, 4, "备注")  # one header cell over two columns, data below
    ws.write_row(2, 0, ["4101050001", "2025-autumn", 1200, "含借读", "生"])
    ws.write_row(3, 0, ["4101050002", "2025-autumn", 800])
    wb.close()
    b = only_batch(path)
    assert b.outcome.header_row == 2 and b.rows["enrolled"].to_list() == [1200, 800]


def test_a_parent_over_sub_columns_without_total_names_no_column(tmp_path):
    import xlsxwriter

    path = tmp_path / "p.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("在校生")
    ws.merge_range(0, 0, 1, 0, "学校代码")
    ws.merge_range(0, 1, 1, 1, "学期")
    ws.merge_range(0, 2, 0, 3, "在校生数（人）")
    ws.write_row(1, 2, ["其中：女", "一年级"])
    ws.write_row(2, 0, ["4101050001", "2025-autumn", 590, 210])
    wb.close()
    [o] = items(path)
    # never 590 (其中：女) as the enrolment: the sheet is refused, saying what is missing
    assert isinstance(o, FileOutcome) and o.status == "rejected" and "enrolled" in o.message


def test_an_xls_saved_under_the_xlsx_name_still_loads(tmp_path):
    xls = write_xls(tmp_path / "a.xls", {"在校生": ENROL})
    renamed = tmp_path / "在校生.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert only_batch(renamed).rows["enrolled"].to_list() == [1200]


def test_ods_with_a_merged_two_row_header(tmp_path):
    rows = [
        ["学校代码", "学期", "在校生数（人）", None],
        [None, None, "其中：女", "合计"],
        ["4101050001", "2025-autumn", 590, 1200],
    ]
    spans = {(0, 0): (2, 1), (0, 1): (2, 1), (0, 2): (1, 2)}
    path = write_ods(tmp_path / "在校生.ods", {"在校生": rows}, spans=spans)
    b = only_batch(path)
    assert b.rows["enrolled"].to_list() == [1200]


def test_workbook_cells_become_the_text_a_person_sees_column_by_column():
    import datetime as dt

    from ingest.readers import _book_frame, cell_text

    rows = [
        ["学校代码", "日期", "人数", "备注"],
        [4101050001.0, dt.datetime(2025, 9, 1), 100.0, ""],
        ["4101050002", dt.datetime(2025, 9, 1, 8, 30), 0.5, "  "],
        ["", "2025/9/2", float("nan"), True],
        [1e17, dt.datetime(2025, 9, 3, 0, 0, 0, 500), -3.0, dt.date(2025, 9, 4)],
    ]
    names = [f"column_{i}" for i in range(4)]
    frame = _book_frame(rows, 1, names)
    expected = [
        [None if v == "" or (isinstance(v, str) and not v.strip()) else cell_text(v) for v in r]
        for r in rows[1:]
    ]
    assert [list(r) for r in frame.rows()] == expected


def test_schoolwh_load_takes_a_mapping(tmp_path):
    data = write_csv(tmp_path / "e.csv", ENROL)
    bad = tmp_path / "坏映射.toml"
    bad.write_text('source = "no_such_source"\n', encoding="utf-8")
    wh = tmp_path / "wh.duckdb"
    result = CliRunner().invoke(
        app, ["load", str(data), "--mapping", str(bad), "--warehouse", str(wh)]
    )
    assert result.exit_code == 4 and "坏映射.toml" in result.output and "source" in result.output
    assert not wh.exists()
