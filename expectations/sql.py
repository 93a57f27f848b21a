"""SQL pieces the suites share: current rows of a raw source, terms, school holidays.

The cross-source work (joins to the registry, enrolment, budgets) is done in DuckDB so
that Great Expectations receives one compact frame per suite.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from expectations.thresholds import HOLIDAY_WINDOWS
from schoolwh.core.sources import META_COLUMNS, SOURCES


def fetch_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """A query's result as a pandas frame, through Arrow.

    Arrow keeps strings in Arrow memory (pandas' default string type reads them without
    copying): ~8x faster than `.df()` on a 4-million-row participation batch. Dates come
    as datetime64 rather than Python date objects. `con.execute` is used rather than
    `con.sql`, which refuses to run while the caller holds an unfinished result; the
    extra copy DuckDB warns about costs ~0.3 s on 4 million rows.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
        table = con.execute(sql, dict(params) if params else None).to_arrow_table()
    return table.to_pandas(date_as_object=False, strings_to_categorical=True)


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """A table or view `schema.name` exists in the connection's current database."""
    row = con.execute(
        """
        select count(*) from information_schema.tables
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        """,
        [schema, name],
    ).fetchall()
    return bool(row and row[0][0])


def relation_columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    rows = con.execute(
        """
        select column_name from information_schema.columns
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows]


def raw_relation(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """`raw.<source>`, or an empty relation with its columns when the table is absent.

    Sources load in any order: a participation batch may arrive before any registry, and
    its checks must then see an empty registry rather than fail.
    """
    if relation_exists(con, "raw", source):
        return f"raw.{source}"
    cols = [f"cast(null as {c.raw_type}) as {c.name}" for c in SOURCES[source].columns]
    cols += [f"cast(null as {t}) as {n}" for n, t in META_COLUMNS.items()]
    return f"(select {', '.join(cols)} where false)"


def current_rows(
    con: duckdb.DuckDBPyConnection, source: str, columns: str = "*", where: str = ""
) -> str:
    """A select of the current version of each key of a raw source (latest load wins).

    `where` may only restrict the key columns (it is applied before the latest version
    of each key is chosen, which is correct only when whole keys are kept or dropped).
    """
    key = ", ".join(SOURCES[source].key)
    where_sql = f"where {where}" if where else ""
    return f"""
        select {columns} from {raw_relation(con, source)}
        {where_sql}
        qualify row_number() over (
            partition by {key} order by _batch_seq desc, _row_number desc
        ) = 1
    """


def term_of(date_sql: str) -> str:
    """The term (docs/kpis.md#periods) a date falls in: Sep-Jan autumn, Feb-Aug spring."""
    d = date_sql
    return f"""(case
        when month({d}) >= 9 then cast(year({d}) as varchar) || '-autumn'
        when month({d}) = 1 then cast(year({d}) - 1 as varchar) || '-autumn'
        else cast(year({d}) as varchar) || '-spring'
    end)"""


def in_holiday(date_sql: str) -> str:
    """True when the date falls in one of the school-holiday windows of thresholds.py."""
    md = f"(month({date_sql}) * 100 + day({date_sql}))"
    parts = [
        f"{md} between {a[0] * 100 + a[1]} and {b[0] * 100 + b[1]}" for a, b in HOLIDAY_WINDOWS
    ]
    return "(" + " or ".join(parts) + ")"
