"""Great Expectations suites: a clean batch passes; each planted violation fails the right
check with the right severity and names the row; absent marts warn; Data Docs are written.

The warehouse is built by hand here (raw tables from ingest.sources, marts with the
contract columns), so these tests need neither the loader nor dbt. GX is imported once
per test session: the clean runs are a session fixture the other tests reuse.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from expectations import CheckRun, build_data_docs, check_batch, check_marts
from expectations import thresholds as t
from ingest.sources import META_COLUMNS, SOURCES, raw_table_ddl
from schoolwh.audit import CheckResult, ensure_audit_schema

D1, D2 = "410105", "410102"  # 金水区, 中原区
A, B, C, E = "4101050001", "4101050002", "4101050003", "4101020001"
SCHOOL_DAYS = [dt.date(2025, 9, d) for d in (8, 9, 10, 11, 12)]  # Monday to Friday
CLEAN_LOAD = 1
NEW_LOAD = 2

# --- a small jurisdiction, landed as the loader would land it -------------------------------

_seq = iter(range(1, 1000))


def land(
    con: duckdb.DuckDBPyConnection, source: str, rows: list[dict[str, Any]], load_id: int
) -> str:
    """Append rows to raw.<source> with load metadata; returns the file name used."""
    src = SOURCES[source]
    seq = next(_seq)
    file_name = f"{source}-{load_id}-{seq}.xlsx"
    cols = [*src.names, *META_COLUMNS]
    for i, row in enumerate(rows):
        meta = {
            "_load_id": load_id,
            "_batch_seq": seq,
            "_file_hash": f"hash{seq}",
            "_file_name": file_name,
            "_sheet": "Sheet1",
            "_row_number": i + 2,  # row 1 is the header
        }
        values = [{**row, **meta}.get(c) for c in cols]
        con.execute(
            f"insert into raw.{source} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
            values,
        )
    return file_name


def clean_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for src in SOURCES.values():
        con.execute(raw_table_ddl(src))
    ensure_audit_schema(con)
    land(
        con,
        "districts",
        [
            {"district_code": D1, "district_name": "金水区", "district_kind": "district"},
            {"district_code": D2, "district_name": "中原区", "district_kind": "district"},
        ],
        CLEAN_LOAD,
    )
    school = {"stage": "primary", "ownership": "public", "has_after_school": True, "active": True}
    land(
        con,
        "schools",
        [
            {
                **school,
                "school_code": A,
                "school_name": "甲小学",
                "district_code": D1,
                "lunch_mode": "self_run",
                "lunch_start_date": dt.date(2020, 9, 1),
            },
            {
                **school,
                "school_code": B,
                "school_name": "乙小学",
                "district_code": D1,
                "lunch_mode": "catering",
                "lunch_start_date": dt.date(2025, 9, 1),
            },
            {
                **school,
                "school_code": C,
                "school_name": "丙小学",
                "district_code": D1,
                "lunch_mode": "none",
                "has_after_school": False,
            },
            {
                **school,
                "school_code": E,
                "school_name": "丁小学",
                "district_code": D2,
                "lunch_mode": "self_run",
                "lunch_start_date": dt.date(2019, 9, 1),
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "enrollment",
        [
            {
                "school_code": A,
                "term": "2025-autumn",
                "enrolled": 1000,
                "lunch_need": 900,
                "after_school_need": 800,
            },
            {
                "school_code": B,
                "term": "2025-autumn",
                "enrolled": 500,
                "lunch_need": 400,
                "after_school_need": 300,
            },
            {"school_code": C, "term": "2025-autumn", "enrolled": 100},
            {
                "school_code": E,
                "term": "2025-autumn",
                "enrolled": 800,
                "lunch_need": 700,
                "after_school_need": 600,
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "participation",
        [
            {"school_code": s, "date": d, "lunch_students": n - 5 * i, "after_school_students": m}
            for s, n, m in ((A, 870, 710), (B, 380, 250), (E, 690, 560))
            for i, d in enumerate(SCHOOL_DAYS)
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "budget",
        [
            {
                "budget_id": "金财教〔2025〕12号-1",
                "fiscal_year": 2025,
                "district_code": D1,
                "program": "nutrition_plan",
                "amount": 1_000_000,
                "allocated_date": dt.date(2025, 3, 1),
            },
            {
                "budget_id": "金财教〔2025〕12号-2",
                "fiscal_year": 2025,
                "district_code": D1,
                "program": "after_school",
                "amount": 200_000,
                "allocated_date": dt.date(2025, 3, 1),
            },
            {
                "budget_id": "中财教〔2025〕3号-1",
                "fiscal_year": 2025,
                "district_code": D2,
                "program": "lunch_subsidy",
                "amount": 500_000,
                "allocated_date": dt.date(2025, 2, 20),
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "expenditure",
        [
            {
                "expenditure_id": f"V{i}",
                "date": d,
                "district_code": dist,
                "program": "nutrition_plan",
                "category": "ingredients",
                "amount": amt,
            }
            for i, (d, dist, amt) in enumerate(
                [
                    (dt.date(2025, 3, 15), D1, 300_000),
                    (dt.date(2025, 6, 20), D1, 220_000),
                    (dt.date(2025, 9, 25), D1, 150_000),
                    (dt.date(2025, 9, 28), D1, -10_000),
                    (dt.date(2025, 9, 20), D2, 100_000),
                ]
            )
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "survey",
        [
            {
                "response_id": f"Q{i}",
                "school_code": A if i % 2 else B,
                "date": dt.date(2025, 9, 26),
                "respondent": "parent",
                "overall": 3 + i % 3,
                "taste": 4,
                "comment": "家长 张三 13800000000",
            }
            for i in range(40)
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "issues",
        [
            {
                "issue_id": "I1",
                "school_code": A,
                "found_date": dt.date(2025, 9, 8),
                "category": "hygiene",
                "deadline": dt.date(2025, 9, 15),
                "status": "closed",
                "closed_date": dt.date(2025, 9, 12),
            },
            {
                "issue_id": "I2",
                "school_code": B,
                "found_date": dt.date(2025, 9, 9),
                "category": "records",
                "deadline": dt.date(2025, 9, 16),
                "status": "open",
            },
        ],
        CLEAN_LOAD,
    )


# KPI rows per district: kpi -> (numerator, denominator, target); value = num / den.
DISTRICT_KPIS = {
    D1: {
        "lunch_coverage": (2, 3, 1.0),
        "eating_share": (1059.2, 1600, None),
        "lunch_demand_met": (1059.2, 1300, 1.0),
        "satisfaction_rate": (37, 40, 0.95),
    },
    D2: {
        "lunch_coverage": (1, 1, 1.0),
        "eating_share": (680.0, 800, None),
        "lunch_demand_met": (680.0, 700, 1.0),
        "satisfaction_rate": (0, 0, 0.95),
    },
}


def _status(value: float | None, target: float | None, kpi: str, n: float) -> str | None:
    if target is None:
        return None
    if value is None:
        return "no_data"
    if kpi == "satisfaction_rate" and n < 30:
        return "insufficient_sample"
    return "met" if value >= target else "near" if value >= target - 0.05 else "missed"


def _wilson(k: float, n: float) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def _kpi_row(kpi: str, num: float, den: float, target: float | None) -> dict[str, Any]:
    value = num / den if den else None
    lo, hi = _wilson(num, den) if kpi == "satisfaction_rate" else (None, None)
    return {
        "period_type": "term",
        "period": "2025-autumn",
        "kpi": kpi,
        "numerator": num,
        "denominator": den,
        "value": value,
        "target": target,
        "status": _status(value, target, kpi, den),
        "value_lower": lo,
        "value_upper": hi,
    }


KPI_COLUMNS = (
    "period_type VARCHAR, period VARCHAR, kpi VARCHAR, numerator DOUBLE, "
    "denominator DOUBLE, value DOUBLE, target DOUBLE, status VARCHAR, "
    "value_lower DOUBLE, value_upper DOUBLE"
)


def insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    cols = list(row)
    con.execute(
        f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
        [row[c] for c in cols],
    )


def clean_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_district (district_code VARCHAR, district_name VARCHAR, "
        "district_kind VARCHAR)"
    )
    con.execute(
        f"insert into marts.dim_district values ('{D1}', '金水区', 'district'), "
        f"('{D2}', '中原区', 'district')"
    )
    con.execute(
        "create table marts.dim_school as select * exclude (_load_id, _batch_seq, "
        "_file_hash, _file_name, _sheet, _row_number) from raw.schools"
    )
    con.execute(f"create table marts.kpi_district (district_code VARCHAR, {KPI_COLUMNS})")
    con.execute(f"create table marts.kpi_overall ({KPI_COLUMNS})")
    totals: dict[str, list[float]] = {}
    for district, kpis in DISTRICT_KPIS.items():
        for kpi, (num, den, target) in kpis.items():
            insert(
                con,
                "marts.kpi_district",
                {"district_code": district, **_kpi_row(kpi, num, den, target)},
            )
            acc = totals.setdefault(kpi, [0, 0, target])
            acc[0] += num
            acc[1] += den
    for kpi, (num, den, target) in totals.items():
        insert(con, "marts.kpi_overall", _kpi_row(kpi, num, den, target))
    con.execute(
        "create table marts.build_info as select date '2025-09-28' as as_of_date, "
        "now()::timestamp as built_at"
    )


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def clean_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "build.duckdb"
    con = duckdb.connect(str(path))
    clean_raw(con)
    clean_marts(con)
    con.close()
    return path


@pytest.fixture(scope="session")
def clean_runs(clean_db: Path) -> tuple[CheckRun, CheckRun]:
    """The checks on the clean warehouse: the first call imports GX (once per session)."""
    con = duckdb.connect(str(clean_db), read_only=True)
    try:
        return check_batch(con, CLEAN_LOAD), check_marts(con, CLEAN_LOAD)
    finally:
        con.close()


@pytest.fixture
def db(clean_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private copy of the clean warehouse to plant a violation in."""
    path = tmp_path / "build.duckdb"
    shutil.copy(clean_db, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def find(run: list[CheckResult], suite: str, column: str) -> CheckResult:
    hits = [r for r in run if r.suite == suite and r.column_name == column]
    assert len(hits) == 1, f"{suite}/{column}: {[(r.suite, r.column_name) for r in run]}"
    return hits[0]


def failed(run: list[CheckResult]) -> list[tuple[str, str | None, str]]:
    return [(r.suite, r.column_name, r.severity) for r in run if not r.success]
