"""Vectorised parsing of cell text into typed values.

Parsing a column takes three steps, each evaluated once over the whole column (polars
would otherwise evaluate a shared sub-expression once per use):
1. `cell_text`: the cell's text as the parsers read it (trimmed, NFKC; empty → null);
2. `parse_value`: the typed value from that text (null where the text is unusable);
3. `parse_problem`: from the text and the value, a reason code where the text is
   present but unusable, else null.
Empty cells give a null value and no problem (required columns are checked apart).
"""

from __future__ import annotations

import re

import polars as pl

from ingest.headers import fold
from schoolwh.core.sources import Column

EXCEL_EPOCH = pl.date(1899, 12, 30)  # Excel serial day 1 = 1900-01-01 (with the 1900 leap bug)
SERIAL_MIN, SERIAL_MAX = 20_000, 80_000  # 1954 .. 2119: a 5-digit number in a date column

TRUE_WORDS = ("是", "有", "y", "yes", "true", "1", "√", "t")
FALSE_WORDS = ("否", "无", "n", "no", "false", "0", "×", "f")

_DATE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ t]+0{1,2}:00(?::00(?:\.0+)?)?)?$"
)


# Characters nobody sees: terminal escape sequences (colours, links) and format characters
# (zero-width space and joiners, BOM, bidi marks, soft hyphen) are removed; control characters (tabs, line breaks, escape codes)
# become a space. Either would otherwise make `4101000001` and `4101000001\u200b` two
# schools, or reach a terminal as an escape sequence.
_INVISIBLE = (
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x40-\x5F])"  # escapes
    r"|[\p{Cf}\x{FEFF}]"
)
_CONTROL = r"[\p{Cc}\x{2028}\x{2029}]"
# A code after NFKC (which turns full-width digits and letters into ASCII): digits and
# Latin letters only. A Cyrillic or Greek lookalike letter, a space or any other sign
# is a row problem, never a second school.
# digits and Latin letters, with - _ . / between them (a bureau's own 4101-05); never a space,
# a lookalike letter (Cyrillic, full-width) or another sign
_CODE = r"^[0-9A-Za-z](?:[0-9A-Za-z._/-]*[0-9A-Za-z])?$"
MAX_AMOUNT = 1e16  # DECIMAL(18,2) holds amounts below 1e16 yuan


def _visible(t: pl.Expr) -> pl.Expr:
    """Text without invisible characters, control characters as spaces."""
    return t.str.replace_all(_INVISIBLE, "").str.replace_all(_CONTROL, " ")


def _text(raw: pl.Expr, fold: bool = True, plain: bool = False) -> pl.Expr:
    """NFKC-normalised (unless `fold` is false), visible, trimmed text; empty → null.

    `plain` says the column is ASCII without control characters (`is_ascii`): there is
    nothing to fold or remove, only to trim.
    """
    t = raw
    if not plain:
        t = _visible(raw.str.normalize("NFKC") if fold else raw)
    t = t.str.strip_chars()
    return pl.when(t == "").then(None).otherwise(t)


def is_ascii(raw: pl.Expr) -> pl.Expr:
    """Aggregate: every cell of the column is ASCII without control characters, which
    NFKC and the removal of invisible characters (`_visible`) leave as it is."""
    ascii_only = (raw.str.len_bytes().sum() == raw.str.len_chars().sum()).fill_null(True)
    return ascii_only & ~raw.str.contains(r"[\x00-\x1f\x7f]").any().fill_null(False)


def iso_date(t: pl.Expr) -> pl.Expr:
    """Dates written exactly as YYYY-MM-DD (the fast path of `parse_date`)."""
    return t.str.to_date("%Y-%m-%d", strict=False)


def all_canonical(column: Column, t: pl.Expr) -> pl.Expr | None:
    """Aggregate: every text of the column is empty or in the contract's own plain form
    (dates as YYYY-MM-DD, whole numbers as digits only); None for kinds without a fast
    path. For such a column `parse_value(..., canonical=True)` reads the values directly,
    with exactly the result of the general parser.
    """
    if column.kind == "date":
        canonical = t.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & (
            iso_date(t).dt.to_string("%Y-%m-%d") == t
        )
    elif column.kind in ("int", "year"):
        canonical = t.str.contains(r"^[0-9]+$")
    else:
        return None
    return (t.is_null() | canonical.fill_null(False)).all()


KINDS = (
    "string",
    "text",
    "code",
    "int",
    "number",
    "year",
    "money",
    "bool",
    "date",
    "term",
    "enum",
)


