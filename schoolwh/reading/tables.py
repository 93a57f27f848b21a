"""Query results as tables for people: labelled columns in the chosen language.

Each table comes in two forms: `display` (what the page shows: 万/亿, percentages,
status glyphs and labels) and `export` (what the CSV/Excel downloads hold: the same
rows and columns, numbers kept as numbers with the unit in the header). Free of
Streamlit, so the briefings can reuse it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd

from schoolwh.reading import formatting as fmt
from schoolwh.reading import status as st_
from schoolwh.reading.i18n import enum_label, kpi_name, t, yes_no


@dataclass(frozen=True)
class Col:
    """One column: where it comes from, its label key and how it is written."""

    source: str
    label: str  # i18n key
    kind: str = "text"  # text, enum:<kind>, int, number, money, rate, days, date,
    # datetime, status, kpi, kpi_value, period, bool


@dataclass(frozen=True)
class Table:
    display: pd.DataFrame
    export: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.display.empty


def _unit_suffix(kind: str, lang: str) -> str:
    if kind == "money":
        return t("unit.yuan", lang)
    if kind == "rate":
        return t("unit.percent", lang)
    return ""


def _display(value: Any, kind: str, lang: str, unit: Any = None) -> Any:
    if kind.startswith("enum:"):
        return enum_label(kind[5:], value, lang)
    if kind == "int":
        return fmt.count(value, lang)
    if kind == "number":
        return fmt.number(value, lang, digits=1)
    if kind == "score":
        return fmt.MISSING if fmt.is_missing(value) else f"{float(value):.2f}"
    if kind == "money":
        return fmt.money_amount(value, lang)
    if kind == "check":
        return check_description(value, lang)
    if kind == "example":  # a term code among the examples reads as a term (2024年秋季学期)
        text = "" if fmt.is_missing(value) else str(value)
        return fmt.period(text, lang) if fmt.is_term(text) else (text or fmt.MISSING)
    if kind == "file_list":
        return file_list(value, lang)
    if kind == "rate":
        return fmt.percent(value, lang)
    if kind == "days":
        return fmt.days(value, lang)
    if kind == "date":
        d = fmt.as_date(value)
        return d.isoformat() if d else fmt.MISSING
    if kind == "datetime":
        return fmt.timestamp(value, lang)
    if kind == "status":
        key = st_.normalise(None if fmt.is_missing(value) else value)
        return f"{st_.STYLES[key].glyph} {enum_label('status', key, lang)}"
    if kind == "kpi":
        return kpi_name(str(value), lang)
    if kind == "kpi_value":
        return fmt.kpi_value(value, unit if isinstance(unit, str) else None, lang)
    if kind == "period":
        return fmt.period(None if fmt.is_missing(value) else str(value), lang)
    if kind == "bool":
        return yes_no(None if fmt.is_missing(value) else value, lang)
    return fmt.MISSING if fmt.is_missing(value) else value


def _export(value: Any, kind: str, lang: str, unit: Any = None) -> Any:
    if fmt.is_missing(value):
        return None
    if kind in ("int",):
        return int(value)
    if kind in ("number", "days", "score"):
        return round(float(value), 2)
    if kind == "money":
        return round(float(value), 2)
    if kind == "rate":
        return round(float(value) * 100, 2)
    if kind == "kpi_value":
        return round(float(value) * 100, 2) if unit == "ratio" else round(float(value), 2)
    if kind == "date":
        d = fmt.as_date(value)
        return d.isoformat() if d else None
    if kind in ("datetime",):
        return fmt.timestamp(value, lang)
    return _display(value, kind, lang, unit)


def check_description(message: Any, lang: str) -> str:
    """A quality check in plain words, as the load report prints it: the description in
    the reader's language, then the result (`必填列「区县」不为空 — 通过：0 of 16 …`)."""
    if fmt.is_missing(message) or not str(message).strip():
        return fmt.MISSING
    text = str(message)
    what, _, result = text.partition(" — ")
    zh, sep, en = what.partition(" / ")
    if sep:
        what = zh if lang == "zh" else en
    if result:
        zh_r, sep_r, en_r = result.partition(" / ")
        result = (zh_r if lang == "zh" else en_r) if sep_r else result
        return f"{what} — {result}"
    return what


