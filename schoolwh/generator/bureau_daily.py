"""Bureau files of daily participation: one file per month with school days, in varied
forms; each month of the year has its own form, and the latest year's files carry the
planted flaws."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl

from schoolwh.generator.calendar import YEAR, months_with_school_days
from schoolwh.generator.drafts import BureauFile, Draft, FreshCodes, day_text, rows_of, spot
from schoolwh.generator.jurisdiction import Jurisdiction
from schoolwh.generator.writers import Cell, Sheet, excel_serial, stamp

HEADERS = {
    "a": ["学校代码", "日期", "就餐人数", "课后服务人数"],
    "b": ["学校标识码", "就餐日期", "在校就餐人数（人）", "参加课后服务人数（人）"],
    "c": ["学校代码", "日期", "午餐人数", "参加课后服务人数"],
}


@dataclass(frozen=True)
class MonthStyle:
    """How one month's file is written and what is wrong in it."""

    encoding: str | None  # CSV encoding; None = XLSX
    dates: str  # a text form of drafts.DATE_TEXT, or "cell" / "serial" (XLSX)
    header: str
    numeric_codes: bool = False  # XLSX: school codes as number cells
    flaw: str = ""
    orphans: int = 0
    grouped: bool = False  # thousands separators in counts (CSV)
    date_format: str = "yyyy/m/d"


STYLES: dict[int, MonthStyle] = {
    1: MonthStyle(None, "cell", "c"),
    2: MonthStyle("gbk", "slash", "a", flaw="bad_date"),
    3: MonthStyle(None, "cell", "b", numeric_codes=True, flaw="negative_lunch"),
    4: MonthStyle("gbk", "zh", "b", flaw="missing_lunch", orphans=3),
    5: MonthStyle(None, "serial", "a", flaw="duplicate"),
    6: MonthStyle("utf-8", "iso", "c", flaw="negative_after"),
    7: MonthStyle("gbk", "dot", "a", flaw="bad_date"),
    9: MonthStyle(
        None, "cell", "b", numeric_codes=True, flaw="duplicate", orphans=2,
        date_format='yyyy"年"m"月"d"日"',
    ),
    10: MonthStyle("gbk", "slash", "c", flaw="bad_date", grouped=True),
    11: MonthStyle(None, "cell", "a", flaw="negative_lunch", orphans=2),
    12: MonthStyle("gbk", "zh", "b", flaw="missing_code", orphans=2),
}  # fmt: skip


def file_name(year: int, month: int) -> str:
    style = STYLES[month]
    return f"{year}年{month}月午餐及课后服务日报." + ("csv" if style.encoding else "xlsx")


def file_names() -> tuple[str, ...]:
    return tuple(file_name(y, m) for y, m in months_with_school_days())


def _date_cell(day: date, style: MonthStyle) -> Cell:
    if style.dates == "cell":
        return day
    if style.dates == "serial":
        return excel_serial(day)
    return day_text(day, style.dates)


def _code_cell(code: str, style: MonthStyle) -> Cell:
    return int(code) if style.numeric_codes and code.isdigit() else code


def _count_cell(v: int | None, style: MonthStyle) -> Cell:
    if v is None:
        return None if style.encoding is None else ""
    if style.encoding is None:
        return v
    return f"{v:,}" if style.grouped else str(v)


def _body(rows: pl.DataFrame, style: MonthStyle) -> list[list[Cell]]:
    if style.encoding is None:
        frame = rows.select(
            pl.col("school_code").cast(pl.Int64) if style.numeric_codes else "school_code",
            (pl.col("date") - pl.date(1899, 12, 30)).dt.total_days()
            if style.dates == "serial"
            else "date",
            "lunch_students",
            "after_school_students",
        )
        return rows_of(frame)
    fmt = {"slash": "%Y/%-m/%-d", "dot": "%Y.%-m.%-d", "zh": "%Y年%-m月%-d日", "iso": "%Y-%m-%d"}
    counts = [
        pl.col(c).cast(pl.String).fill_null("") for c in ("lunch_students", "after_school_students")
    ]
    frame = rows.select("school_code", pl.col("date").dt.strftime(fmt[style.dates]), *counts)
    body = rows_of(frame)
    if style.grouped:
        for row in body:
            row[2] = f"{int(row[2]):,}"
            if row[3]:
                row[3] = f"{int(row[3]):,}"
    return body


