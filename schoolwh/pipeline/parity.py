"""Compare marts built on two engines row by row: the DuckDB warehouse against the marts
a Spark build wrote as Parquet (`schoolwh.pipeline.spark_build.build_spark`).

Rows are matched on each table's key. Numbers match when they agree to `tolerance`
(absolute, or relative for large values: floating-point sums may add up in another
order on another engine); everything else must be equal, NULL only to NULL. The report
lists every row found on one side only and every row whose values differ, column by
column, so a person can see which rows differ and how.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

# The marts compared, with the columns that identify a row.
PARITY_TABLES: dict[str, tuple[str, ...]] = {
    "kpi_district": ("district_code", "period_type", "period", "kpi"),
    "kpi_overall": ("period_type", "period", "kpi"),
    "dim_school": ("school_code",),
    "dim_supplier": ("supplier_id",),
}
DEFAULT_TOLERANCE = 1e-9
MARTS_SCHEMA = "marts"


class ParityError(Exception):
    """The marts could not be read for a comparison; the message says which and why."""


@dataclass(frozen=True)
class RowDifference:
    """One row that is not the same on both engines."""

    table: str
    key: tuple[Any, ...]
    kind: str  # only_in_duckdb / only_in_spark / duplicate_key / values_differ
    columns: tuple[str, ...] = ()  # the differing columns (values_differ)
    duckdb: dict[str, Any] | None = None
    spark: dict[str, Any] | None = None

    def describe(self) -> str:
        key = ", ".join(_show(k) for k in self.key)
        if self.kind == "values_differ":
            assert self.duckdb is not None and self.spark is not None
            parts = [
                f"{c}: duckdb={_show(self.duckdb[c])} spark={_show(self.spark[c])}"
                for c in self.columns
            ]
            return f"{self.table} ({key}): " + "; ".join(parts)
        labels = {
            "only_in_duckdb": "only in the DuckDB build",
            "only_in_spark": "only in the Spark build",
            "duplicate_key": "key occurs more than once",
        }
        return f"{self.table} ({key}): {labels.get(self.kind, self.kind)}"


@dataclass
class TableParity:
    """The comparison of one mart."""

    table: str
    key: tuple[str, ...]
    duckdb_rows: int = 0
    spark_rows: int = 0
    column_problems: list[str] = field(default_factory=list)
    differences: list[RowDifference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.column_problems and not self.differences


@dataclass
class ParityReport:
    """The comparison of every mart in PARITY_TABLES (or the tables asked for)."""

    tables: list[TableParity]
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    @property
    def differences(self) -> list[RowDifference]:
        return [d for t in self.tables for d in t.differences]

    def summary(self, limit: int = 50) -> str:
        """One line per table, then the differing rows (at most `limit`)."""
        lines = []
        for t in self.tables:
            state = "same" if t.ok else f"{len(t.differences)} differing rows"
            lines.append(
                f"{t.table}: {t.duckdb_rows} rows on DuckDB, {t.spark_rows} on Spark, {state}"
            )
            lines += [f"  column: {p}" for p in t.column_problems]
        diffs = self.differences
        lines += [f"  {d.describe()}" for d in diffs[:limit]]
        if len(diffs) > limit:
            lines.append(f"  ... and {len(diffs) - limit} more")
        return "\n".join(lines)


def compare_marts(
    warehouse: Path,
    spark_marts: Path,
    *,
    tables: dict[str, tuple[str, ...]] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> ParityReport:
    """Compare `marts.<table>` of the DuckDB `warehouse` with `spark_marts/<table>/*.parquet`."""
    warehouse = Path(warehouse).expanduser().resolve()
    spark_marts = Path(spark_marts).expanduser().resolve()
    if not warehouse.is_file():
        raise ParityError(f"Warehouse file not found: {warehouse}")
    con = duckdb.connect()
    try:
        try:
            con.execute(f"attach '{_sql_text(str(warehouse))}' as wh (read_only)")
        except duckdb.Error as exc:
            raise ParityError(f"Cannot open {warehouse} read-only: {exc}") from exc
        results = []
        for table, key in (tables or PARITY_TABLES).items():
            folder = spark_marts / table
            if not any(folder.glob("*.parquet")):
                raise ParityError(f"No Parquet files for the Spark build's {table} in {folder}")
            left = _read(con, f"wh.{MARTS_SCHEMA}.{table}", f"DuckDB marts.{table}")
            right = _read(
                con,
                f"read_parquet('{_sql_text(str(folder / '*.parquet'))}')",
                f"Spark {table} ({folder})",
            )
            results.append(_compare_table(table, key, left, right, tolerance))
        return ParityReport(results, tolerance)
    finally:
        con.close()


def values_match(a: Any, b: Any, tolerance: float = DEFAULT_TOLERANCE) -> bool:
    """Equal, or numbers within `tolerance` (absolute below 1, relative above)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):  # a flag is not the number 1
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        x, y = float(a), float(b)
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=tolerance, abs_tol=tolerance)
    return a == b


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _read(con: duckdb.DuckDBPyConnection, relation: str, label: str) -> list[dict[str, Any]]:
    try:
        cur = con.execute(f"select * from {relation}")
    except duckdb.Error as exc:
        raise ParityError(f"Cannot read {label}: {exc}") from exc
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _compare_table(
    table: str,
    key: tuple[str, ...],
    left: list[dict[str, Any]],
    right: list[dict[str, Any]],
    tolerance: float,
) -> TableParity:
    out = TableParity(table, key, duckdb_rows=len(left), spark_rows=len(right))
    left_cols = list(left[0]) if left else []
    right_cols = list(right[0]) if right else []
    if left and right:
        out.column_problems += [
            f"{c} only in the DuckDB build" for c in left_cols if c not in right_cols
        ]
        out.column_problems += [
            f"{c} only in the Spark build" for c in right_cols if c not in left_cols
        ]
    for cols, side in ((left_cols, "DuckDB"), (right_cols, "Spark")):
        lacking = [k for k in key if cols and k not in cols]
        if lacking:
            out.column_problems.append(
                f"key column {', '.join(lacking)} missing in the {side} build"
            )
    if out.column_problems:
        return out
    common = [c for c in left_cols if c in right_cols]

    left_rows, left_dupes = _index(left, key)
    right_rows, right_dupes = _index(right, key)
    for k in sorted(left_dupes | right_dupes, key=_sort_key):
        out.differences.append(RowDifference(table, k, "duplicate_key"))
    for k in sorted(left_rows.keys() | right_rows.keys(), key=_sort_key):
        if k in left_dupes or k in right_dupes:
            continue
        a, b = left_rows.get(k), right_rows.get(k)
        if b is None:
            out.differences.append(RowDifference(table, k, "only_in_duckdb", duckdb=a))
        elif a is None:
            out.differences.append(RowDifference(table, k, "only_in_spark", spark=b))
        else:
            differing = tuple(c for c in common if not values_match(a[c], b[c], tolerance))
            if differing:
                out.differences.append(
                    RowDifference(table, k, "values_differ", differing, duckdb=a, spark=b)
                )
    return out


def _index(
    rows: list[dict[str, Any]], key: tuple[str, ...]
) -> tuple[dict[tuple[Any, ...], dict[str, Any]], set[tuple[Any, ...]]]:
    indexed: dict[tuple[Any, ...], dict[str, Any]] = {}
    dupes: set[tuple[Any, ...]] = set()
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in indexed:
            dupes.add(k)
        indexed[k] = row
    return indexed, dupes


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, "" if v is None else str(v)) for v in key)


def _show(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