def file_list(value: Any, lang: str, shown: int = 5) -> str:
    """A load's list of files (stored as a JSON list of paths) as names a person reads:
    `26 个文件：区县名录.csv、学校基本信息表.xlsx、…等`; other text as it is."""
    if fmt.is_missing(value):
        return fmt.MISSING
    text = str(value)
    try:
        items = json.loads(text)
    except ValueError:
        return text
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return text
    names = list(dict.fromkeys(PurePath(i.replace("\\", "/")).name for i in items))
    joined = "、".join(names[:shown]) if lang == "zh" else ", ".join(names[:shown])
    if len(names) > shown:
        joined += t("dq.file_list_more", lang)
    return t("dq.file_list", lang, n=len(names), names=joined)


def _display_label(col: Col, lang: str) -> str:
    label = t(col.label, lang)
    return label + t("unit.money_table", lang) if col.kind == "money" else label


def build(frame: pd.DataFrame, columns: Sequence[Col], lang: str) -> Table:
    """The display and export forms of `frame` with the given columns."""
    display: dict[str, list[Any]] = {}
    export: dict[str, list[Any]] = {}
    units = frame["unit"].tolist() if "unit" in frame else [None] * len(frame)
    for col in columns:
        values = frame[col.source].tolist() if col.source in frame else [None] * len(frame)
        label = t(col.label, lang)
        display[_display_label(col, lang)] = [
            _display(v, col.kind, lang, u) for v, u in zip(values, units, strict=False)
        ]
        export_label = label + _unit_suffix(col.kind, lang)
        if col.kind == "kpi_value":
            export_label = label + t("unit.kpi_value", lang)
        export[export_label] = [
            _export(v, col.kind, lang, u) for v, u in zip(values, units, strict=False)
        ]
    return Table(pd.DataFrame(display), pd.DataFrame(export))


def matrix(frame: pd.DataFrame, lang: str, kpis: Sequence[str] | None = None) -> Table:
    """The district × KPI grid as a table of the same shape (one row per district, one
    column per KPI), so its download is the matrix as seen: the display cells show glyph
    and value, the export holds the numbers (ratios in %, days in days)."""
    kpi_ids = list(kpis or dict.fromkeys(frame["kpi"]))
    names = list(dict.fromkeys(frame["district_name"]))
    cells = {(r.district_name, r.kpi): r for r in frame.itertuples(index=False)}
    district = t("col.district", lang)
    display: dict[str, list[Any]] = {district: names}
    export: dict[str, list[Any]] = {district: names}
    for k in kpi_ids:
        shown, kept = [], []
        for name in names:
            r = cells.get((name, k))
            unit = getattr(r, "unit", None) if r is not None else None
            value = None if r is None else r.value
            status = None if r is None else r.status
            glyph = st_.STYLES[st_.normalise(status)].glyph
            shown.append(f"{glyph} {fmt.kpi_value(value, unit, lang)}" if r is not None else "")
            kept.append(_export(value, "kpi_value", lang, unit))
        display[kpi_name(k, lang)] = shown
        units = (getattr(cells.get((n, k)), "unit", None) for n in names)
        unit_of = next((u for u in units if isinstance(u, str)), None)
        suffix = t("unit.percent", lang) if unit_of == "ratio" else ""
        export[kpi_name(k, lang) + suffix] = kept
    return Table(pd.DataFrame(display), pd.DataFrame(export))


# ---------------------------------------------------------------------------------------
# the tables of the pages
# ---------------------------------------------------------------------------------------
KPI_DISTRICT = (
    Col("district_name", "col.district"),
    Col("kpi", "col.kpi", "kpi"),
    Col("value", "col.value", "kpi_value"),
    Col("target", "col.target", "kpi_value"),
    Col("status", "col.status", "status"),
    Col("numerator", "kpi.numerator", "number"),
    Col("denominator", "kpi.denominator", "number"),
)

KPI_SERIES = (
    Col("period", "col.period", "period"),
    Col("kpi", "col.kpi", "kpi"),
    Col("value", "col.value", "kpi_value"),
    Col("target", "col.target", "kpi_value"),
    Col("status", "col.status", "status"),
)

