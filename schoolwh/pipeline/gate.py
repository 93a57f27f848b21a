"""The publish gate: a build may not silently take periods away or leap the as-of date.

Before a load publishes, its build is compared with the warehouse published now:
- every (period, KPI) the published `marts.kpi_overall` holds, for a KPI the new build
  still defines, must still be there: a load adds or corrects figures, it never removes
  a period's KPIs;
- the as-of date (数据截至) may move forward by at most `settings.max_as_of_jump()`;
- nor may it be carried by a handful of this load's rows (at most `OUTLIER_ROWS`, or at
  most `OUTLIER_SHARE` of the load's dated rows) dated more than `settings.as_of_gap()`
  beyond the rest of the load's dates and the published as-of date: a typo year within
  the jump (one survey dated 2026-11-30 in a warehouse whose facts end 2025-12-31).
Any failure is a critical check, so the load is not published; its message names the
rows of this load that caused it (file, sheet, row, column, value).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb

from ingest.rules import FACT_DATES
from schoolwh.core.audit import CheckResult
from schoolwh.core.settings import (
    ENV_AS_OF_GAP,
    ENV_MAX_AS_OF_JUMP,
    as_of_gap,
    max_as_of_jump,
)
from schoolwh.core.sources import SOURCES

SUITE = "publish_gate"
STAGE = "marts"
_PUBLISHED = "published_wh"
MAX_NAMED_ROWS = 5  # rows named in a message; audit.dq_results keeps up to 20 examples
# "A handful of rows": the rows above a gap in the load's dates carry the as-of date
# alone when they are at most this many, or at most this share of the load's dated rows.
OUTLIER_ROWS = 20
OUTLIER_SHARE = 0.01


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [catalog, schema, table],
    ).fetchone()
    return bool(row and row[0])


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else ""


def check_publish(
    con: duckdb.DuckDBPyConnection, published: Path, load_id: int
) -> list[CheckResult]:
    """The gate's checks of the build open on `con` against the `published` warehouse."""
    if not published.exists():
        return []  # the first load: nothing to compare with
    here = _catalog(con)
    if not _has_table(con, here, "marts", "kpi_overall"):
        return []  # the build made no marts: the build's own checks say why
    con.execute(f"ATTACH {_quote(published)} AS {_PUBLISHED} (READ_ONLY)")
    try:
        if not _has_table(con, _PUBLISHED, "marts", "kpi_overall"):
            return []
        if not (
            _has_table(con, _PUBLISHED, "marts", "build_info")
            and _has_table(con, here, "marts", "build_info")
        ):
            return [_periods_kept(con, load_id, dated=False)]
        return [_periods_kept(con, load_id), _as_of_step(con, load_id)]
    finally:
        con.execute(f"DETACH {_PUBLISHED}")


def _periods_kept(
    con: duckdb.DuckDBPyConnection, load_id: int, *, dated: bool = True
) -> CheckResult:
    lost = con.execute(
        f"""
        with before as (
            select period_type, period, kpi from {_PUBLISHED}.marts.kpi_overall
            where kpi in (select distinct kpi from marts.kpi_overall)
        ),
        missing as (
            select period_type, period, kpi from before
            except
            select period_type, period, kpi from marts.kpi_overall
        )
        select period_type, period, count(*) as kpis
        from missing
        group by all
        order by period_type, period
        """
    ).fetchall()
    check = CheckResult(
        stage=STAGE,
        suite=SUITE,
        check_name="kpi_periods_kept",
        target="marts.kpi_overall",
        success=not lost,
        severity="critical",
        element_count=_count(con, "select count(*) from marts.kpi_overall"),
        unexpected_count=sum(n for _, _, n in lost),
    )
    if not lost:
        check.message = "已发布的指标期间都保留 / every published KPI period is kept"
        return check
    periods = "、".join(f"{p}（{n} 项 KPIs）" for _, p, n in lost[:8])
    more = f" 等 {len(lost)} 个期间 / and more" if len(lost) > 8 else ""
    first, last = _published_dates(con) if dated else (None, None)
    rows = _rows_outside(con, load_id, first, last + max_as_of_jump() if last else None)
    check.unexpected_examples = [_row_dict(r) for r in rows]
    check.message = (
        f"本次导入会删除已发布的指标：{periods}{more}；仓库保持不变 / this load would remove "
        f"published KPIs of {len(lost)} period(s) ({', '.join(p for _, p, _ in lost[:8])}); "
        "nothing was published. " + _rows_text(rows, load_id, con)
    )
    return check