def participation_files(
    j: Jurisdiction, rng: np.random.Generator, fresh: FreshCodes
) -> Iterator[BureauFile]:
    """One file per month with school days; the latest year's with their planted flaw
    and orphans.

    Files are built one at a time, so that a large sample never holds them all.
    """
    orphan = next(fresh)
    months = j.participation.with_columns(
        year=pl.col("date").dt.year(), month=pl.col("date").dt.month()
    )
    missed = j.missed.with_columns(year=pl.col("date").dt.year(), month=pl.col("date").dt.month())
    for year, month in months_with_school_days():
        style = STYLES[month]
        if year != YEAR:  # the same form, nothing planted
            style = replace(style, flaw="", orphans=0)
        here = (pl.col("year") == year) & (pl.col("month") == month)
        rows = months.filter(here).drop("year", "month")
        if rows.height == 0:
            continue
        name = file_name(year, month)
        title = (
            f"郑州市{year}年秋季学期午餐供餐情况统计表（9月）"
            if month == 9
            else f"郑州市{year}年{month}月中小学午餐供餐及课后服务每日情况统计表"
        )
        totals = [
            "合计",
            None,
            _count_cell(int(rows["lunch_students"].sum()), style),
            _count_cell(int(rows["after_school_students"].sum()), style),
        ]
        sheet = Sheet(
            name=f"{month}月",
            header=HEADERS[style.header],
            body=_body(rows, style),
            above=[[title], ["单位：人"], []] if month % 2 == 0 else [[title], []],
            below=[totals, *_notes()],
            formats={1: style.date_format} if style.dates == "cell" else {},
            widths={0: 13, 1: 14, 2: 12, 3: 14},
        )
        draft = Draft(name, sheet, None if style.encoding else sheet.name)
        free = missed.filter(here)
        _plant(draft, style, rng, free, year, month)
        days = rows["date"].unique().sort().to_list()
        picks = sorted(rng.choice(len(days), size=min(style.orphans, len(days)), replace=False))
        for k in picks:
            lunch, after = int(rng.integers(300, 900)), int(rng.integers(300, 900))
            row = [
                _code_cell(orphan, style),
                _date_cell(days[k], style),
                _count_cell(lunch, style),
                _count_cell(after, style),
            ]
            draft.plant(
                spot(rng, sheet.body),
                row,
                "orphan",
                "school_code",
                f"{orphan} is not in the registry (a new school not yet registered)",
            )
        yield BureauFile(
            name,
            [draft],
            stamp(year + 1, 1, 4) if month == 12 else stamp(year, month + 1, 5),
            encoding=style.encoding,
            title=title,
        )


def _notes() -> list[list[Cell]]:
    return [[], ["注：未填报日期视为当日未上报。"], ["填报人：数据平台导出", None, "审核人：吴某"]]


def _plant(draft: Draft, style: MonthStyle, rng, free: pl.DataFrame, year: int, month: int) -> None:
    body = draft.sheet.body
    if not style.flaw:
        return
    if style.flaw == "duplicate":
        k = int(rng.integers(len(body) // 4, len(body)))
        stale = list(body[k])
        stale[2] = _count_cell(int(rng.integers(0, 60)), style)
        draft.plant(
            int(rng.integers(0, k)),
            stale,
            "duplicate_key",
            "school_code",
            f"{stale[0]} on {_iso(body[k][1])} twice; the earlier row is a partial count",
        )
        return
    if free.height == 0:
        return
    code, day, *_ = free.row(int(rng.integers(0, free.height)))
    lunch, after = int(rng.integers(200, 1500)), int(rng.integers(200, 1500))
    row = [
        _code_cell(code, style),
        _date_cell(day, style),
        _count_cell(lunch, style),
        _count_cell(after, style),
    ]
    if style.flaw == "bad_date":
        bad = date(year, month, 1)
        sep = {"slash": "/", "dot": ".", "iso": "-"}.get(style.dates, "/")
        text = f"{bad.year}{sep}{month}{sep}{30 if month == 2 else 32}"
        row[1] = text
        detail = f"{code}: 日期 '{text}' does not exist"
        kind, column = "bad_date", "date"
    elif style.flaw == "negative_lunch":
        row[2] = _count_cell(-12, style) if style.encoding else -12
        kind, column, detail = "negative", "lunch_students", f"{code} {day}: 就餐人数 -12"
    elif style.flaw == "negative_after":
        row[3] = "-5"
        kind, column = "negative", "after_school_students"
        detail = f"{code} {day}: 课后服务人数 -5"
    elif style.flaw == "missing_lunch":
        row[2] = ""
        kind, column, detail = "missing_required", "lunch_students", f"{code} {day}: 就餐人数 empty"
    elif style.flaw == "missing_code":
        row[0] = ""
        kind, column, detail = "missing_required", "school_code", f"{day}: 学校代码 empty"
    else:
        raise ValueError(f"unknown participation flaw {style.flaw!r}")
    draft.plant(spot(rng, body), row, kind, column, detail)


def _iso(cell: Cell) -> str:
    """A date cell of any form as an ISO date, for the flaw list."""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int):
        return date.fromordinal(date(1899, 12, 30).toordinal() + cell).isoformat()
    return str(cell)