SCHOOLS = (
    Col("school_code", "col.school_code"),
    Col("school_name", "col.school"),
    Col("stage", "col.stage", "enum:stage"),
    Col("location", "col.location", "enum:location"),
    Col("enrolled", "col.enrolled", "int"),
    Col("lunch_mode", "col.lunch_mode", "enum:lunch_mode"),
    Col("avg_lunch", "col.avg_lunch", "number"),
    Col("avg_after_school", "col.avg_after_school", "number"),
    Col("days_reported", "col.days_reported", "int"),
    Col("completeness", "col.completeness", "rate"),
    Col("open_issues", "col.open_issues", "int"),
)

DAILY = (
    Col("date", "col.date", "date"),
    Col("lunch_students", "col.lunch_students", "int"),
    Col("after_school_students", "col.after_school_students", "int"),
    Col("enrolled", "col.enrolled", "int"),
)

ISSUES = (
    Col("issue_id", "col.issue_id"),
    Col("district_name", "col.district"),
    Col("school_name", "col.school"),
    Col("found_date", "col.found_date", "date"),
    Col("issue_source", "col.source", "enum:issue_source"),
    Col("category", "col.category", "enum:issue_category"),
    Col("severity", "col.severity", "enum:severity"),
    Col("deadline_date", "col.deadline", "date"),
    Col("status", "col.issue_status", "enum:issue_status"),
    Col("days_overdue", "col.days_overdue", "int"),
    Col("description", "col.message"),
)

SCHOOL_ISSUES = (
    Col("issue_id", "col.issue_id"),
    Col("found_date", "col.found_date", "date"),
    Col("issue_source", "col.source", "enum:issue_source"),
    Col("category", "col.category", "enum:issue_category"),
    Col("severity", "col.severity", "enum:severity"),
    Col("deadline_date", "col.deadline", "date"),
    Col("status", "col.issue_status", "enum:issue_status"),
    Col("closed_date", "col.closed_date", "date"),
    Col("days_overdue", "col.days_overdue", "int"),
    Col("description", "col.message"),
)

ISSUE_BREAKDOWN_CATEGORY = (
    Col("label", "col.category", "enum:issue_category"),
    Col("found", "col.issues_found", "int"),
    Col("closed", "col.issues_closed", "int"),
    Col("open", "issues.open_count", "int"),
    Col("median_days", "col.median_days", "days"),
)
ISSUE_BREAKDOWN_SOURCE = (
    Col("label", "col.source", "enum:issue_source"),
    *ISSUE_BREAKDOWN_CATEGORY[1:],
)

FUNDING = (
    Col("district_name", "col.district"),
    Col("program", "col.program", "enum:program"),
    Col("allocated", "funding.allocated", "money"),
    Col("spent", "funding.spent", "money"),
    Col("execution", "col.execution", "rate"),
)

PACE = (
    Col("month", "col.month", "period"),
    Col("ytd_spent", "col.ytd_spent", "money"),
    Col("ytd_share", "col.ytd_share", "rate"),
    Col("target_pace", "col.target_pace", "rate"),
    Col("status", "col.status", "status"),
)

SATISFACTION_DISTRICT = (
    Col("district_name", "col.district"),
    Col("denominator", "col.responses", "int"),
    Col("numerator", "col.satisfied", "int"),
    Col("value", "col.rate", "rate"),
    Col("ci_lower", "col.ci_lower", "rate"),
    Col("ci_upper", "col.ci_upper", "rate"),
    Col("status", "col.status", "status"),
)

SATISFACTION_RESPONDENT = (
    Col("respondent", "col.respondent", "enum:respondent"),
    Col("responses", "col.responses", "int"),
    Col("satisfied", "col.satisfied", "int"),
    Col("value", "col.rate", "rate"),
    Col("ci_lower", "col.ci_lower", "rate"),
    Col("ci_upper", "col.ci_upper", "rate"),
    Col("status", "col.status", "status"),
)

SATISFACTION_ITEMS = (
    Col("item", "col.item", "enum:score_item"),
    Col("mean_score", "col.mean_score", "score"),
    Col("answers", "col.responses", "int"),
)

