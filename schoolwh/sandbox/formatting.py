"""Query results as text: an aligned table, CSV, or a JSON array of row objects.

The table counts East Asian wide characters (Chinese) as two columns, so columns of
school names line up in a terminal. Only ASCII is used for rules and ellipses: box
drawing characters are drawn double width by many Chinese terminals.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import time
import unicodedata
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from schoolwh.sandbox.runner import SqlError, SqlResult, timeout_message

FORMATS = ("table", "csv", "json")
# Longest cell shown in a table, in terminal columns; csv and json are never cut.
MAX_CELL_WIDTH = 60
NULL_TEXT = "NULL"


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide and full-width characters count 2, marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _clip(text: str, limit: int) -> str:
    if display_width(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        char_width = display_width(char)
        if width + char_width > limit - 3:
            break
        kept.append(char)
        width += char_width
    return "".join(kept) + "..."


def _blob_text(value: bytes) -> str:
    """A blob as DuckDB writes it: printable ASCII kept, other bytes as \\xAB."""
    return "".join(
        chr(byte) if 32 <= byte < 127 and byte != 92 else f"\\x{byte:02X}" for byte in value
    )


def _duration_text(value: dt.timedelta) -> str:
    """An interval as ISO 8601 (P1DT2H3M4.5S)."""
    total = value.total_seconds()
    sign = "-" if total < 0 else ""
    days, rest = divmod(abs(value), dt.timedelta(days=1))
    seconds = rest.total_seconds()
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}P{days}D" if days else f"{sign}P"
    time_part = ""
    if hours:
        time_part += f"{int(hours)}H"
    if minutes:
        time_part += f"{int(minutes)}M"
    if seconds or not (days or time_part):
        time_part += f"{seconds:g}S"
    return text + (f"T{time_part}" if time_part else "")


def value_text(value: Any) -> str:
    """One value as plain text (csv cells, table cells before escaping); NULL is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return _blob_text(bytes(value))
    if isinstance(value, dt.timedelta):
        return _duration_text(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_nested_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_nested_text(k)}: {_nested_text(v)}" for k, v in value.items()) + "}"
        )
    return str(value)


def _nested_text(value: Any) -> str:
    return NULL_TEXT if value is None else value_text(value)


_CHECK_EVERY = 200  # rows formatted between two looks at the clock


def _rows(result: SqlResult):
    """The result's rows; SqlError once its deadline has passed (the timeout covers the
    formatting too, not only the query)."""
    deadline = result.deadline
    for index, row in enumerate(result.rows):
        if deadline is not None and index % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise SqlError(timeout_message(result.timeout or 0.0))
        yield row


def _cell_text(value: Any) -> str:
    if value is None:
        return NULL_TEXT
    text = value_text(value)
    # a table cell shows at most MAX_CELL_WIDTH columns: the rest is never looked at
    # (every character is at least one column, bar marks, hence the margin)
    if len(text) > 4 * MAX_CELL_WIDTH:
        text = text[: 4 * MAX_CELL_WIDTH] + "..."
    if not text.isprintable():
        text = "".join(
            char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
            for char in text
        )
    return _clip(text, MAX_CELL_WIDTH)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def row_count_text(result: SqlResult) -> str:
    """`12 rows`, or `showing first 10,000 rows; more were cut`."""
    count = len(result.rows)
    if result.truncated:
        return f"showing first {count:,} row{'' if count == 1 else 's'}; more were cut"
    return f"{count:,} row{'' if count == 1 else 's'}"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def format_table(result: SqlResult) -> str:
    """Aligned columns, a header rule, and a row-count footer."""
    if not result.columns:
        return "Statement ran; it returns no rows.\n"
    cells = [[_cell_text(value) for value in row] for row in _rows(result)]
    headers = [_clip(name, MAX_CELL_WIDTH) for name in result.columns]
    widths = [display_width(name) for name in headers]
    for row in cells:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], display_width(text))
    right = [
        any(_is_number(row[index]) for row in result.rows)
        and all(row[index] is None or _is_number(row[index]) for row in result.rows)
        for index in range(len(result.columns))
    ]

    def line(texts: Sequence[str], align: Sequence[bool]) -> str:
        padded = [_pad(t, w, r) for t, w, r in zip(texts, widths, align, strict=True)]
        return (" " + " | ".join(padded)).rstrip()

    lines = [line(headers, [False] * len(headers))]
    lines.append("-" + "-+-".join("-" * width for width in widths) + "-")
    lines.extend(line(row, right) for row in cells)
    lines.append(row_count_text(result))
    return "\n".join(lines) + "\n"


def format_csv(result: SqlResult) -> str:
    """A header line and one line per row; NULL is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in _rows(result):
        writer.writerow([value_text(value) for value in row])
    return buffer.getvalue()


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value) if math.isfinite(value) else "null"
    if isinstance(value, Decimal):
        # Written as the number itself, digit for digit (no float rounding).
        return format(value, "f") if value.is_finite() else "null"
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return json.dumps(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)}: {_json_value(v)}" for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, uuid.UUID):
        return json.dumps(str(value))
    return json.dumps(value_text(value), ensure_ascii=False)


def _unique_names(columns: Sequence[str]) -> list[str]:
    """Column names as object keys: a repeated name gets a suffix (a, a_1, a_2)."""
    seen: set[str] = set()
    names = []
    for name in columns:
        candidate, number = name, 0
        while candidate in seen:
            number += 1
            candidate = f"{name}_{number}"
        seen.add(candidate)
        names.append(candidate)
    return names


def format_json(result: SqlResult) -> str:
    """One JSON array of row objects, one object per line; text is not escaped."""
    if not result.rows:
        return "[]\n"
    keys = [json.dumps(name, ensure_ascii=False) for name in _unique_names(result.columns)]
    objects = [
        "{"
        + ", ".join(f"{key}: {_json_value(value)}" for key, value in zip(keys, row, strict=True))
        + "}"
        for row in _rows(result)
    ]
    return "[\n  " + ",\n  ".join(objects) + "\n]\n"


_EXACT_INT = 2**53  # Excel keeps 15 significant digits: larger whole numbers stay text


def _sheet_value(value: Any) -> Any:
    """One value as a spreadsheet cell: numbers, dates and booleans as themselves (so Excel
    sums and sorts them), everything else as its csv text; NULL an empty cell."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _EXACT_INT else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else value_text(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and value.adjusted() < 15 else value_text(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value
    return value_text(value)


def sheet_rows(result: SqlResult) -> tuple[list[str], list[list[Any]]]:
    """The result for a workbook: unique column names and rows of cells Excel reads as
    numbers, dates and text (the timeout covers this too)."""
    return _unique_names(result.columns), [
        [_sheet_value(value) for value in row] for row in _rows(result)
    ]


def format_result(result: SqlResult, fmt: str) -> str:
    """The result as `table`, `csv` or `json` text, ending with a newline."""
    if fmt == "table":
        return format_table(result)
    if fmt == "csv":
        return format_csv(result)
    if fmt == "json":
        return format_json(result)
    raise ValueError(f"Unknown format {fmt!r}: use {', '.join(FORMATS)}.")
