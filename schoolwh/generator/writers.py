"""Writing sheets the way bureaus do: CSV in a chosen encoding, XLSX with real cells.

A `Sheet` is rows above the header (titles, unit lines, blank rows), the header, the
body, and rows below (合计, notes). Every file gets a fixed modification time, and XLSX
files fixed document properties, so that the same data gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import xlsxwriter

Cell = str | int | float | date | None
Row = Sequence[Cell]

CHINA = timezone(timedelta(hours=8))
EXCEL_EPOCH = date(1899, 12, 30)
STREAM_ROWS = 200_000


def excel_serial(day: date) -> int:
    """The Excel serial number of a date (1900 date system)."""
    return (day - EXCEL_EPOCH).days


def stamp(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A fixed Beijing-time timestamp, used for file times."""
    return datetime(year, month, day, hour, 0, 0, tzinfo=CHINA)


@dataclass
class Sheet:
    """One sheet (or one CSV file) as rows; see the module docstring."""

    name: str
    header: list[str]
    body: list[list[Cell]]
    above: list[list[Cell]] = field(default_factory=list)
    below: list[list[Cell]] = field(default_factory=list)
    # column index -> Excel number format (dates need one to show as dates)
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        """1-based spreadsheet row of the header."""
        return len(self.above) + 1

    def row_number(self, body_index: int) -> int:
        """1-based spreadsheet row of a body row, as a person sees it in Excel."""
        return self.header_row + 1 + body_index

    @property
    def rows(self) -> list[Row]:
        return [*self.above, self.header, *self.body, *self.below]


def write_csv(path: Path, sheet: Sheet, encoding: str, when: datetime) -> int:
    """Write a sheet as CSV (CRLF lines, as Excel does); return the bytes written."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(sheet.rows)  # None is written as an empty cell
    data = buf.getvalue().encode(encoding)
    path.write_bytes(data)
    set_mtime(path, when)
    return len(data)


def write_xlsx(path: Path, sheets: Sequence[Sheet], when: datetime, title: str) -> int:
    """Write sheets into one workbook with fixed properties; return the bytes written."""
    # Streaming rows to disk halves the speed; only very large sheets need it.
    big = sum(len(s.body) for s in sheets) > STREAM_ROWS
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": big,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    created = when.astimezone(UTC).replace(tzinfo=None)
    book.set_properties({"title": title, "author": "郑州市教育局", "created": created})
    bold = book.add_format({"bold": True})
    title_format = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        formats = {i: book.add_format({"num_format": f}) for i, f in sheet.formats.items()}
        width = max(len(sheet.header), 1)
        for i, w in sheet.widths.items():
            ws.set_column(i, i, w)
        r = 0
        for k, row in enumerate(sheet.above):
            if k == 0 and len(row) == 1 and width > 1:
                ws.merge_range(r, 0, r, width - 1, row[0], title_format)
            else:
                _write_row(ws, r, row, {})
            r += 1
        for c, name in enumerate(sheet.header):
            ws.write_string(r, c, name, bold)
        r += 1
        for row in sheet.body:
            _write_row(ws, r, row, formats)
            r += 1
        for row in sheet.below:
            _write_row(ws, r, row, formats)
            r += 1
    book.close()
    set_mtime(path, when)
    return path.stat().st_size


def _write_row(ws, r: int, row: Row, formats: dict) -> None:
    for c, v in enumerate(row):
        if v is None or v == "":
            continue
        if isinstance(v, str):
            ws.write_string(r, c, v)
        elif isinstance(v, date):
            ws.write_number(r, c, excel_serial(v), formats.get(c))
        elif isinstance(v, bool):
            ws.write_boolean(r, c, v)
        else:
            ws.write_number(r, c, v, formats.get(c))


def set_mtime(path: Path, when: datetime) -> None:
    """Give a file a fixed access and modification time."""
    ts = when.timestamp()
    os.utime(path, (ts, ts))
