"""Reading CSV, XLSX/XLSM, XLS and ODS files into sheets of text cells, keeping spreadsheet
row numbers, within bounds.

A sheet is read in two steps: its first rows (`head`) to find the header, then its
data rows below the header as a polars frame of strings with a `_row_number` column
holding the row number a person sees in Excel. Workbooks are read with python-calamine.

Every file is bounded before it is read (see the caps below): a zip's declared
uncompressed sizes, then each sheet's XML streamed once for its declared and actual size;
a file beyond a cap is rejected with a message naming the file, the sheet and the cap,
never read into memory first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.encodings import decode_csv

HEAD_ROWS = 10  # the header must start within the first 10 rows
HEADER_DEPTH = 4  # a header block spans at most 4 rows
ROW = "_row_number"
EXTRA = "_extra_cells"  # CSV cells to the right of the header's last column, when any
SHORT = "_short_row"  # CSV rows with fewer cells than the header: how many they have
LONG = "_long_cell"  # cells longer than MAX_CELL_CHARS: which and how long

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (".csv", *WORKBOOK_SUFFIXES)

# Caps: far beyond any bureau file, far below what exhausts the machine.
MAX_FILE_BYTES = 256 << 20  # a file on disk (a province month of daily rows: ≈ 15 MB)
MAX_UNCOMPRESSED_BYTES = 512 << 20  # everything inside one XLSX/ODS zip
MAX_ROWS_PER_FILE = 5_000_000
MAX_COLUMNS = 1_024  # cells per row (Excel 2003 had 256)
MAX_SHEET_CELLS = 20_000_000  # the extent (rows × columns) of one sheet
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_HIDDEN_SPANS = 100_000  # runs of hidden rows in one sheet
SAMPLE_CHARS = 200  # what a too-long cell keeps in the quarantine

csv.field_size_limit(MAX_FILE_BYTES)  # long cells are a row problem, not a csv.Error


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx


class ReadError(ValueError):
    pass


Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col))
Span = tuple[int, int]  # (first row, last row), 1-based, inclusive


def hidden_mask(rows: pl.Series, spans: tuple[Span, ...]) -> pl.Series:
    """Which of `rows` (1-based numbers) lie in one of the sorted, disjoint `spans`."""
    if not spans:
        return pl.Series([False] * len(rows), dtype=pl.Boolean)
    firsts = pl.Series([a for a, _ in spans], dtype=pl.Int64)
    lasts = pl.Series([b for _, b in spans], dtype=pl.Int64)
    at = firsts.search_sorted(rows.cast(pl.Int64), side="right").cast(pl.Int64) - 1
    inside = at >= 0
    last = lasts.gather(at.clip(lower_bound=0))
    return (inside & (rows.cast(pl.Int64) <= last)).alias("hidden")


def _spans(rows: list[Span]) -> tuple[Span, ...]:
    """Sorted, merged spans."""
    out: list[list[int]] = []
    for a, b in sorted(rows):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


@dataclass
class Sheet:
    name: str | None  # None for CSV
    head: list[list[str | None]]  # the first rows (HEAD_ROWS + HEADER_DEPTH), as text
    merges: list[Merge] = field(default_factory=list)  # 0-based, inclusive
    hidden: bool = False
    delimiter: str = ","  # CSV: the cell separator found (`sniff_delimiter`)
    hidden_rows: tuple[Span, ...] = ()  # rows hidden in the workbook (1-based, inclusive)
    _rows: Callable[[], list[list]] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    def data(self, start: int, width: int) -> pl.DataFrame:
        """Rows from 0-based row `start` on as strings, `column_0..`, + _row_number (and the
        EXTRA, SHORT and LONG flags where a row has them)."""
        names = [f"column_{i}" for i in range(width)]
        if self._rows is not None:
            frame = _book_frame(self._rows(), start, names)
        else:
            frame = _csv_frame(self._text or "", start, names, self.delimiter)
        frame = _flag_long_cells(frame, names)
        first = start + 1
        return frame.with_row_index(ROW, offset=first).with_columns(pl.col(ROW).cast(pl.Int32))


def read_file(path: Path, data: bytes) -> tuple[list[Sheet], str | None]:
    """Sheets of a file and the CSV encoding (None for workbooks)."""
    suffix = path.suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(_cap_message("文件大小", "file size", len(data), MAX_FILE_BYTES, "bytes"))
    if not data.strip():
        raise ReadError("空文件（没有任何内容）/ empty file: it holds nothing")
    if suffix == ".csv":
        lines = data.count(b"\n")
        if lines > MAX_ROWS_PER_FILE:
            raise ReadError(_cap_message("行数", "rows", lines, MAX_ROWS_PER_FILE, "rows"))
        text, encoding = decode_csv(data)
        return [_csv_sheet(text)], encoding
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_sheets(data, suffix), None
    raise ReadError(
        f"不支持的文件类型「{path.suffix}」，请使用 .csv、.xlsx、.xls 或 .ods / "
        f"unsupported file type {path.suffix!r}: use .csv, .xlsx, .xls or .ods"
    )


def _cap_message(zh: str, en: str, found: int, cap: int, unit: str, where: str = "") -> str:
    at = f"「{where}」" if where else ""
    at_en = f" in sheet {where!r}" if where else ""
    return (
        f"文件过大，未读取：{at}{zh} {found:,} 超过上限 {cap:,} / file too large, not read: "
        f"{en}{at_en} {found:,} is beyond the cap of {cap:,} {unit}"
    )


# --- CSV -----------------------------------------------------------------------------


DELIMITERS = {",": ("逗号", "commas"), "\t": ("制表符", "tabs"), ";": ("分号", "semicolons")}
_SNIFF_CHARS = 1 << 16


def sniff_delimiter(text: str) -> str:
    """The cell separator of a CSV: of comma, tab and semicolon, the one that splits most
    of its first lines into rows of one width (of two cells or more), then the wider; a
    tie keeps the comma. A comment full of semicolons in a comma file is one odd line."""
    sample = "\n".join(text[:_SNIFF_CHARS].split("\n")[: HEAD_ROWS + HEADER_DEPTH])
    best, score = ",", (0, 0)
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=d) if len(r) > 1]
        if not widths:
            continue
        width, lines = Counter(widths).most_common(1)[0]
        if (lines, width) > score:
            best, score = d, (lines, width)
    return best


def _csv_sheet(text: str) -> Sheet:
    head = []
    delimiter = sniff_delimiter(text)
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if i >= HEAD_ROWS + HEADER_DEPTH:
            break
        if len(row) > MAX_COLUMNS:
            raise ReadError(
                _cap_message(
                    f"第 {i + 1} 行的单元格数",
                    f"cells on row {i + 1}",
                    len(row),
                    MAX_COLUMNS,
                    "cells",
                )
            )
        head.append([_clip(c) if c != "" else None for c in row])
    return Sheet(None, head, delimiter=delimiter, _text=text)


def _clip(cell: str) -> str:
    return cell if len(cell) <= MAX_CELL_CHARS else cell[:SAMPLE_CHARS]


def _csv_frame(text: str, start: int, names: list[str], delimiter: str = ",") -> pl.DataFrame:
    # Find where the data starts: after `start` records.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for _ in range(start):
        next(reader, None)
    rest = _skip_lines(text, reader.line_num)
    schema = dict.fromkeys(names, pl.String)
    if not rest.strip():
        return pl.DataFrame(schema=schema)
    try:
        frame = pl.read_csv(
            rest.encode("utf-8"),  # bytes: polars reads them faster than a text stream
            has_header=False,
            separator=delimiter,
            new_columns=names,
            schema=schema,
            truncate_ragged_lines=False,  # a row wider than the header is not cut silently
        )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
        frame = None  # a row has more cells than the header: read it with the csv module
    expected = rest.count("\n") + (0 if rest.endswith("\n") else 1)
    if frame is not None and frame.height == expected:
        return _flag_short_fast(frame, rest, names, delimiter)
    # Quoted fields spanning lines or ragged rows: the csv module counts records as Excel
    # does. Cells beyond the header go to EXTRA (e.g. an unquoted 1,234 split in two).
    rows = list(csv.reader(io.StringIO(rest), delimiter=delimiter))
    width = len(names)
    cols = {
        n: [r[i] if i < len(r) and r[i] != "" else None for r in rows] for i, n in enumerate(names)
    }
    extra = [",".join(c for c in r[width:] if c.strip()) or None for r in rows]
    short = [len(r) if 0 < len(r) < width and any(c.strip() for c in r) else None for r in rows]
    if any(e is not None for e in extra):
        cols[EXTRA] = extra
        schema[EXTRA] = pl.String
    if any(s is not None for s in short):
        cols[SHORT] = short
        schema[SHORT] = pl.Int32
    return pl.DataFrame(cols, schema=schema)


def _flag_short_fast(
    frame: pl.DataFrame, rest: str, names: list[str], delimiter: str = ","
) -> pl.DataFrame:
    """polars pads a row with fewer cells than the header with nulls: find such rows among
    those whose last cell is empty, by counting the cells of their lines."""
    if len(names) < 2:
        return frame
    last = frame[names[-1]]
    if not last.null_count():
        return frame
    candidates = frame.with_row_index("_i").filter(
        pl.col(names[-1]).is_null() & pl.any_horizontal(pl.col(names[:-1]).is_not_null())
    )["_i"]
    if not len(candidates):
        return frame
    lines = rest.split("\n")
    short: list[int | None] = [None] * frame.height
    found = False
    for i in candidates.to_list():
        cells = next(csv.reader([lines[i]], delimiter=delimiter), [])
        if len(cells) < len(names):
            short[i] = len(cells)
            found = True
    if not found:
        return frame
    return frame.with_columns(pl.Series(SHORT, short, dtype=pl.Int32))


def _skip_lines(text: str, n: int) -> str:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    return text[pos:]


def _flag_long_cells(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Cells beyond MAX_CELL_CHARS: kept as a short sample, the row flagged (LONG)."""
    if not names or frame.height == 0:
        return frame
    longest = frame.select(pl.max_horizontal(pl.col(names).str.len_bytes().max())).item()
    if longest is None or longest <= MAX_CELL_CHARS:  # bytes ≥ characters
        return frame
    lengths = [pl.col(n).str.len_chars() for n in names]
    flag = pl.concat_str(
        [
            pl.when(n > MAX_CELL_CHARS).then(pl.format("{}:{}", pl.lit(i + 1), n))
            for i, n in enumerate(lengths)
        ],
        separator=",",
        ignore_nulls=True,
    )
    clipped = [
        pl.when(pl.col(n).str.len_chars() > MAX_CELL_CHARS)
        .then(pl.col(n).str.slice(0, SAMPLE_CHARS) + pl.lit("…"))
        .otherwise(pl.col(n))
        .alias(n)
        for n in names
    ]
    frame = frame.with_columns(pl.when(flag != "").then(flag).alias(LONG))
    return frame.with_columns(clipped)


