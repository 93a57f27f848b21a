"""From a sheet's text rows to typed, checked rows and quarantined problems."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from ingest.headers import HeaderMatch, fold, per_unit, unit_factor, units_understood
from ingest.readers import EXTRA, LONG, ROW, SHORT
from ingest.rules import rules_for
from ingest.values import all_canonical, cell_text, is_ascii, parse_problem, parse_value

SUMMARY_WORDS = ("合计", "总计", "小计", "total", "grand total", "subtotal")
NOTE_PREFIXES = (
    "填表人",
    "填报人",
    "填报单位",
    "审核人",
    "联系电话",
    "注:",
    "说明",
    "数据来源",
    "资料来源",
    "单位负责人",
    "统计负责人",
    "制表人",
    "报出日期",
    "填报日期",
    "填表日期",
)
# Structure rows: dropped, reported by kind with their row numbers, never data.
STRUCTURE_KINDS = {
    "summary": ("合计行", "summary rows"),
    "group": ("分组行", "group rows"),
    "breakdown": ("「其中」行", "'of which' rows"),
    "repeated_header": ("重复的表头行", "repeated header rows"),
    "note": ("备注行", "note rows"),
}
_GROUP_COUNT = r"[(（]\s*(?:共\s*)?\d+\s*(?:所|个|校|家)\s*[)）]$"  # 北京市（92所）
_CONTINUATION = r"^(?:\s|\u3000|\d+[.、．)）]|[(（]\d+[)）]|[一二三四五六七八九十]+、)"

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
    structure: dict[str, list[int]] = field(default_factory=dict)  # kind -> row numbers


def _row_kinds(frame: pl.DataFrame, width: int, match: HeaderMatch | None = None) -> pl.Series:
    """empty / summary / note / group / breakdown / repeated_header / data for every row.

    Only rows whose first non-blank cell does not start with a digit can be structure (no
    summary word, note prefix or label starts with one), so only those are examined: their
    first cell folded, whether their key cells are blank, how many cells they fill, and
    whether they hold a number.
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
    # a numbered line (`2. 不含…`) is no number; an indented first cell may continue a note
    maybe = ~pl.col("_first").str.contains("^[0-9]").fill_null(False) | pl.col(
        "_first"
    ).str.contains(r"^[0-9]+\s*[.、．)）]\s*\D").fill_null(False)
    if width and frame["column_0"].str.contains(r"^[\s\u3000]").any():
        firsts = firsts.with_columns(frame["column_0"].str.contains(r"^[\s\u3000]").alias("_ind"))
        maybe = maybe | pl.col("_ind").fill_null(False)
    other_i = firsts.filter(maybe)["_i"]
    kinds = pl.repeat("data", frame.height, dtype=pl.String, eager=True).alias("_kind")
    if not len(other_i):
        return kinds
    other = frame[other_i.to_list()] if len(other_i) < frame.height else frame
    keys = _key_cells(match)
    numbers = _number_cells(match)
    header_words = _header_words(match)
    key_blank = (
        pl.all_horizontal([cells[i].is_null() for i in keys if i < width])
        if keys
        else pl.lit(False)
    )
    has_number = (
        pl.any_horizontal(
            [cells[i].str.contains(r"^[-+]?[0-9,，.]+$").fill_null(False) for i in numbers]
        )
        if numbers
        else pl.lit(False)
    )
    key_is_header = (
        pl.any_horizontal(
            [
                cells[i]
                .str.normalize("NFKC")
                .str.to_lowercase()
                .str.replace_all(r"\s+", "")
                .is_in(header_words)
                .fill_null(False)
                for i in keys
                if i < width
            ]
        )
        if keys and header_words
        else pl.lit(False)
    )
    filled = pl.sum_horizontal([c.is_not_null().cast(pl.Int32) for c in cells])
    raw_first = pl.coalesce(
        [
            pl.when(pl.col(f"column_{i}").str.strip_chars() != "").then(pl.col(f"column_{i}"))
            for i in range(width)
        ]
    )
    found = (
        other.select(
            first.str.normalize("NFKC").str.strip_chars().str.to_lowercase().alias("_first"),
            key_blank.alias("_key_blank"),
            has_number.alias("_number"),
            key_is_header.alias("_header"),
            filled.alias("_filled"),
            raw_first.alias("_raw_first"),
        )
        .with_columns(
            pl.col("_first").str.replace_all(r"\s+", "").str.strip_chars_end(":").alias("_sq")
        )
        .with_columns(_row_kind().alias("_kind"))
    )
    found_kinds = _continuations(found)
    return kinds.scatter(other_i, pl.Series(found_kinds, dtype=pl.String))