def cell_text(column: Column, raw: pl.Expr, *, ascii_only: bool = False) -> pl.Expr:
    """Step 1: the text the parsers read (free text is only trimmed, never NFKC-folded).

    `ascii_only` says the column holds only ASCII without control characters (see
    `is_ascii`): NFKC and the removal of invisible characters are skipped.
    """
    if column.kind not in KINDS:
        raise ValueError(f"unknown column kind {column.kind}")
    if column.kind == "text":
        t = raw.str.strip_chars()
        return pl.when(t == "").then(None).otherwise(t)
    if column.kind == "string":
        # names and identifiers keep their own forms (a school's full-width brackets),
        # but lose what nobody can see
        return _text(raw, fold=False, plain=ascii_only)
    return _text(raw, plain=ascii_only)


def parse_value(column: Column, t: pl.Expr, factor: int = 1, *, canonical: bool = False) -> pl.Expr:
    """Step 2: the typed value of the text `t` (from `cell_text`).

    `canonical` says every text of the column is in plain form (see `all_canonical`).
    """
    if canonical and column.kind == "date":
        return iso_date(t)
    if canonical and column.kind in ("int", "year"):
        return t.cast(pl.Int64, strict=False)
    return _parser(column, t, factor)[0]


def parse_problem(column: Column, t: pl.Expr, value: pl.Expr, factor: int = 1) -> pl.Expr:
    """Step 3: the reason the text `t` is unusable, given its parsed `value`, else null.

    `value` is normally the column `parse_value` produced, so that the parse is not
    evaluated a second time.
    """
    return _parser(column, t, factor, value)[1]


def _parser(
    column: Column, t: pl.Expr, factor: int, value: pl.Expr | None = None
) -> tuple[pl.Expr, pl.Expr]:
    kind = column.kind
    if kind in ("string", "text"):
        return t, pl.lit(None, pl.String)
    if kind == "code":
        return parse_code(t)
    if kind in ("int", "year"):
        return parse_int(column, t, value)
    if kind == "money":
        return parse_money(t, factor, column)
    if kind == "number":
        return parse_number(column, t)
    if kind == "bool":
        return parse_bool(t, value)
    if kind == "date":
        return parse_date(t, value)
    if kind == "term":
        return parse_term(t, value)
    if kind == "enum":
        return parse_enum(column, t, value)
    raise ValueError(f"unknown column kind {kind}")