def _book_frame(rows: list[list], start: int, names: list[str]) -> pl.DataFrame:
    """A workbook's rows (as calamine gives them: rectangular, "" for a blank cell) from
    row `start` on, as text, column by column: a column of text only is handed to polars
    as it is; only cells of other types are turned into text one by one."""
    body = rows[start:]
    width = len(rows[0]) if rows else 0
    cols = {}
    for i, n in enumerate(names):
        if i >= width:
            cols[n] = pl.Series(n, [None] * len(body), dtype=pl.String)
            continue
        col = [r[i] for r in body]
        types = set(map(type, col))
        if types <= {str}:
            cols[n] = pl.Series(n, col, dtype=pl.String)
        elif types <= {str, float}:
            cols[n] = _numbers_as_text(n, col)
        elif types <= {str, dt.datetime}:
            cols[n] = _datetimes_as_text(n, col)
        else:
            col = [v if v.__class__ is str else cell_text(v) for v in col]
            cols[n] = pl.Series(n, col, dtype=pl.String)
    frame = pl.DataFrame(cols) if cols else pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    # a blank cell ("" or spaces) is no value
    return frame.with_columns(
        pl.when(pl.col(n).str.strip_chars() != "").then(pl.col(n)).alias(n) for n in names
    )


def _numbers_as_text(name: str, col: list) -> pl.Series:
    """A column of text and numbers as `cell_text` writes it (4101050001.0 as 4101050001),
    the whole numbers turned into text by polars."""
    texts = pl.Series(name, [v if v.__class__ is str else None for v in col], dtype=pl.String)
    nums = pl.Series(name, [v if v.__class__ is float else None for v in col], dtype=pl.Float64)
    whole = nums.is_finite() & (nums == nums.floor()) & (nums.abs() < 1e16)
    as_text = (
        pl.DataFrame({"v": nums, "w": whole})
        .select(pl.when(pl.col("w")).then(pl.col("v").cast(pl.Int64).cast(pl.String)))
        .to_series()
    )
    odd = (~whole.fill_null(True)).arg_true()
    if len(odd):
        values = as_text.to_list()
        for i in odd.to_list():
            values[i] = cell_text(col[i])
        as_text = pl.Series(name, values, dtype=pl.String)
    return texts.fill_null(as_text).alias(name)