LOADS = (
    Col("load_id", "col.load_id"),
    Col("started_at", "col.started_at", "datetime"),
    Col("finished_at", "col.finished_at", "datetime"),
    Col("outcome", "col.outcome", "enum:load_outcome"),
    Col("files_loaded", "col.files_loaded", "int"),
    Col("files_skipped", "col.files_skipped", "int"),
    Col("files_rejected", "col.files_rejected", "int"),
    Col("rows_landed", "col.rows_landed", "int"),
    Col("rows_quarantined", "col.rows_quarantined", "int"),
    Col("rows_dropped", "col.rows_dropped", "int"),
    Col("message", "col.message", "file_list"),
)

FILES = (
    Col("load_id", "col.load_id"),
    Col("file_name", "col.file_name"),
    Col("sheet", "col.sheet"),
    Col("source", "col.data_source", "enum:source"),
    Col("status", "col.file_status", "enum:file_status"),
    Col("rows_read", "col.rows_read", "int"),
    Col("rows_landed", "col.rows_landed", "int"),
    Col("rows_quarantined", "col.rows_quarantined", "int"),
    Col("rows_dropped", "col.rows_dropped", "int"),
    Col("header_row", "col.header_row", "int"),
    Col("encoding", "col.encoding"),
    Col("message", "col.message"),
)

QUARANTINE = (
    Col("load_id", "col.load_id"),
    Col("file_name", "col.file_name"),
    Col("sheet", "col.sheet"),
    Col("source", "col.data_source", "enum:source"),
    Col("row_number", "col.row_number", "int"),
    Col("column_name", "col.column_name"),
    Col("raw_value", "col.raw_value"),
    Col("reason", "col.reason", "enum:quarantine_reason"),
    Col("message", "col.message"),
    Col("file_rejected", "col.file_rejected", "bool"),
)

CHECKS = (  # in plain words: the description the load report prints, no GX names
    Col("message", "col.check", "check"),
    Col("success", "col.success", "bool"),
    Col("severity", "col.dq_severity", "enum:dq_severity"),
    Col("stage", "col.stage_dq", "enum:dq_stage"),
    Col("target", "col.check_target"),
    Col("column_name", "col.column_name"),
    Col("element_count", "col.elements", "int"),
    Col("unexpected_count", "col.unexpected", "int"),
    Col("checked_at", "col.checked_at", "datetime"),
)

ORPHANS = (
    Col("source", "col.data_source", "enum:source"),
    Col("reason", "col.reason", "enum:orphan_reason"),
    Col("school_code", "col.school_code"),
    Col("district_code", "col.district_code"),
    Col("row_count", "col.row_count", "int"),
    Col("is_excluded_from_kpis", "col.excluded", "bool"),
    Col("example_key", "col.example", "example"),
    Col("first_date", "col.first_date", "date"),
    Col("last_date", "col.last_date", "date"),
)

NO_LUNCH = (
    Col("district_name", "col.district"),
    Col("school_code", "col.school_code"),
    Col("school_name", "col.school"),
    Col("stage", "col.stage", "enum:stage"),
    Col("location", "col.location", "enum:location"),
    Col("has_after_school", "col.has_after_school", "bool"),
)

BELOW_TARGET = (
    Col("district_name", "col.district"),
    Col("school_code", "col.school_code"),
    Col("school_name", "col.school"),
    Col("kpi", "col.kpi", "kpi"),
    Col("value", "col.value", "kpi_value"),
    Col("target", "col.target", "kpi_value"),
    Col("gap", "col.gap", "kpi_value"),
)

COMPLETENESS = (
    Col("district_name", "col.district"),
    Col("numerator", "col.days_reported", "int"),
    Col("denominator", "kpi.denominator", "int"),
    Col("value", "col.completeness", "rate"),
    Col("status", "col.status", "status"),
)

TABLE_COLUMNS = (
    Col("table", "col.table"),
    Col("column", "col.column"),
    Col("type", "col.type"),
)


# 上报情况 (reporting)
REPORTING_SOURCES = (
    Col("district_name", "col.district"),
    Col("source", "col.data_source", "enum:source"),
    Col("file_name", "col.file_name"),
    Col("received_at", "col.received_at", "datetime"),
    Col("submitted_by", "col.submitted_by"),
    Col("first_day", "col.first_day", "date"),
    Col("last_day", "col.last_day", "date"),
    Col("files", "col.files", "int"),
    Col("on_time_share", "col.on_time_share", "rate"),
)

