"""Fill-in templates: every source's template, filled in, loads with nothing quarantined."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from schoolwh.cli import app
from schoolwh.core.sources import SOURCES, Column
from schoolwh.pipeline.load import load
from schoolwh.pipeline.templates import (
    GUIDE_SHEET,
    NAME_HEADER,
    PREFILLED,
    TemplateError,
    template_bytes,
)
from tests.test_accounts import A

ROWS = 3
SPECIAL = {
    # values that satisfy the cross-column rules of each source
    ("issues", "status"): "已整改",
    ("issues", "found_date"): dt.date(2025, 9, 1),
    ("issues", "deadline"): dt.date(2025, 9, 20),
    ("issues", "closed_date"): dt.date(2025, 9, 10),
    ("enrollment", "enrolled"): 500,
    ("schools", "district_code"): A,
    ("budget", "district_code"): A,
    ("expenditure", "district_code"): A,
}


# the district's schools each pre-filled template lists: never the closed school 0009 or
# another district's; menus only for lunch-serving schools, cameras only for kitchens
PREFILLED_SCHOOLS = {
    "enrollment": ["4101050001", "4101050002", "4101050003"],
    "participation": ["4101050001", "4101050002", "4101050003"],
    "menus": ["4101050001", "4101050002"],
    "kitchen_cameras": ["4101050001"],
}


def registry(path):
    """A published warehouse holding only the district and school registry marts."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.dim_district as select '{A}' as district_code")
    con.execute(
        "create table marts.dim_school as select * from (values "
        f"('4101050001', '{A}', '一小', 'self_run', true), "
        f"('4101050002', '{A}', '二小', 'catering', true), "
        f"('4101050003', '{A}', '三小', 'none', true), "
        f"('4101050009', '{A}', '停办', 'self_run', false), "
        "('4101220001', '410122', '外区', 'central_kitchen', true)) "
        "t(school_code, district_code, school_name, lunch_mode, active)"
    )
    con.close()
    return path


def value_for(source: str, column: Column, row: int):
    if (source, column.name) in SPECIAL:
        return SPECIAL[(source, column.name)]
    if (source, column.name) == ("districts", "district_code"):
        return f"41019{row}"  # the key: one district per row
    if (
        column.kind == "code"
        and column.name in SOURCES[source].key
        and column.name != "school_code"
    ):
        return f"91410100MA{row:04d}"  # a code that is the key (a supplier): one per row
    if column.kind == "code":
        return f"41010500{row + 1:02d}" if column.name == "school_code" else A
    if column.kind == "date":
        return dt.date(2025, 9, 1) + dt.timedelta(days=row)
    if column.kind == "enum":
        return next(iter(column.enum.values()))
    if column.kind == "bool":
        return "是"
    if column.kind == "term":
        return "2025-autumn"
    if column.kind == "int":
        return 3
    if column.kind == "number":
        return 88.5
    if column.kind == "year":
        return 2025
    if column.kind == "money":
        return 1000.5
    return f"{column.name}-{row + 1}"