def _continuations(found: pl.DataFrame) -> list[str]:
    """Indented or numbered lines right under a note (a `注：` with its points) are notes."""
    kinds = found["_kind"].to_list()
    if "note" not in kinds:
        return kinds
    cont = found.select(
        (
            pl.col("_raw_first").str.contains(_CONTINUATION).fill_null(False)
            & (pl.col("_filled") == 1)
        ).alias("c")
    )["c"].to_list()
    for i in range(1, len(kinds)):
        if kinds[i] in ("data", "group") and cont[i] and kinds[i - 1] == "note":
            kinds[i] = "note"
    return kinds


def _row_kind() -> pl.Expr:
    """The kind of a row from its folded first cell (`_first`, and `_sq` without white space
    or a trailing colon) and what the row holds."""
    first, squeezed = pl.col("_first"), pl.col("_sq")
    # one alternation instead of one test per prefix: polars would fold the cell each time
    note = "^(?:" + "|".join(re.escape(p) for p in NOTE_PREFIXES) + ")"
    totals = "(?:合计|总计|小计)$"
    return (
        pl.when(first.is_null())
        .then(pl.lit("empty"))
        .when(squeezed.is_in(list(SUMMARY_WORDS)) | first.is_in(list(SUMMARY_WORDS)))
        .then(pl.lit("summary"))
        .when(squeezed.str.contains(note))
        .then(pl.lit("note"))
        .when(pl.col("_header"))
        .then(pl.lit("repeated_header"))
        .when(pl.col("_key_blank") & squeezed.str.contains(totals))
        .then(pl.lit("summary"))
        .when(pl.col("_key_blank") & squeezed.str.starts_with("其中"))
        .then(pl.lit("breakdown"))
        .when(pl.col("_key_blank") & squeezed.str.contains(_GROUP_COUNT))
        .then(pl.lit("group"))
        .when(pl.col("_key_blank") & ~pl.col("_number") & (pl.col("_filled") == 1))
        .then(pl.lit("group"))
        .otherwise(pl.lit("data"))
    )


def _key_cells(match: HeaderMatch | None) -> list[int]:
    if match is None:
        return []
    return [
        match.columns[k]
        for k in match.source.key
        if k in match.columns and k not in match.constants
    ]


def _number_cells(match: HeaderMatch | None) -> list[int]:
    if match is None:
        return []
    return [
        i
        for c, i in match.columns.items()
        if c not in match.constants
        and match.source.column(c).kind in ("int", "number", "money", "year")
    ]


def _header_words(match: HeaderMatch | None) -> list[str]:
    if match is None:
        return []
    words: set[str] = set()
    for k in match.source.key:
        if k in match.columns and k not in match.constants:
            i = match.columns[k]
            for part in match.paths[i] if i < len(match.paths) else []:
                words.add(re.sub(r"\s+", "", fold(part)))
    return sorted(words)


def normalise(
    frame: pl.DataFrame,
    match: HeaderMatch,
    header: list[str | None],
    load_date: dt.date,
    title_unit: str | None = None,
) -> Normalised:
    """Typed rows and problems of a sheet's data rows. `title_unit` is a unit given in a
    title line (`单位：万元`): it applies to the numeric columns of its kind without one."""
    source = match.source
    width = len([c for c in frame.columns if c.startswith("column_")])
    # a mapping's constants are columns after the sheet's own: they say nothing of a row
    kinds = _row_kinds(frame, width - len(match.constants), match)
    counts = kinds.value_counts()
    count = dict(zip(counts["_kind"].to_list(), counts["count"].to_list(), strict=True))
    data = frame if count.get("data", 0) == frame.height else frame.filter(kinds == "data")
    structure = _structure(frame, kinds, count)

    header_text = {col: (header[i] or col) for col, i in match.columns.items()}
    header_text.update({col: match.labels[col] for col in match.labels if col in header_text})
    # Each step is one pass over the frame, and every later step reads the columns the
    # earlier one wrote: a parse is evaluated once, not once per expression using it.
    used = [c for c in source.columns if c.name in match.columns]
    ascii_only = _probe(data, {c.name: is_ascii(_raw(match, c.name)) for c in used})
    texts = [
        cell_text(c, _raw(match, c.name), ascii_only=ascii_only[c.name]).alias(f"_t_{c.name}")
        for c in used
    ]
    data = data.with_columns(texts)
    factors = {c.name: _factor(c, match, header_text, title_unit) for c in used}
    plain = {c.name: all_canonical(c, pl.col(f"_t_{c.name}")) for c in used if factors[c.name] == 1}
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
        factor = factors[col.name]
        if col.kind == "int" and factor != 1:
            # a count in 万人: 94 → 940,000; a count not whole after conversion fails its row
            text, parsed_value = pl.col(f"_t_{col.name}"), pl.col(f"_v_{col.name}")
            value_expr, problem = _scaled_count(col, text, factor, parsed_value)
            parsed.append(value_expr.alias(f"_v_{col.name}"))
            if col.required:
                problem = pl.coalesce(
                    problem, pl.when(pl.col(col.name).is_null()).then(pl.lit("missing_value"))
                )
            values.append(parsed_value.alias(col.name))
            problems.append(problem.alias(f"_p_{col.name}"))
            continue
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
    if SHORT in typed.columns:
        # Fewer cells than the header (a file cut mid-row): the missing cells are unknown,
        # not empty, so the row is quarantined rather than landed as a correction.
        typed = typed.with_columns(
            pl.when(pl.col(SHORT).is_not_null()).then(pl.lit("short_row")).alias(f"_p_{SHORT}")
        )
    if LONG in typed.columns:
        typed = typed.with_columns(
            pl.when(pl.col(LONG).is_not_null()).then(pl.lit("cell_too_long")).alias(f"_p_{LONG}")
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
        summary_rows=sum(len(v) for k, v in structure.items() if k != "note"),
        note_rows=int(count.get("note", 0)),
        structure=structure,
    )