REPORTING_MISSING = (
    Col("district_name", "col.district"),
    Col("school_code", "col.school_code"),
    Col("school_name", "col.school"),
    Col("missing_days", "col.missing_days", "int"),
    Col("missing_dates", "col.missing_dates"),
)

# 监管: the 需要关注 lists and a school's supervision facts -----------------------------
_WHERE = (
    Col("district_name", "col.district"),
    Col("school_code", "col.school_code"),
    Col("school_name", "col.school"),
)

WATCH_CAMERAS = (
    *_WHERE,
    Col("snapshot_date", "col.snapshot_date", "date"),
    Col("cameras", "col.cameras", "int"),
    Col("online", "col.online", "int"),
    Col("offline", "col.offline", "int"),
)

WATCH_LEADER_MEALS = (
    *_WHERE,
    Col("days_without", "col.days_without_leader", "int"),
    Col("serving_days", "col.serving_days", "int"),
    Col("dates_without", "col.dates_without_leader"),
)

WATCH_MENUS = (
    *_WHERE,
    Col("menu_date", "col.menu_date", "date"),
    Col("dishes", "col.dishes", "int"),
    Col("has_fruit", "col.has_fruit", "bool"),
    Col("has_staple", "col.has_staple", "bool"),
    Col("menu_text", "col.menu_text"),
)

WATCH_STANDARD = (
    *_WHERE,
    Col("lunch_mode", "col.lunch_mode", "enum:lunch_mode"),
    Col("check_date", "col.last_standard_date", "date"),
    Col("result", "col.check_result", "enum:check_result"),
    Col("score", "col.score", "number"),
)

WATCH_DELIVERIES = (
    *_WHERE,
    Col("delivery_id", "col.delivery_id"),
    Col("delivery_date", "col.delivery_date", "date"),
    Col("category", "col.food_category", "enum:food_category"),
    Col("amount", "col.amount_yuan", "number"),
    Col("unified", "col.unified", "bool"),
    Col("certified_active", "col.certified_active", "bool"),
    Col("supplier_id", "col.supplier_id"),
    Col("supplier_name", "col.supplier"),
    Col("supplier_problem", "col.supplier_problem", "enum:supplier_problem"),
)

WATCH_SUPPLIERS = (
    Col("supplier_id", "col.supplier_id"),
    Col("supplier_name", "col.supplier"),
    Col("district_name", "col.district"),
    Col("certified", "col.certified", "bool"),
    Col("admitted_date", "col.admitted_date", "date"),
    Col("exited_date", "col.exited_date", "date"),
    Col("change", "col.supplier_change", "enum:supplier_change"),
)

SCHOOL_COMPANIONS = (
    Col("role", "col.role", "enum:companion_role"),
    Col("records", "col.records", "int"),
    Col("people", "col.people", "int"),
    Col("mean_rating", "col.mean_rating", "score"),
)

SCHOOL_MENUS = (
    Col("menu_date", "col.menu_date", "date"),
    Col("dishes", "col.dishes", "int"),
    Col("meat_dishes", "col.meat_dishes", "int"),
    Col("has_fruit", "col.has_fruit", "bool"),
    Col("has_staple", "col.has_staple", "bool"),
    Col("meets_standard", "col.meets_standard", "bool"),
    Col("published_date", "col.published_date", "date"),
    Col("menu_text", "col.menu_text"),
)

SCHOOL_CHECKS = (
    Col("check_id", "col.check_id"),
    Col("check_date", "col.check_date", "date"),
    Col("kind", "col.check_kind", "enum:check_kind"),
    Col("result", "col.check_result", "enum:check_result"),
    Col("score", "col.score", "number"),
)

SCHOOL_DELIVERIES = (
    Col("is_bulk", "col.is_bulk", "bool"),
    Col("unified", "col.unified", "bool"),
    Col("certified_active", "col.certified_active", "bool"),
    Col("deliveries", "col.deliveries", "int"),
    Col("amount", "col.amount_yuan", "number"),
)