def fill(path, source: str, prefilled: bool) -> int:
    book = openpyxl.load_workbook(path)
    sheet = book[SOURCES[source].zh]
    header = [c.value for c in sheet[1]]
    by_header = {c.zh: c for c in SOURCES[source].columns}
    rows = sheet.max_row - 1 if prefilled else ROWS
    for r in range(rows):
        for i, title in enumerate(header, start=1):
            column = by_header.get(title)
            if column is None:
                continue
            cell = sheet.cell(r + 2, i)
            if prefilled and column.name == "school_code":
                assert cell.value  # the school is already there
                continue
            cell.value = value_for(source, column, r)
    book.save(path)
    return rows


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_template_filled_in_loads_with_nothing_quarantined(tmp_path, source):
    wh = registry(tmp_path / "warehouse.duckdb")
    prefilled = source in PREFILLED
    out = tmp_path / f"{source}.xlsx"
    r = CliRunner().invoke(
        app,
        ["template", source, "--out", str(out), "-w", str(wh)]
        + (["--district", A] if prefilled else []),
    )
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(out)
    assert GUIDE_SHEET in book.sheetnames
    sheet = book[SOURCES[source].zh]
    assert sheet.protection.sheet  # the header row is protected
    assert sheet.cell(1, 1).protection.locked
    assert not sheet.column_dimensions["A"].protection.locked  # the rows below are not
    kinds = {c.zh: c.kind for c in SOURCES[source].columns}
    for i, title in enumerate([c.value for c in sheet[1]], start=1):
        fmt = next(d.number_format for d in sheet.column_dimensions.values() if d.min <= i <= d.max)
        if kinds.get(title) == "date":
            assert fmt == "yyyy-mm-dd"
        elif kinds.get(title) == "code":
            assert fmt == "@"
    header = [c.value for c in sheet[1]]
    assert header[: len(SOURCES[source].columns[:1])] == [SOURCES[source].columns[0].zh]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    needs_list = [c for c in SOURCES[source].columns if c.kind in ("enum", "bool", "term")]
    assert len(lists) == len(needs_list)
    if prefilled:
        assert NAME_HEADER in header
        at = header.index(SOURCES[source].column("school_code").zh) + 1
        codes = [sheet.cell(r, at).value for r in range(2, sheet.max_row + 1)]
        assert codes == PREFILLED_SCHOOLS[source]
    rows = fill(out, source, prefilled)
    result = load([out], wh, build=False)
    assert result.published
    con = duckdb.connect(str(wh), read_only=True)
    try:
        quarantined = con.execute("select count(*) from audit.quarantine").fetchone()[0]
        landed = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
        status = con.execute(
            "select status, message from audit.load_files order by status = 'ignored'"
        ).fetchall()
        problems = con.execute("select row_number, column_name, reason from audit.quarantine")
        problems = problems.fetchall()
    finally:
        con.close()
    assert quarantined == 0, problems
    assert landed == rows
    assert [s for s, _ in status] == ["loaded", "ignored"]  # the 填报说明 sheet is not data


def test_template_refuses_unknown_source_and_district(tmp_path):
    with pytest.raises(TemplateError, match="unknown source"):
        template_bytes("lunches")
    wh = registry(tmp_path / "warehouse.duckdb")
    with pytest.raises(TemplateError, match="999999"):
        template_bytes("enrollment", district="999999", warehouse=wh)
    r = CliRunner().invoke(app, ["template", "nope", "--out", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 2 and "unknown source" in r.output


def _validations(source: str) -> dict[str, object]:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(source)))
    sheet = book[SOURCES[source].zh]
    header = [c.value for c in sheet[1]]
    out = {}
    for v in sheet.data_validations.dataValidation:
        column = openpyxl.utils.column_index_from_string(
            str(v.sqref).split(":")[0].rstrip("0123456789")
        )
        out[header[column - 1]] = v
    return out


def test_template_checks_follow_the_contracts_ranges():
    rating = _validations("meal_companions")["评价"]
    assert (rating.type, rating.formula1, rating.formula2) == ("whole", "1", "5")
    people = _validations("meal_companions")["陪餐人数"]
    assert (people.formula1, people.formula2) == ("1", "1000000000")
    score = _validations("canteen_checks")["得分"]
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "100")
    price = _validations("menus")["餐费"]
    assert (price.type, price.operator, price.formula1) == ("decimal", "greaterThanOrEqual", "0")
    amount = _validations("deliveries")["金额"]
    assert (amount.operator, amount.formula1) == ("greaterThan", "0")
    overall = _validations("survey")["总体满意度"]
    assert (overall.formula1, overall.formula2) == ("1", "5")


def test_the_guide_names_synonyms_ranges_and_raw_only_text():
    book = openpyxl.load_workbook(io.BytesIO(template_bytes("canteen_checks")))
    rows = {r[0]: r for r in book[GUIDE_SHEET].iter_rows(values_only=True) if r and r[0]}
    assert "达标" in rows["检查结果"][3] and "不达标" in rows["检查结果"][3]
    assert rows["得分"][3] == "0–100"
    assert "不进入统计" in rows["检查人"][3]
