"""Fill-in templates (`schoolwh template SOURCE`, the upload page's download).

An XLSX per source, made from the contract (schoolwh/core/sources.py): the Chinese
headers in a protected header row, a drop-down list for every enumeration and yes/no
column, date and number formats with matching validation, a 填报说明 sheet describing
each column, and for the sources of one row per school (`PREFILLED`) a district's
schools filled in from the published warehouse: its active schools for enrolment and
participation, its lunch-serving schools for menus, its kitchen schools for the cameras. A template filled in loads with nothing
quarantined.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb

from schoolwh.core.sources import KITCHEN_MODES, SOURCES, Column, Source

# source -> the schools its template lists (a condition on marts.dim_school): the sources
# with one row per school (and term or day)
_ACTIVE = "coalesce(active, true)"
_LUNCH = f"{_ACTIVE} and lunch_mode <> 'none'"
PREFILLED: dict[str, str] = {
    "enrollment": _ACTIVE,
    "participation": _ACTIVE,
    "menus": _LUNCH,
    "kitchen_cameras": f"{_LUNCH} and lunch_mode in ({', '.join(map(repr, KITCHEN_MODES))})",
}
GUIDE_SHEET = "填报说明"
NAME_HEADER = "学校名称（参考，不导入）"  # beside the pre-filled code; ignored by a load
DATA_ROWS = 1000  # rows that carry the validation and formats

KIND_TEXT = {
    "code": ("代码（文本，保留开头的 0）", "text code, leading zeros kept"),
    "string": ("文字", "text"),
    "text": ("文字（可较长）", "free text"),
    "enum": ("从下拉列表中选择", "pick from the list"),
    "term": ("学期，如 2025-autumn（2025年秋季学期）", "term, e.g. 2025-autumn"),
    "date": ("日期，如 2025-09-01", "date, e.g. 2025-09-01"),
    "int": ("整数", "whole number"),
    "number": ("数值，可有小数", "number, decimals allowed"),
    "year": ("年份，如 2025", "year, e.g. 2025"),
    "money": ("金额（元），最多两位小数", "amount in yuan, 2 decimals at most"),
    "bool": ("是 / 否", "yes / no"),
}


class TemplateError(ValueError):
    """A template that cannot be made (unknown source or district)."""


def terms(today: dt.date | None = None) -> list[str]:
    """The terms offered in a term drop-down: last year's to next year's."""
    year = (today or dt.date.today()).year
    return [f"{y}-{s}" for y in range(year - 1, year + 2) for s in ("spring", "autumn")]


def allowed_values(column: Column) -> list[str]:
    if column.kind == "enum" and column.enum:
        return list(column.enum.values())
    if column.kind == "bool":
        return ["是", "否"]
    if column.kind == "term":
        return terms()
    return []


def active_schools(
    warehouse: Path | None, district: str, which: str = _ACTIVE
) -> list[tuple[str, str]]:
    """(code, name) of a district's schools in the published warehouse: its active ones,
    or those `which` (a condition of PREFILLED) selects."""
    if warehouse is None or not Path(warehouse).exists():
        raise TemplateError(
            f"没有数据仓库，无法预填学校 / no warehouse at {warehouse}: the schools of "
            f"district {district} cannot be filled in"
        )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        known = con.execute(
            "select count(*) from marts.dim_district where district_code = ?", [district]
        ).fetchone()[0]
        if not known:
            raise TemplateError(f"没有区县「{district}」/ no district {district!r}")
        rows = con.execute(
            "select school_code, school_name from marts.dim_school "
            f"where district_code = ? and {which} order by school_code",
            [district],
        ).fetchall()
    except duckdb.Error as exc:
        raise TemplateError(
            f"数据仓库中没有学校名录 / the warehouse has no schools yet: {exc}"
        ) from exc
    finally:
        con.close()
    return [(c, n) for c, n in rows]


def _validation(column: Column) -> dict | None:
    values = allowed_values(column)
    if values:
        return {
            "validate": "list",
            "source": values,
            "error_title": "请从列表中选择",
            "error_message": "可选：" + "、".join(values),
        }
    if column.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2099, 12, 31),
            "error_title": "日期",
            "error_message": "请填写日期，如 2025-09-01",
        }
    if column.kind in ("int", "year"):
        low = int(column.minimum) if column.minimum is not None else 0
        high = int(column.maximum) if column.maximum is not None else 10**9
        if column.kind == "year":
            low, high = 2000, 2099
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            "error_title": "整数",
            "error_message": f"请填写 {low} 到 {high} 之间的整数",
        }
    if column.kind == "number":
        low = column.minimum if column.minimum is not None else -(10**15)
        high = column.maximum if column.maximum is not None else 10**15
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            "error_title": "数值",
            "error_message": f"请填写 {low:g} 到 {high:g} 之间的数",
        }
    if column.kind == "money":
        if column.nonzero:
            rule: dict = {"criteria": "not between", "minimum": 0, "maximum": 0}
            why = "，不能为 0"
        elif column.positive:
            rule, why = {"criteria": "greater than", "value": 0}, "，须大于 0"
        elif column.minimum is not None:
            rule = {"criteria": "greater than or equal to", "value": column.minimum}
            why = f"，不小于 {column.minimum:g}"
        else:
            rule, why = {"criteria": "greater than", "value": -(10**15)}, ""
        return {
            "validate": "decimal",
            **rule,
            "error_title": "金额",
            "error_message": "请填写金额（元）" + why,
        }
    return None


def template_bytes(
    source: str, *, district: str | None = None, warehouse: Path | None = None
) -> bytes:
    """The template of `source` as XLSX bytes."""
    import xlsxwriter

    src: Source | None = SOURCES.get(source)
    if src is None:
        raise TemplateError(
            f"未知的数据类型「{source}」/ unknown source {source!r}; use one of: "
            + ", ".join(SOURCES)
        )
    schools: list[tuple[str, str]] = []
    if source in PREFILLED and district:
        schools = active_schools(warehouse, district, PREFILLED[source])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    header = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "locked": True, "text_wrap": True}
    )
    required_header = book.add_format(
        {
            "bold": True,
            "bg_color": "#FCE4D6",
            "border": 1,
            "locked": True,
            "text_wrap": True,
        }
    )
    formats = {
        "code": book.add_format({"num_format": "@", "locked": False}),
        "string": book.add_format({"num_format": "@", "locked": False}),
        "text": book.add_format({"num_format": "@", "locked": False}),
        "enum": book.add_format({"num_format": "@", "locked": False}),
        "term": book.add_format({"num_format": "@", "locked": False}),
        "bool": book.add_format({"num_format": "@", "locked": False}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "locked": False}),
        "int": book.add_format({"num_format": "0", "locked": False}),
        "number": book.add_format({"num_format": "0.0#", "locked": False}),
        "year": book.add_format({"num_format": "0", "locked": False}),
        "money": book.add_format({"num_format": "#,##0.00", "locked": False}),
    }
    sheet = book.add_worksheet(src.zh)
    columns = list(src.columns)
    layout: list[Column | None] = []
    for c in columns:
        layout.append(c)
        if c.name == "school_code" and schools:
            layout.append(None)  # the school's name beside its code
    for i, c in enumerate(layout):
        if c is None:
            sheet.write_string(0, i, NAME_HEADER, header)
            sheet.set_column(i, i, 24, formats["string"])
            continue
        sheet.write_string(0, i, c.zh, required_header if c.required else header)
        sheet.set_column(i, i, max(12, len(c.zh) * 2 + 4), formats[c.kind])
        rule = _validation(c)
        if rule is not None:
            sheet.data_validation(1, i, DATA_ROWS, i, rule)
        sheet.write_comment(0, i, f"{'必填' if c.required else '选填'}：{KIND_TEXT[c.kind][0]}")
    code_at = next(
        (i for i, c in enumerate(layout) if c is not None and c.name == "school_code"), None
    )
    for r, (code, name) in enumerate(schools, start=1):
        if code_at is not None:
            sheet.write_string(r, code_at, code, formats["code"])
            sheet.write_string(r, code_at + 1, name or "", formats["string"])
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    sheet.protect(
        "",
        {
            "insert_rows": True,
            "delete_rows": True,
            "format_columns": True,
            "sort": True,
            "autofilter": True,
        },
    )
    _guide(book, src, header)
    book.close()
    return buffer.getvalue()


def _guide(book, src: Source, header) -> None:
    guide = book.add_worksheet(GUIDE_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    guide.write_string(0, 0, f"{src.title_zh or src.zh}（{src.name}）填报说明", header)
    heads = ["列名", "含义", "格式", "可选值", "是否必填"]
    for i, h in enumerate(heads):
        guide.write_string(2, i, h, header)
    for r, c in enumerate(src.columns, start=3):
        values = allowed_values(c)
        if c.kind == "enum" and c.enum:
            allowed = "、".join(c.enum.values())
            if c.synonyms:
                allowed += "（也可填：" + "、".join(c.synonyms) + "）"
        elif values:
            allowed = "、".join(values)
        elif c.minimum is not None and c.maximum is not None:
            allowed = f"{c.minimum:g}–{c.maximum:g}"
        elif c.minimum is not None:
            allowed = f"≥ {c.minimum:g}" + ("，不填为 1" if c.default == 1 else "")
        elif c.positive:
            allowed = "> 0"
        else:
            allowed = ""
        if c.stays_raw:
            allowed = (allowed + "；" if allowed else "") + "仅存档，不进入统计与看板"
        meaning = c.zh if c.zh == c.name else f"{c.zh}（{c.name}）"
        if len(c.aliases) > 1:
            meaning += "；也可写作：" + "、".join(c.aliases[1:])
        guide.write_string(r, 0, c.zh, wrap)
        guide.write_string(r, 1, meaning, wrap)
        guide.write_string(r, 2, KIND_TEXT[c.kind][0], wrap)
        guide.write_string(r, 3, allowed, wrap)
        guide.write_string(r, 4, "必填" if c.required else "选填", wrap)
    last = 3 + len(src.columns) + 1
    notes = [
        "第一行表头已保护，请勿修改；从第二行起填写，每行一条记录。",
        "日期请用 2025-09-01 的形式；是/否列请从下拉列表中选择。",
        "填好后在看板的「数据上报」页面上传，或交给数据管理员用 schoolwh load 导入。",
    ]
    for i, n in enumerate(notes):
        guide.write_string(last + i, 0, n)
    guide.set_column(0, 1, 24)
    guide.set_column(2, 2, 30)
    guide.set_column(3, 3, 50)
    guide.set_column(4, 4, 10)


def write_template(
    source: str, out: Path, *, district: str | None = None, warehouse: Path | None = None
) -> str:
    """Write the template to `out`; returns a line saying what was written."""
    data = template_bytes(source, district=district, warehouse=warehouse)
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise TemplateError(f"模板须保存为 .xlsx / the template must be a .xlsx file: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    src = SOURCES[source]
    return f"已写入模板 / template written: {out} ({src.zh} {source})"


__all__ = ["TemplateError", "template_bytes", "write_template"]