def parse_code(t: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    # Excel stores 4101050001 as the number 4101050001.0: the code is 4101050001.
    value = pl.when(t.str.contains(r"^\d+\.0+$")).then(t.str.replace(r"\.0+$", "")).otherwise(t)
    ok = value.str.contains(_CODE)
    problem = pl.when(t.is_not_null() & ~ok).then(pl.lit("bad_code"))
    return pl.when(ok).then(value), problem


def _number_text(t: pl.Expr) -> pl.Expr:
    return t.str.replace_all(r"[,\s]", "")


def parse_int(column: Column, t: pl.Expr, parsed: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    n = _number_text(t)
    ok = n.str.contains(r"^[+-]?\d+(\.0*)?$")
    value = pl.when(ok).then(n.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False))
    if parsed is not None:
        value = parsed
    lo, hi = _bounds(column)
    # the value is null wherever the text is not a whole number (or does not fit)
    problem = (
        pl.when(t.is_null())
        .then(None)
        .when(value.is_null())
        .then(pl.lit("bad_number"))
        .when(value < lo)
        .then(pl.lit("out_of_range"))
        .when(value > hi)
        .then(pl.lit("out_of_range"))
    )
    return value, problem


def _bounds(column: Column) -> tuple[int, int]:
    if column.kind == "year":
        return 2000, 2100
    lo = int(column.minimum) if column.minimum is not None else -(2**62)
    hi = int(column.maximum) if column.maximum is not None else 2**62
    return lo, hi


def parse_money(t: pl.Expr, factor: int, column: Column | None = None) -> tuple[pl.Expr, pl.Expr]:
    n = _number_text(t)
    if column is not None and column.per:  # a meal price written 6.5元/餐
        per = "|".join(re.escape(p) for p in sorted(column.per, key=len, reverse=True))
        n = n.str.replace(f"/(?:{per})$", "")
    n = n.str.replace_all(r"[¥元]", "")
    ok = n.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    amount = (n.cast(pl.Float64, strict=False) * factor).round(2)
    fits = amount.abs() < MAX_AMOUNT  # else the row could not land as DECIMAL(18,2)
    value = pl.when(ok & fits).then(amount)
    problem = (
        pl.when(t.is_null())
        .then(None)
        .when(~ok)
        .then(pl.lit("bad_number"))
        .when(~fits)
        .then(pl.lit("amount_too_large"))
    )
    if column is not None and column.minimum is not None:  # a meal price ≥ 0
        problem = problem.when(amount < column.minimum).then(pl.lit("out_of_range"))
    if column is not None and column.maximum is not None:
        problem = problem.when(amount > column.maximum).then(pl.lit("out_of_range"))
    return value, problem


def parse_number(column: Column, t: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A measure with decimals (`92.5`), within the column's minimum and maximum."""
    n = _number_text(t)
    ok = n.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    value = pl.when(ok).then(n.cast(pl.Float64, strict=False))
    problem = pl.when(t.is_null()).then(None).when(~ok).then(pl.lit("bad_number"))
    if column.minimum is not None:
        problem = problem.when(value < column.minimum).then(pl.lit("out_of_range"))
    if column.maximum is not None:
        problem = problem.when(value > column.maximum).then(pl.lit("out_of_range"))
    return value, problem


def parse_bool(t: pl.Expr, parsed: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    low = t.str.to_lowercase().str.replace(r"\.0+$", "")
    value = (
        pl.when(low.is_in(TRUE_WORDS))
        .then(True)
        .when(low.is_in(FALSE_WORDS))
        .then(False)
        .otherwise(None)
    )
    if parsed is not None:
        value = parsed
    problem = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("bad_boolean"))
    return value, problem


def parse_date(t: pl.Expr, parsed: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    low = t.str.to_lowercase()
    parts = low.str.extract_groups(_DATE)
    iso = pl.concat_str(
        [
            parts.struct.field("1"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("3").str.zfill(2),
        ],
        separator="-",
    )
    from_text = iso.str.to_date("%Y-%m-%d", strict=False)
    serial_text = low.str.replace(r"\.0+$", "")
    serial = pl.when(serial_text.str.contains(r"^\d{5}$")).then(
        serial_text.cast(pl.Int64, strict=False)
    )
    from_serial = (
        pl.when(serial.is_between(SERIAL_MIN, SERIAL_MAX))
        .then(EXCEL_EPOCH + pl.duration(days=serial))
        .cast(pl.Date)
    )
    value = pl.coalesce(from_text, from_serial) if parsed is None else parsed
    problem = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("bad_date"))
    return value, problem


_TERM_PATTERNS = (
    # (regex, group holding the year, season or None, year offset for 学年 forms)
    (r"^(\d{4})-(autumn|spring)$", None),
    (r"^(\d{4})\s*年?\s*(秋|春)季?\s*(?:学期)?$", None),
    (r"^(\d{4})\s*(autumn|spring|fall)(?:\s*term)?$", None),
    (r"^(\d{4})\s*[-—–~至]\s*(\d{4})\s*学年\s*第\s*(一|二|1|2)\s*学期$", "school_year"),
)


def parse_term(t: pl.Expr, parsed: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    low = t.str.to_lowercase()
    branches = []
    for pattern, kind in _TERM_PATTERNS:
        g = low.str.extract_groups(pattern)
        if kind == "school_year":
            first = g.struct.field("1").cast(pl.Int32, strict=False)
            second = g.struct.field("2").cast(pl.Int32, strict=False)
            which = g.struct.field("3")
            value = (
                pl.when(second != first + 1)
                .then(None)
                .when(which.is_in(["一", "1"]))
                .then(pl.concat_str([first.cast(pl.String), pl.lit("-autumn")]))
                .otherwise(pl.concat_str([second.cast(pl.String), pl.lit("-spring")]))
            )
        else:
            season = g.struct.field("2").replace({"秋": "autumn", "春": "spring", "fall": "autumn"})
            value = pl.concat_str([g.struct.field("1"), pl.lit("-"), season])
        branches.append(value)
    value = pl.coalesce(branches) if parsed is None else parsed
    problem = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("bad_term"))
    return value, problem


def enum_lookup(column: Column) -> dict[str, str]:
    assert column.enum is not None
    table = {fold(k): k for k in column.enum}
    table.update({fold(v): k for k, v in column.enum.items()})
    table.update({fold(k): v for k, v in (column.synonyms or {}).items()})
    return table


def parse_enum(
    column: Column, t: pl.Expr, parsed: pl.Expr | None = None
) -> tuple[pl.Expr, pl.Expr]:
    folded = t.str.to_lowercase().str.replace_all(r"\s+", " ")
    value = folded.replace_strict(enum_lookup(column), default=None, return_dtype=pl.String)
    if parsed is not None:
        value = parsed
    problem = pl.when(t.is_not_null() & value.is_null()).then(pl.lit("unknown_label"))
    return value, problem
