"""The audit schema: loads, files, quarantined rows and quality-check outcomes.

Written by `schoolwh load` into the build copy, so it is published with the data it
describes. `CheckResult` is what every quality check (Great Expectations suites, dbt
tests) reports, one row of `audit.dq_results` each.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

AUDIT_DDL = (
    "CREATE SCHEMA IF NOT EXISTS audit",
    """CREATE TABLE IF NOT EXISTS audit.loads (
        load_id BIGINT PRIMARY KEY,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        outcome VARCHAR,            -- published / published_with_rejections / nothing_new
        files_seen INTEGER,
        files_loaded INTEGER,
        files_skipped INTEGER,
        files_rejected INTEGER,
        rows_landed BIGINT,
        rows_quarantined BIGINT,
        rows_dropped BIGINT,        -- summary (合计) and note (填表人) rows
        as_of_date DATE,
        message VARCHAR
    )""",
    # who submitted the load from the upload page (NULL for `schoolwh load`)
    "ALTER TABLE audit.loads ADD COLUMN IF NOT EXISTS submitted_by VARCHAR",
    # when the files were received: the load's start, or `schoolwh load --received DATE`
    "ALTER TABLE audit.loads ADD COLUMN IF NOT EXISTS received_at TIMESTAMP",
    """CREATE TABLE IF NOT EXISTS audit.load_files (
        load_id BIGINT,
        batch_seq BIGINT,
        file_name VARCHAR,          -- as given on the command line
        file_hash VARCHAR,          -- sha256 of the bytes; the archive copy is named by it
        sheet VARCHAR,              -- NULL for CSV
        source VARCHAR,
        status VARCHAR,             -- loaded / skipped / rejected / ignored / hidden
        rows_read BIGINT,
        rows_landed BIGINT,
        rows_quarantined BIGINT,
        rows_dropped BIGINT,
        header_row INTEGER,
        encoding VARCHAR,
        message VARCHAR
    )""",
    # the mapping a sheet was read with, and its structure rows (kind -> row numbers, JSON)
    "ALTER TABLE audit.load_files ADD COLUMN IF NOT EXISTS mapping VARCHAR",
    "ALTER TABLE audit.load_files ADD COLUMN IF NOT EXISTS structure_rows VARCHAR",
    """CREATE TABLE IF NOT EXISTS audit.quarantine (
        load_id BIGINT,
        file_name VARCHAR,
        file_hash VARCHAR,
        sheet VARCHAR,
        source VARCHAR,
        row_number INTEGER,         -- the row number a person sees in Excel
        column_name VARCHAR,
        raw_value VARCHAR,
        reason VARCHAR,             -- a code of schoolwh/core/reasons.py
        message VARCHAR,
        file_rejected BOOLEAN,
        raw_row VARCHAR             -- the whole row as JSON, so nothing is lost
    )""",
    """CREATE TABLE IF NOT EXISTS audit.dq_results (
        load_id BIGINT,
        checked_at TIMESTAMP,
        stage VARCHAR,              -- batch / build / marts
        suite VARCHAR,
        check_name VARCHAR,
        target VARCHAR,
        column_name VARCHAR,
        severity VARCHAR,           -- critical / warning
        success BOOLEAN,
        element_count BIGINT,
        unexpected_count BIGINT,
        unexpected_examples VARCHAR, -- JSON list
        message VARCHAR
    )""",
)


@dataclass
class CheckResult:
    """One quality check's outcome (one row of audit.dq_results)."""

    stage: str
    suite: str
    check_name: str
    target: str
    success: bool
    severity: str = "warning"
    column_name: str | None = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_examples: list = field(default_factory=list)
    message: str = ""

    @property
    def blocks_publish(self) -> bool:
        return self.severity == "critical" and not self.success

    def as_row(self, load_id: int) -> dict:
        row = asdict(self)
        row["unexpected_examples"] = json.dumps(
            self.unexpected_examples[:20], ensure_ascii=False, default=str
        )
        row["load_id"] = load_id
        return row


def ensure_audit_schema(con) -> None:
    for ddl in AUDIT_DDL:
        con.execute(ddl)


def append_frame(con, table: str, frame) -> None:
    """Append a Polars frame to an audit table by column name; DuckDB casts each column to
    the table's type (the DDL above is the one schema)."""
    if frame.height == 0:
        return
    con.register("_audit_append", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _audit_append")
    finally:
        con.unregister("_audit_append")


def append_rows(con, table: str, rows: list[dict]) -> None:
    """Append rows given as dicts (column → value) to an audit table."""
    if not rows:
        return
    import polars as pl

    append_frame(con, table, pl.DataFrame(rows, infer_schema_length=None))
