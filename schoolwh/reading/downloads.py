"""Tables as files people open in Excel: CSV in UTF-8 with a BOM, and XLSX.

A download cannot attack its reader: a text cell starting with = + - @ (or a tab or a
carriage return) is a formula to Excel. XLSX cells are written as strings with
xlsxwriter's `strings_to_formulas` and `strings_to_urls` off; CSV cells get a leading
`'`, which Excel shows as text. A school named `=HYPERLINK(...)` arrives as text.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SHEET_BAD = re.compile(r"[\[\]\*\?/\\:]")
_EXCEL_MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what xlsxwriter is told: text stays text, never a formula or a link
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def neutralise(value: object) -> object:
    """A text cell Excel would read as a formula, with a leading `'` (others unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a UTF-8 byte-order mark: Excel on Chinese Windows then reads Chinese right.
    Text starting with = + - @ gets a leading `'`."""
    return _csv_safe(frame).to_csv(index=False).encode("utf-8-sig")


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: no []*?/\\: and at most 31 characters."""
    cleaned = _SHEET_BAD.sub("_", name).strip("'") or "Sheet1"
    return cleaned[:31]


def text_width(text: str) -> int:
    """Columns `text` takes in Excel: a Chinese (wide or full-width) character takes two,
    a combining mark none, others one; the longest line of a multi-line cell."""
    return max(
        sum(
            0
            if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
            else 2
            if unicodedata.east_asian_width(c) in ("W", "F")
            else 1
            for c in line
        )
        for line in text.split("\n")
    )


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.dt.tz_localize(None)
    return out


def to_xlsx_bytes(frame: pd.DataFrame, name: str = "data") -> bytes:
    """An .xlsx workbook with one sheet, a frozen, bold header row and sized columns."""
    buffer = io.BytesIO()
    sheet = sheet_name(name)
    data = _excel_ready(frame)
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}
    ) as writer:
        data.to_excel(writer, sheet_name=sheet, index=False)
        worksheet = writer.sheets[sheet]
        worksheet.freeze_panes(1, 0)
        for i, col in enumerate(data.columns):
            values = ["" if v is None else str(v) for v in data[col].head(500).tolist()]
            widest = max(text_width(v) for v in [str(col), *values])
            worksheet.set_column(i, i, min(max(widest + 2, 8), _EXCEL_MAX_WIDTH))
    return buffer.getvalue()


def file_stem(text: str) -> str:
    """A safe file name stem from a page or table title (Chinese characters kept)."""
    stem = re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")
    return stem or "table"
