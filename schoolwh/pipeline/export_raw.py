"""Write the raw layer of a warehouse as Parquet, one folder per source.

`export_raw()` copies every `raw.<source>` table of the contract (schoolwh/core/sources.py),
with its load metadata, to `<out_dir>/<source>/` through DuckDB's `COPY ... TO ...
(FORMAT parquet)` on a read-only connection, so the published warehouse can be exported
while the dashboard reads it. Any engine that reads Parquet can then build from the
same rows: the dbt project's `spark` target reads these folders (SCHOOLWH_RAW_PARQUET).

A large table is split into files of at most `file_size` bytes (a table with no rows
still gets one file, which carries the column types). A source's folder is written
beside the old one and swapped in when complete: a failed export never leaves a
half-written folder where a reader looks.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb

from schoolwh.core.atomic import replace_folder
from schoolwh.core.sources import META_COLUMNS, SOURCES

RAW_SCHEMA = "raw"
DEFAULT_FILE_SIZE = "256MB"


class ExportError(Exception):
    """The raw layer could not be exported; the message says why, in words a person can act on."""


def export_raw(
    warehouse: Path, out_dir: Path, *, file_size: str = DEFAULT_FILE_SIZE
) -> dict[str, Path]:
    """Write every raw source of `warehouse` to `out_dir/<source>/` as Parquet.

    Returns the folder written for each source, in the contract's order. Raises
    `ExportError` when the warehouse is missing, cannot be opened, or lacks a raw table.
    """
    warehouse = Path(warehouse).expanduser().resolve()
    out_dir = Path(out_dir).expanduser().resolve()
    if not warehouse.is_file():
        raise ExportError(
            f"Warehouse file not found: {warehouse}. Load data first (schoolwh load)."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"Not a folder to export into: {out_dir}")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ExportError(
            f"Cannot open the warehouse {warehouse} read-only (is a load writing it?): {exc}"
        ) from exc
    try:
        problems = _schema_problems(con)
        if problems:
            raise ExportError(
                f"The warehouse {warehouse} does not hold the raw layer of the contract "
                f"({'; '.join(problems)}). Is it a schoolwh warehouse? Load data first "
                "(schoolwh load)."
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        return {name: _copy_table(con, name, out_dir, file_size) for name in SOURCES}
    except duckdb.Error as exc:
        raise ExportError(f"Export of the raw layer failed: {exc}") from exc
    finally:
        con.close()


def _schema_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Raw tables or columns of the contract (with the load metadata) the warehouse lacks."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [RAW_SCHEMA],
    ).fetchall():
        present.setdefault(table, set()).add(column)
    problems = []
    for name, source in SOURCES.items():
        if name not in present:
            problems.append(f"no table raw.{name}")
            continue
        lacking = [c for c in (*source.names, *META_COLUMNS) if c not in present[name]]
        if lacking:
            problems.append(f"raw.{name} lacks {', '.join(lacking)}")
    return problems


def _copy_table(con: duckdb.DuckDBPyConnection, name: str, out_dir: Path, file_size: str) -> Path:
    final = out_dir / name
    staging = out_dir / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        con.execute(
            f"copy {RAW_SCHEMA}.{name} to '{_sql_path(staging)}' "
            f"(format parquet, compression zstd, file_size_bytes '{file_size}')"
        )
        if not any(staging.glob("*.parquet")):  # DuckDB writes one file even for no rows
            raise ExportError(f"No Parquet file was written for raw.{name}")
        replace_folder(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
