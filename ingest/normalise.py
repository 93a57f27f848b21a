"""From a sheet's text rows to typed, checked rows and quarantined problems."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from ingest.headers import HeaderMatch, amount_factor, fold
from ingest.readers import EXTRA, ROW
from ingest.rules import rules_for
from ingest.values import all_canonical, cell_text, is_ascii, parse_problem, parse_value

SUMMARY_WORDS = ("合计", "总计", "小计", "total", "grand total", "subtotal")
NOTE_PREFIXES = ("填表人", "填报人", "填报单位", "审核人", "联系电话", "注:", "说明")

PROBLEM_SCHEMA = {
    ROW: pl.Int32,
    "column_name": pl.String,
    "raw_value": pl.String,
    "reason": pl.String,
    "raw_row": pl.String,
}


class UnitError(ValueError):
    pass


@dataclass
class Normalised:
    rows: pl.DataFrame  # canonical typed columns + _row_number, valid and de-duplicated
    problems: pl.DataFrame  # PROBLEM_SCHEMA: one row per failing cell (or duplicate row)
    data_rows: int  # rows that are data (not empty, summary or note rows)
    failed_rows: int  # data rows breaking a row rule
    duplicate_rows: int  # valid rows replaced by a later row with the same key
    summary_rows: int
    note_rows: int


def _row_kinds(frame: pl.DataFrame, width: int) -> pl.Series:
    """empty / summary / note / data for every row, from its first non-blank cell.

    Only the first non-blank cell is folded: trimming finds the same blank cells before
    and after NFKC (every character NFKC turns into a space is itself white space). A
    cell starting with a digit is data (no summary word or note prefix starts with one),
    so only the other rows are examined.
    """
    cells = [
        pl.when(t == "").then(None).otherwise(t)
        for t in (pl.col(f"column_{i}").str.strip_chars() for i in range(width))
    ]
    first = pl.coalesce(cells) if cells else pl.lit(None, pl.String)
    # usually the first column is filled on every row: the others need not be read
    firsts = frame.select((cells[0] if cells else first).alias("_first"))
    if width > 1 and firsts["_first"].null_count():
        firsts = frame.select(first.alias("_first"))
    firsts = firsts.with_row_index("_i")
    other = firsts.filter(~pl.col("_first").str.contains("^[0-9]").fill_null(False))
    kinds = pl.repeat("data", frame.height, dtype=pl.String, eager=True).alias("_kind")
    if other.height:
        found = (
            other.with_columns(
                pl.col("_first").str.normalize("NFKC").str.strip_chars().str.to_lowercase()
            )
            .with_columns(
                pl.col("_first").str.replace_all(r"\s+", "").str.strip_chars_end(":").alias("_sq")
            )
            .select("_i", _row_kind(pl.col("_first"), pl.col("_sq")).alias("_kind"))
        )
        kinds = kinds.scatter(found["_i"], found["_kind"])
    return kinds


def _row_kind(first: pl.Expr, squeezed: pl.Expr) -> pl.Expr:
    """empty / summary / note / data, from the row's folded first cell and that cell
    without white space or a trailing colon."""
    # one alternation instead of one test per prefix: polars would fold the cell each time
    note = "^(?:" + "|".join(re.escape(p) for p in NOTE_PREFIXES) + ")"
    return (
        pl.when(first.is_null())
        .then(pl.lit("empty"))
        .when(squeezed.is_in(list(SUMMARY_WORDS)) | first.is_in(list(SUMMARY_WORDS)))
        .then(pl.lit("summary"))
        .when(squeezed.str.contains(note))
        .then(pl.lit("note"))
        .otherwise(pl.lit("data"))
    )


def normalise(
    frame: pl.DataFrame, match: HeaderMatch, header: list[str | None], load_date: dt.date
) -> Normalised:
    source = match.source
    width = len([c for c in frame.columns if c.startswith("column_")])
    kinds = _row_kinds(frame, width)
    counts = kinds.value_counts()
    count = dict(zip(counts["_kind"].to_list(), counts["count"].to_list(), strict=True))
    data = frame if count.get("data", 0) == frame.height else frame.filter(kinds == "data")

    header_text = {col: (header[i] or col) for col, i in match.columns.items()}
    # Each step is one pass over the frame, and every later step reads the columns the
    # earlier one wrote: a parse is evaluated once, not once per expression using it.
    used = [c for c in source.columns if c.name in match.columns]
    ascii_only = _probe(data, {c.name: is_ascii(_raw(match, c.name)) for c in used})
    texts = [
        cell_text(c, _raw(match, c.name), ascii_only=ascii_only[c.name]).alias(f"_t_{c.name}")
        for c in used
    ]
    data = data.with_columns(texts)
    plain = {c.name: all_canonical(c, pl.col(f"_t_{c.name}")) for c in used}
    canonical = _probe(data, {name: e for name, e in plain.items() if e is not None})
    parsed: list[pl.Expr] = []
    values: list[pl.Expr] = []
    problems: list[pl.Expr] = []
    for col in source.columns:
        if col.name not in match.columns:
            default = pl.lit(col.default) if col.default is not None else pl.lit(None)
            values.append(default.alias(col.name))
            continue
        raw = _raw(match, col.name)
        factor = 1
        if col.kind == "money":
            unit = match.units.get(col.name)
            factor_or_none = amount_factor(unit)
            if factor_or_none is None:
                raise UnitError(
                    f"「{header_text[col.name]}」列的单位「{unit}」无法识别，请使用 元 或 万元 / "
                    f"column {header_text[col.name]!r}: unknown unit {unit!r}; use 元 or 万元"
                )
            factor = factor_or_none
        text, parsed_value = pl.col(f"_t_{col.name}"), pl.col(f"_v_{col.name}")
        fast = canonical.get(col.name, False)
        parsed.append(parse_value(col, text, factor, canonical=fast).alias(f"_v_{col.name}"))
        value = parsed_value
        if col.default is not None:
            value = (
                pl.when(raw.str.strip_chars().replace("", None).is_null())
                .then(pl.lit(col.default))
                .otherwise(value)
            )
        problem = parse_problem(col, text, parsed_value, factor)
        if col.required:
            problem = pl.coalesce(
                problem, pl.when(pl.col(col.name).is_null()).then(pl.lit("missing_value"))
            )
        values.append(value.alias(col.name))
        problems.append(problem.alias(f"_p_{col.name}"))

    helpers = [e.meta.output_name() for e in texts + parsed]
    typed = data.with_columns(parsed).with_columns(values).with_columns(problems).drop(helpers)
    for rule in rules_for(source.name, load_date):
        target = f"_p_{rule.column}"
        flag = rule.violated.fill_null(False)
        # A cell with its own type problem keeps that reason; the rule adds to clean cells.
        if target in typed.columns:
            typed = typed.with_columns(
                pl.coalesce(pl.col(target), pl.when(flag).then(pl.lit(rule.reason))).alias(target)
            )
    if EXTRA in typed.columns:
        # More cells than the header (an unquoted comma, e.g. 1,234): which value is meant
        # cannot be known, so the row is quarantined rather than landed with a guess.
        typed = typed.with_columns(
            pl.when(pl.col(EXTRA).is_not_null()).then(pl.lit("extra_cells")).alias(f"_p_{EXTRA}")
        )
    problem_cols = [c for c in typed.columns if c.startswith("_p_")]
    failing = (
        pl.any_horizontal([pl.col(c).is_not_null() for c in problem_cols])
        if problem_cols
        else pl.lit(False)
    )
    typed = typed.with_columns(failing.alias("_failed"))

    bad = typed.filter(pl.col("_failed"))
    good = typed.filter(~pl.col("_failed"))
    cell_problems = _cell_problems(bad, match, header_text, header, problem_cols)

    # Duplicate keys: the later row wins; earlier twins are quarantined.
    key = list(source.key)
    if good.height:
        good = good.with_columns((pl.col(ROW) != pl.col(ROW).max().over(key)).alias("_dup"))
        dups = good.filter(pl.col("_dup"))
        good = good.filter(~pl.col("_dup"))
    else:
        dups = good.clear()
    dup_problems = _duplicate_problems(dups, match, header_text, header, key)

    keep = [ROW, *source.names]
    return Normalised(
        rows=good.select(keep),
        problems=pl.concat([cell_problems, dup_problems]),
        data_rows=int(count.get("data", 0)),
        failed_rows=bad.height,
        duplicate_rows=dups.height,
        summary_rows=int(count.get("summary", 0)),
        note_rows=int(count.get("note", 0)),
    )


def _raw(match: HeaderMatch, column: str) -> pl.Expr:
    return pl.col(f"column_{match.columns[column]}")


def _probe(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> dict[str, bool]:
    """Evaluate boolean aggregates over the frame in one pass (an empty frame: all true)."""
    if not checks:
        return {}
    if frame.height == 0:
        return dict.fromkeys(checks, True)
    row = frame.select([e.alias(name) for name, e in checks.items()]).row(0, named=True)
    return {name: bool(v) if v is not None else True for name, v in row.items()}


def _raw_row(header: list[str | None]) -> pl.Expr:
    fields = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        label = name if name else f"column_{i + 1}"
        while label in seen:
            label += "_"
        seen.add(label)
        fields.append(pl.col(f"column_{i}").alias(label))
    return pl.struct(fields).struct.json_encode() if fields else pl.lit("{}")


def _cell_problems(
    bad: pl.DataFrame,
    match: HeaderMatch,
    header_text: dict[str, str],
    header: list[str | None],
    problem_cols: list[str],
) -> pl.DataFrame:
    if bad.height == 0:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    width = len([c for c in bad.columns if c.startswith("column_")])
    parts = []
    base = bad.with_columns(_raw_row(header[:width]).alias("raw_row"))
    for pc in problem_cols:
        col = pc[3:]
        extra = col == EXTRA
        part = base.filter(pl.col(pc).is_not_null()).select(
            pl.col(ROW),
            pl.lit("（表头右侧）beyond the header" if extra else header_text[col]).alias(
                "column_name"
            ),
            pl.col(EXTRA if extra else f"column_{match.columns[col]}").alias("raw_value"),
            pl.col(pc).alias("reason"),
            pl.col("raw_row"),
        )
        parts.append(part)
    return pl.concat(parts).sort(ROW).cast(PROBLEM_SCHEMA)


def _duplicate_problems(
    dups: pl.DataFrame,
    match: HeaderMatch,
    header_text: dict[str, str],
    header: list[str | None],
    key: list[str],
) -> pl.DataFrame:
    if dups.height == 0:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    width = len([c for c in dups.columns if c.startswith("column_")])
    return dups.select(
        pl.col(ROW),
        pl.lit("、".join(header_text[k] for k in key)).alias("column_name"),
        pl.concat_str([pl.col(f"column_{match.columns[k]}") for k in key], separator=" / ").alias(
            "raw_value"
        ),
        pl.lit("duplicate_key").alias("reason"),
        _raw_row(header[:width]).alias("raw_row"),
    ).cast(PROBLEM_SCHEMA)


def header_cells(head_row: list[str | None]) -> list[str | None]:
    return [None if c is None else str(c).strip() for c in head_row]


__all__ = ["Normalised", "UnitError", "fold", "header_cells", "normalise"]
