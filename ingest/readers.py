"""Reading CSV and XLSX files into sheets of text cells, keeping spreadsheet row numbers.

A sheet is read in two steps: its first rows (`head`) to find the header, then its
data rows below the header as a polars frame of strings with a `_row_number` column
holding the row number a person sees in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.encodings import decode_csv

HEAD_ROWS = 10  # the header must be within the first 10 rows
ROW = "_row_number"
EXTRA = "_extra_cells"  # CSV cells to the right of the header's last column, when any


class ReadError(ValueError):
    pass


@dataclass
class Sheet:
    name: str | None  # None for CSV
    head: list[list[str | None]]  # the first HEAD_ROWS rows, as text
    _rows: list[list[str | None]] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    def data(self, header_index: int, width: int) -> pl.DataFrame:
        """Rows below the header (0-based index into head) as strings, `column_0..`, + _row_number."""
        names = [f"column_{i}" for i in range(width)]
        if self._rows is not None:
            rows = self._rows[header_index + 1 :]
            cols = {n: [r[i] if i < len(r) else None for r in rows] for i, n in enumerate(names)}
            frame = pl.DataFrame(cols, schema=dict.fromkeys(names, pl.String))
            first = header_index + 2
        else:
            frame, first = _csv_frame(self._text or "", header_index, names)
        return frame.with_row_index(ROW, offset=first).with_columns(pl.col(ROW).cast(pl.Int32))


def read_file(path: Path, data: bytes) -> tuple[list[Sheet], str | None]:
    """Sheets of a .csv or .xlsx file and the CSV encoding (None for XLSX)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, encoding = decode_csv(data)
        return [_csv_sheet(text)], encoding
    if suffix in (".xlsx", ".xlsm"):
        return list(_xlsx_sheets(data)), None
    raise ReadError(
        f"不支持的文件类型「{path.suffix}」，请使用 .csv 或 .xlsx / "
        f"unsupported file type {path.suffix!r}: use .csv or .xlsx"
    )


def _csv_sheet(text: str) -> Sheet:
    head = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if i >= HEAD_ROWS:
            break
        head.append([c if c != "" else None for c in row])
    return Sheet(None, head, _text=text)


def _csv_frame(text: str, header_index: int, names: list[str]) -> tuple[pl.DataFrame, int]:
    # Find where the data starts: after header_index + 1 records.
    reader = csv.reader(io.StringIO(text))
    for _ in range(header_index + 1):
        next(reader, None)
    lines_before = reader.line_num
    rest = _skip_lines(text, lines_before)
    first = header_index + 2
    if not rest.strip():
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String)), first
    try:
        frame = pl.read_csv(
            rest.encode("utf-8"),  # bytes: polars reads them faster than a text stream
            has_header=False,
            new_columns=names,
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=False,  # a row wider than the header is not cut silently
        )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
        frame = None  # a row has more cells than the header: read it with the csv module
    expected = rest.count("\n") + (0 if rest.endswith("\n") else 1)
    if frame is not None and frame.height == expected:
        return frame, first
    # Quoted fields spanning lines or ragged rows: the csv module counts records as Excel
    # does. Cells beyond the header go to EXTRA (e.g. an unquoted 1,234 split in two).
    rows = [r for r in csv.reader(io.StringIO(text))][header_index + 1 :]
    width = len(names)
    cols = {
        n: [r[i] if i < len(r) and r[i] != "" else None for r in rows] for i, n in enumerate(names)
    }
    extra = [",".join(c for c in r[width:] if c.strip()) or None for r in rows]
    schema = dict.fromkeys(names, pl.String)
    if any(e is not None for e in extra):
        cols[EXTRA] = extra
        schema[EXTRA] = pl.String
    return pl.DataFrame(cols, schema=schema), first


def _skip_lines(text: str, n: int) -> str:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    return text[pos:]


def cell_text(value: object) -> str | None:
    """An XLSX cell as the text a person sees: dates ISO, 4101050001.0 as 4101050001."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    text = str(value)
    return text if text.strip() != "" else None


def _xlsx_sheets(data: bytes) -> Iterator[Sheet]:
    import openpyxl  # imported here: only XLSX files need it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ReadError(
            f"无法打开该 Excel 文件（文件可能已损坏或已加密）/ cannot open the XLSX file "
            f"(damaged or encrypted?): {exc}"
        ) from exc
    try:
        for ws in wb.worksheets:
            rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            yield Sheet(ws.title, rows[:HEAD_ROWS], _rows=rows)
    finally:
        wb.close()