def _structure(frame: pl.DataFrame, kinds: pl.Series, count: dict) -> dict[str, list[int]]:
    """Row numbers of the structure rows, by kind."""
    wanted = [k for k in STRUCTURE_KINDS if count.get(k)]
    if not wanted:
        return {}
    rows = frame.select(pl.col(ROW), kinds.alias("_kind")).filter(pl.col("_kind").is_in(wanted))
    return {
        k: rows.filter(pl.col("_kind") == k)[ROW].to_list() for k in STRUCTURE_KINDS if k in wanted
    }


def _factor(col, match: HeaderMatch, header_text: dict[str, str], title_unit: str | None) -> int:
    """The multiplier of a numeric column's unit (header cell first, else the title line);
    an unknown unit rejects the sheet, naming the column and the units understood."""
    if col.kind not in ("int", "money") or col.name in match.constants:
        return 1
    unit = match.units.get(col.name)
    if unit is None and title_unit is not None:
        known = any(unit_factor(k, title_unit) is not None for k in ("money", "int"))
        # a title unit of the other kind (单位：万元 over a count) is not this column's; one
        # understood by neither kind (单位：百万元) is never dropped silently
        if unit_factor(col.kind, title_unit) is not None or (
            not known and _looks_like_unit(title_unit)
        ):
            unit = title_unit
    if unit is None:
        return 1
    if col.maximum is not None:
        return 1  # a scale (a 1-5 score, a 0-100 mark): a 分 or 级 in the header is no quantity
    factor = unit_factor(col.kind, per_unit(unit, col.per))
    if factor is None:
        kind_zh, kind_en = ("金额", "money") if col.kind == "money" else ("人数/数量", "counts")
        understood = units_understood(col.kind)
        raise UnitError(
            f"「{header_text[col.name]}」列的单位「{unit}」无法识别（{kind_zh}可用的单位：{understood}）/ "
            f"column {header_text[col.name]!r}: unknown unit {unit!r}; units understood for "
            f"{kind_en}: {understood.replace('、', ', ')}"
        )
    return factor


def _looks_like_unit(text: str) -> bool:
    return len(text) <= 4 or text.endswith(("元", "人", "次", "个", "所", "名"))


def _scaled_count(col, t: pl.Expr, factor: int, parsed: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    n = t.str.replace_all(r"[,\s]", "")
    ok = n.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    scaled = n.cast(pl.Float64, strict=False) * factor
    whole = (scaled - scaled.round(0)).abs() < 1e-6
    value = pl.when(ok & whole & (scaled.abs() < 2**62)).then(scaled.round(0).cast(pl.Int64))
    lo = int(col.minimum) if col.minimum is not None else -(2**62)
    hi = int(col.maximum) if col.maximum is not None else 2**62
    problem = (
        pl.when(t.is_null())
        .then(None)
        .when(~ok)
        .then(pl.lit("bad_number"))
        .when(~whole)
        .then(pl.lit("not_whole"))
        .when(parsed < lo)
        .then(pl.lit("out_of_range"))
        .when(parsed > hi)
        .then(pl.lit("out_of_range"))
    )
    return value, problem


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
    flags = {
        EXTRA: ("（表头右侧）beyond the header", pl.col(EXTRA) if EXTRA in bad.columns else None),
        SHORT: (
            "（整行）whole row",
            pl.format("{} / {} 个单元格 cells", pl.col(SHORT), pl.lit(width))
            if SHORT in bad.columns
            else None,
        ),
        LONG: (
            "（超长单元格）overlong cell",
            pl.format("列 column:字符 chars = {}", pl.col(LONG)) if LONG in bad.columns else None,
        ),
    }
    for pc in problem_cols:
        col = pc[3:]
        if col in flags:
            label, value = flags[col]
        else:
            label, value = header_text[col], pl.col(f"column_{match.columns[col]}")
        part = base.filter(pl.col(pc).is_not_null()).select(
            pl.col(ROW),
            pl.lit(label).alias("column_name"),
            value.cast(pl.String).alias("raw_value"),
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