def _as_of_step(con: duckdb.DuckDBPyConnection, load_id: int) -> CheckResult:
    _, before = _published_dates(con)
    after = _one(con, "select max(as_of_date) from marts.build_info")
    span = max_as_of_jump()
    check = CheckResult(
        stage=STAGE,
        suite=SUITE,
        check_name="as_of_date_step",
        target="marts.build_info",
        success=True,
        severity="critical",
        column_name="as_of_date",
    )
    if before is None or after is None or after - before <= span:
        outliers = _as_of_outliers(con, load_id, before, after)
        if outliers is not None:
            return _outliers_failed(check, con, load_id, before, after, *outliers)
        check.message = (
            f"数据截至日期 {before} → {after}，未超过 {span.days} 天 / as-of date {before} → "
            f"{after}, within {span.days} days"
        )
        return check
    rows = _rows_outside(con, load_id, None, before + span)
    check.success = False
    check.unexpected_count = len(rows)
    check.unexpected_examples = [_row_dict(r) for r in rows]
    check.message = (
        f"数据截至日期将从 {before} 跳到 {after}，超过允许的 {span.days} 天（可由 "
        f"{ENV_MAX_AS_OF_JUMP} 设置）；仓库保持不变 / the as-of date would jump from {before} "
        f"to {after}, more than {span.days} days ({ENV_MAX_AS_OF_JUMP}); nothing was "
        "published. " + _rows_text(rows, load_id, con)
    )
    return check


def _as_of_outliers(
    con: duckdb.DuckDBPyConnection, load_id: int, before: dt.date | None, after: dt.date | None
) -> tuple[dt.date, int] | None:
    """(where the bulk of the dates ends, rows beyond it) when the new as-of date is carried
    by a handful of this load's rows dated more than `as_of_gap()` beyond the rest: the
    dates above the published as-of date, walked down from the latest, with the published
    as-of date standing for everything below it. None when there are no such rows."""
    gap = as_of_gap()
    if not gap or before is None or after is None or after - before <= gap:
        return None
    counts, dated = _load_dates(con, load_id, before)
    steps = [*counts, (before, None)]
    carried, found = 0, None
    for (day, n), (below, _) in itertools.pairwise(steps):
        carried += n
        if carried > max(OUTLIER_ROWS, OUTLIER_SHARE * dated):
            break  # more rows than a handful: the bulk reaches this far
        if day - below > gap and after - below > gap:
            found = (below, carried)  # the lowest such gap: every outlier named at once
    return found


def _load_dates(
    con: duckdb.DuckDBPyConnection, load_id: int, after: dt.date
) -> tuple[list[tuple[dt.date, int]], int]:
    """This load's fact dates later than `after`, latest first, with how many rows carry
    each; and how many dated rows the load has in all."""
    here = _catalog(con)
    later, every = [], []
    for source, columns in FACT_DATES.items():
        if not _has_table(con, here, "raw", source):
            continue
        for column in columns:
            where = f"_load_id = {int(load_id)}"
            later.append(
                f'select "{column}" as day from raw.{source} where {where} '
                f'and "{column}" > date {_quote_text(after)}'
            )
            every.append(f'select count("{column}") as n from raw.{source} where {where}')
    if not later:
        return [], 0
    counts = con.execute(
        f"select day, count(*) from ({' union all '.join(later)}) group by day order by day desc"
    ).fetchall()
    dated = _count(con, f"select sum(n) from ({' union all '.join(every)})")
    return [(d, int(n)) for d, n in counts], dated