def _datetimes_as_text(name: str, col: list) -> pl.Series:
    """A column of text and date-times as `cell_text` writes it (a date at midnight as
    2025-09-01), the dates turned into text by polars."""
    texts = pl.Series(name, [v if v.__class__ is str else None for v in col], dtype=pl.String)
    stamps = pl.Series(
        name, [v if v.__class__ is dt.datetime else None for v in col], dtype=pl.Datetime("us")
    )
    frame = pl.DataFrame({"v": stamps}).select(
        pl.col("v").dt.strftime("%Y-%m-%d").alias("day"),
        (pl.col("v") == pl.col("v").dt.truncate("1d")).alias("midnight"),
    )
    as_text = frame["day"]
    other = (~frame["midnight"].fill_null(True)).arg_true()
    if len(other):
        values = as_text.to_list()
        for i in other.to_list():
            values[i] = cell_text(col[i])
        as_text = pl.Series(name, values, dtype=pl.String)
    return texts.fill_null(as_text).alias(name)


# --- workbooks -----------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a person sees: dates ISO, 4101050001.0 as 4101050001."""
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
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if text.strip() != "" else None


def _workbook_sheets(data: bytes, suffix: str) -> list[Sheet]:
    if suffix in (".xlsx", ".xlsm", ".ods") and not data.startswith(OLE_MAGIC):
        check_zip(data, suffix)  # an OLE file is an .xls saved under another name, or encrypted
    import python_calamine as calamine  # only workbooks need it

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise ReadError(
            "该文件已加密（设有打开密码），请取消密码后重新导出 / the workbook is encrypted "
            f"(password-protected): remove the password and save it again ({exc})"
        ) from exc
    except Exception as exc:  # calamine raises several types for damaged files
        raise ReadError(
            "无法打开该 Excel/ODS 文件（文件可能已损坏或已加密，加密的文件请取消密码后重新保存）/ "
            f"cannot open the workbook (damaged, or encrypted: remove the password and save it "
            f"again): {exc}"
        ) from exc
    ods_merges, hidden_rows = _ods_merges(data) if suffix == ".ods" else ({}, {})
    if suffix in (".xlsx", ".xlsm") and not data.startswith(OLE_MAGIC):
        hidden_rows = _xlsx_hidden_rows(data)
    elif data.startswith(OLE_MAGIC):  # .xls, or an .xls saved under another name
        from ingest.biff import hidden_rows as xls_hidden_rows

        hidden_rows = {k: _spans([(r, r) for r in v]) for k, v in xls_hidden_rows(data).items()}
    sheets = []
    for index, meta in enumerate(book.sheets_metadata):
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
            continue  # chart sheets and macro sheets hold no rows
        hidden = str(meta.visible).rsplit(".", 1)[-1] != "Visible"
        if hidden:
            sheets.append(Sheet(meta.name, [], hidden=True))
            continue
        sheet = _book_sheet(book, index, meta.name, calamine)
        if not sheet.merges and meta.name in ods_merges:
            sheet.merges = ods_merges[meta.name]
        sheet.hidden_rows = hidden_rows.get(meta.name, ())
        sheets.append(sheet)
    return sheets


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(data: bytes) -> tuple[dict[str, list[Merge]], dict[str, tuple[Span, ...]]]:
    """Merged cells in the first rows of each ODS table (calamine gives none for ODS):
    cells spanning columns or rows; and each table's hidden rows (collapsed or filtered
    out), from content.xml (already bounded by `check_zip`)."""
    import xml.etree.ElementTree as ET

    out: dict[str, list[Merge]] = {}
    hidden: dict[str, list[Span]] = {}
    head = HEAD_ROWS + HEADER_DEPTH
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as f:
            table, row, col = None, 0, 0
            for event, el in ET.iterparse(f, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == f"{_TABLE}table":
                        table, row = el.get(f"{_TABLE}name"), 0
                        out.setdefault(table or "", [])
                    elif tag == f"{_TABLE}table-row":
                        col = 0
                    elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                        span_c = int(el.get(f"{_TABLE}number-columns-spanned", "1"))
                        span_r = int(el.get(f"{_TABLE}number-rows-spanned", "1"))
                        if row < head and (span_c > 1 or span_r > 1) and table is not None:
                            out[table].append(((row, col), (row + span_r - 1, col + span_c - 1)))
                        col += int(el.get(f"{_TABLE}number-columns-repeated", "1"))
                elif tag == f"{_TABLE}table-row":
                    rep = int(el.get(f"{_TABLE}number-rows-repeated", "1"))
                    if el.get(f"{_TABLE}visibility", "visible") != "visible" and table is not None:
                        hidden.setdefault(table, []).append((row + 1, row + rep))
                    row += rep
                    el.clear()
    except (KeyError, ET.ParseError, ValueError, zipfile.BadZipFile, OSError):
        return {}, {}
    return {k: v for k, v in out.items() if v}, {k: _spans(v) for k, v in hidden.items()}


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_R = re.compile(rb'\sr="(\d{1,8})"')
_HIDDEN = re.compile(rb'\shidden="(?:1|true)"')


def _last_row(body: bytes, last: int) -> int:
    """The number of the last row tag of a piece of sheet XML (`last` when it has none)."""
    at = max(body.rfind(b"<row"), body.rfind(b":row"))
    if at < 0:
        return last
    m = _ROW_TAG.match(body, body.rfind(b"<", 0, at + 1))
    r = _ROW_R.search(m.group(1)) if m else None
    if r:
        return int(r.group(1))
    return last + len(_ROW_TAG.findall(body))  # rows without numbers: count them


def _xlsx_hidden_rows(data: bytes) -> dict[str, tuple[Span, ...]]:
    """Each XLSX sheet's hidden rows (`<row hidden="1">`: hidden by hand or filtered out;
    calamine does not say), streamed once through the sheet XML (already bounded by
    `check_zip`), keeping spans, not rows."""
    out: dict[str, tuple[Span, ...]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = _xlsx_sheet_names(archive)
            for member, name in names.items():
                spans: list[Span] = []
                last, tail = 0, b""
                with archive.open(member) as stream:
                    while True:
                        chunk = stream.read(_CHUNK)
                        buf = tail + chunk
                        cut = buf.rfind(b"<") if chunk else len(buf)
                        body, tail = buf[:cut], buf[cut:]
                        if len(tail) > 1 << 16:
                            body, tail = buf, b""
                        if b"hidden=" not in body:  # the usual piece: only the last row matters
                            last = _last_row(body, last)
                            if not chunk:
                                break
                            continue
                        for m in _ROW_TAG.finditer(body):
                            r = _ROW_R.search(m.group(1))
                            last = int(r.group(1)) if r else last + 1
                            if _HIDDEN.search(m.group(1)):
                                if spans and spans[-1][1] == last - 1:
                                    spans[-1] = (spans[-1][0], last)
                                else:
                                    spans.append((last, last))
                                    if len(spans) > MAX_HIDDEN_SPANS:
                                        raise ReadError(
                                            _cap_message(
                                                "隐藏行的段数",
                                                "runs of hidden rows",
                                                len(spans),
                                                MAX_HIDDEN_SPANS,
                                                "runs",
                                                name,
                                            )
                                        )
                        if not chunk:
                            break
                if spans:
                    out[name] = _spans(spans)
    except ReadError:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return {}
    return out


def _book_sheet(book, index: int, name: str, calamine) -> Sheet:
    try:
        sheet = book.get_sheet_by_index(index)
    except Exception as exc:
        raise ReadError(
            f"无法读取工作表「{name}」（可能已损坏）/ cannot read sheet {name!r} (damaged?): {exc}"
        ) from exc
    end = sheet.end
    if end is not None:
        height, width = end[0] + 1, end[1] + 1
        if height > MAX_ROWS_PER_FILE:
            raise ReadError(_cap_message("行数", "rows", height, MAX_ROWS_PER_FILE, "rows", name))
        if width > MAX_COLUMNS:
            raise ReadError(_cap_message("列数", "columns", width, MAX_COLUMNS, "columns", name))
    head_rows = HEAD_ROWS + HEADER_DEPTH
    head = [_text_row(r) for r in sheet.to_python(skip_empty_area=False, nrows=head_rows)]
    merges = list(sheet.merged_cell_ranges or [])

    def rows() -> list[list]:
        return sheet.to_python(skip_empty_area=False)

    return Sheet(name, head, merges, _rows=rows)


def _text_row(row: list) -> list[str | None]:
    out = []
    for v in row:
        if v == "" or v is None:
            out.append(None)
        elif isinstance(v, str):
            out.append(v if v.strip() else None)
        else:
            out.append(cell_text(v))
    while out and out[-1] is None:
        out.pop()
    return out


# --- bounds of a zipped workbook, checked while streaming ------------------------------

_CHUNK = 1 << 20
_ODS_TOKEN = re.compile(rb"<table:(table-row|table-cell)\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{1,4})(\d{1,8})"')
_DIM = re.compile(rb'\bref="[A-Z]{1,4}\d{1,8}:([A-Z]{1,4})(\d{1,8})"')
_ROWS_REP = re.compile(rb'number-rows-repeated="(\d+)"')
_COLS_REP = re.compile(rb'number-columns-repeated="(\d+)"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_zip(data: bytes, suffix: str) -> None:
    """Refuse a zipped workbook beyond the caps: first by the sizes its directory declares,
    then by streaming each sheet (bytes, declared dimension, rows, columns, cells)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(
            f"无法打开该文件（文件已损坏，或不是 {suffix[1:].upper()} 文件）/ cannot open the file "
            f"(damaged, or not a {suffix[1:].upper()} file): {exc}"
        ) from exc
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise ReadError(
            _cap_message(
                "解压后大小", "uncompressed size", declared, MAX_UNCOMPRESSED_BYTES, "bytes"
            )
        )
    # Every member is read to its end once: Python's zipfile stops at the declared size and
    # checks the CRC there, so a member lying about its size is caught, not inflated.
    budget = {"bytes": 0}
    if suffix == ".ods":
        for info in infos:
            token = _ODS_TOKEN if info.filename == "content.xml" else None
            _scan(archive, info.filename, token, "ods", budget)
        return
    names = _xlsx_sheet_names(archive)
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            where = names.get(info.filename, info.filename)
            _scan(archive, info.filename, None, "xlsx", budget, where)
        else:
            _scan(archive, info.filename, None, "bytes", budget)


def _xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """xl/worksheets/sheetN.xml → the sheet's name (for messages)."""
    try:
        book = archive.read("xl/workbook.xml")[: 4 << 20].decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels")[: 4 << 20].decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        rid, target = _attribute(m.group(1), "Id"), _attribute(m.group(1), "Target")
        if rid and target:
            targets[rid] = target
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", book):
        name, rid = _attribute(m.group(1), "name"), _attribute(m.group(1), "r:id")
        if name is None or rid is None:
            continue
        target = targets.get(rid, "").lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        out[path] = (name.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')).replace(
            "&amp;", "&"
        )
    return out


def _attribute(attributes: str, name: str) -> str | None:
    """An XML attribute's value from a tag's attribute text, in whatever order they come."""
    m = re.search(r"(?:^|\s)" + re.escape(name) + r'="([^"]*)"', attributes)
    return m.group(1) if m else None


_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Z]+)\d')


def _scan(
    archive, member: str, token: re.Pattern | None, kind: str, budget: dict, where=""
) -> None:
    """Stream one sheet's XML once, stopping at the first cap it passes."""
    budget.setdefault("bytes", 0)
    state = {"rows": 0, "cells": 0, "max_row": 0, "max_col": 0, "row_rep": 1, "counted": True}
    tail = b""
    first = True
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                budget["bytes"] += len(chunk)
                if budget["bytes"] > MAX_UNCOMPRESSED_BYTES:
                    raise ReadError(
                        _cap_message(
                            "解压后大小",
                            "uncompressed size",
                            budget["bytes"],
                            MAX_UNCOMPRESSED_BYTES,
                            "bytes",
                            where,
                        )
                    )
                buf = tail + chunk
                cut = buf.rfind(b"<")
                body, tail = (buf[:cut], buf[cut:]) if cut >= 0 else (buf, b"")
                if len(tail) > 1 << 16:  # a tag this long is no tag: move on
                    body, tail = buf, b""
                if kind == "xlsx":
                    _scan_xlsx(body, state, where, first)
                elif token is not None:
                    _scan_ods(body, token, state, where)
                first = False
                _check_counts(state, where)
            if tail:
                if kind == "xlsx":
                    _scan_xlsx(tail, state, where, first)
                elif token is not None:
                    _scan_ods(tail, token, state, where)
                _check_counts(state, where)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ReadError(
            f"无法读取文件内容（文件已损坏或已加密？）/ cannot read the workbook (damaged or "
            f"encrypted?): {exc}"
        ) from exc
    if kind == "xlsx":
        _check_extent(state["max_col"], max(state["max_row"], state["rows"]), where)


def _scan_xlsx(body: bytes, state: dict, where: str, first: bool) -> None:
    """Rows, cells and the largest row number and column of one piece of sheet XML, by
    searches that run in C (a sheet of 400,000 rows in a fraction of a second)."""
    if first:
        d = re.search(rb"<(?:\w+:)?dimension\b([^>]*)>", body[:8192])
        if d:
            ref = _DIM.search(d.group(1))
            if ref:
                _check_extent(_col_number(ref.group(1)), int(ref.group(2)), where, declared=True)
    state["rows"] += body.count(b"<row") + body.count(b":row ")
    numbers = _ROW_NUMBER.findall(body)
    if numbers:
        longest = max(map(len, numbers))
        state["max_row"] = max(state["max_row"], int(max(n for n in numbers if len(n) == longest)))
    columns = _CELL_COLUMN.findall(body)
    state["cells"] += body.count(b"<c>") + body.count(b"<c ")  # style-only cells too
    if columns:
        state["max_col"] = max(state["max_col"], max(_col_number(c) for c in set(columns)))


def _scan_ods(body: bytes, token: re.Pattern, state: dict, where: str) -> None:
    for m in token.finditer(body):
        name, attrs = m.group(1), m.group(2)
        if name == b"table-row":
            rep = _ROWS_REP.search(attrs)
            state["row_rep"] = int(rep.group(1)) if rep else 1
            state["counted"] = False
        elif not attrs.endswith(b"/"):  # a cell with content
            rep = _COLS_REP.search(attrs)
            col_rep = int(rep.group(1)) if rep else 1
            if col_rep > MAX_COLUMNS:
                _check_extent(col_rep, 1, where)
            state["cells"] += state["row_rep"] * col_rep
            if not state["counted"]:
                state["rows"] += state["row_rep"]
                state["counted"] = True


def _check_counts(state: dict, where: str) -> None:
    rows = max(state["rows"], state["max_row"])
    if rows > MAX_ROWS_PER_FILE:
        _check_extent(1, rows, where)
    if state["max_col"] > MAX_COLUMNS:
        _check_extent(state["max_col"], 1, where)
    if state["cells"] > MAX_SHEET_CELLS:
        raise ReadError(
            _cap_message("单元格数", "cells", state["cells"], MAX_SHEET_CELLS, "cells", where)
        )


def _check_extent(cols: int, rows: int, where: str, declared: bool = False) -> None:
    zh, en = ("声明的", "declared ") if declared else ("", "")
    if rows > MAX_ROWS_PER_FILE:
        raise ReadError(
            _cap_message(f"{zh}行数", f"{en}rows", rows, MAX_ROWS_PER_FILE, "rows", where)
        )
    if cols > MAX_COLUMNS:
        raise ReadError(
            _cap_message(f"{zh}列数", f"{en}columns", cols, MAX_COLUMNS, "columns", where)
        )
    if rows * cols > MAX_SHEET_CELLS:
        raise ReadError(
            _cap_message(
                f"{zh}范围（行×列）",
                f"{en}extent (rows × columns)",
                rows * cols,
                MAX_SHEET_CELLS,
                "cells",
                where,
            )
        )