def _outliers_failed(
    check: CheckResult,
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    before: dt.date,
    after: dt.date,
    bulk_end: dt.date,
    carried: int,
) -> CheckResult:
    gap = as_of_gap().days
    rows = _rows_outside(con, load_id, None, bulk_end)
    check.success = False
    check.unexpected_count = carried
    check.unexpected_examples = [_row_dict(r) for r in rows]
    check.message = (
        f"数据截至日期将从 {before} 移到 {after}，仅由 {carried} 行决定：这些行的日期比其余数据"
        f"（止于 {bulk_end}）晚 {gap} 天以上，可能是年份填错；请核对并改正这些行后重新导入"
        f"（确属实际日期时，可设置 {ENV_AS_OF_GAP}=0 关闭此项检查后导入）；仓库保持不变 / the "
        f"as-of date would move from {before} to {after} on {carried} row(s) alone, dated more "
        f"than {gap} days beyond the rest of the data (which ends {bulk_end}): a wrong year? "
        f"Fix these rows and load again (if the dates are real, {ENV_AS_OF_GAP}=0 turns this "
        "check off for the load); nothing was published. " + _rows_text(rows, load_id, con)
    )
    return check


def _published_dates(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    row = con.execute(
        f"select min(first_fact_date), max(as_of_date) from {_PUBLISHED}.marts.build_info"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(_one(con, sql) or 0)


def _rows_outside(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    earliest: dt.date | None,
    latest: dt.date | None,
) -> list[tuple]:
    """(file, sheet, row, column, value) of this load's rows dated before `earliest` or
    after `latest`, the most extreme first."""
    here = _catalog(con)
    parts = []
    for source, columns in FACT_DATES.items():
        if not _has_table(con, here, "raw", source):
            continue
        for column in columns:
            outside = []
            if earliest is not None:
                outside.append(f'"{column}" < date {_quote_text(earliest)}')
            if latest is not None:
                outside.append(f'"{column}" > date {_quote_text(latest)}')
            if not outside:
                continue
            label = f"{SOURCES[source].column(column).zh} ({source}.{column})"
            parts.append(
                f"select _file_name, _sheet, _row_number, {_quote_text(label)} as col, "
                f'"{column}" as value from raw.{source} '
                f"where _load_id = {int(load_id)} and ({' or '.join(outside)})"
            )
    if not parts:
        return []
    middle = earliest or latest
    sql = (
        " union all ".join(parts)
        + f" order by abs(datediff('day', value, date {_quote_text(middle)})) desc,"
        " _file_name, _row_number" + f" limit {MAX_NAMED_ROWS * 4}"
    )
    return con.execute(sql).fetchall()


def _quote_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _row_dict(row: tuple) -> dict:
    file_name, sheet, number, column, value = row
    return {"file": file_name, "sheet": sheet, "row": number, "column": column, "value": value}


def _rows_text(rows: list[tuple], load_id: int, con: duckdb.DuckDBPyConnection) -> str:
    if not rows:
        files = [
            r[0]
            for r in con.execute(
                "select distinct file_name from audit.load_files "
                "where load_id = ? and status = 'loaded' order by 1",
                [load_id],
            ).fetchall()
        ]
        listed = "、".join(files[:MAX_NAMED_ROWS]) or "?"
        return f"本次导入的文件 / files of this load: {listed}"
    named = []
    for file_name, sheet, number, column, value in rows[:MAX_NAMED_ROWS]:
        where = f"{file_name}" + (f" 工作表 sheet {sheet}" if sheet else "")
        named.append(f"{where} 第 {number} 行 row {number} 列 column {column} = {value}")
    more = (
        f"（另有 {len(rows) - MAX_NAMED_ROWS} 行 / and more）" if len(rows) > MAX_NAMED_ROWS else ""
    )
    return "原因行 / rows responsible: " + "; ".join(named) + more


__all__ = ["check_publish"]
