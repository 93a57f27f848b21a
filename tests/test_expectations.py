"""Great Expectations suites: a clean batch passes; each planted violation fails the right
check with the right severity and names the row; absent marts warn; Data Docs are written.

The warehouse is built by hand here (raw tables from schoolwh.core.sources, marts with the
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

from expectations import CheckRun, DataDocsError, build_data_docs, check_batch, check_marts
from schoolwh.core.audit import CheckResult, ensure_audit_schema
from schoolwh.core.settings import DBT_DIR
from schoolwh.core.sources import META_COLUMNS, SOURCES, raw_only_columns, raw_table_ddl

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

    land_supervision(con)


SUP1, SUP2 = "91410105MA0001", "91410100MA0002"  # a district's supplier, a city-wide one


def land_supervision(con: duckdb.DuckDBPyConnection) -> None:
    """The seven supervision sources, clean: every check passes on them."""
    day1, day2 = SCHOOL_DAYS[0], SCHOOL_DAYS[1]
    land(
        con,
        "meal_companions",
        [
            {
                "record_id": "P1",
                "school_code": A,
                "date": day1,
                "role": "school_leader",
                "people": 1,
                "rating": 5,
                "companion_name": "王校长",
                "feedback": "家长 张三 13800000000",
            },
            {"record_id": "P2", "school_code": E, "date": day2, "role": "parent", "people": 2},
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "menus",
        [
            {
                "school_code": s,
                "date": day1,
                "dishes": 3,
                "meat_dishes": 1,
                "has_fruit": True,
                "has_staple": True,
                "price": 6.0,
                "published_date": dt.date(2025, 9, 5),
                "menu_text": "红烧肉、炒青菜、苹果、米饭",
            }
            for s in (A, B, E)
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "kitchen_cameras",
        [
            {"school_code": A, "date": day1, "cameras": 4, "online": 4},
            {"school_code": E, "date": day1, "cameras": 6, "online": 5},
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "canteen_checks",
        [
            {
                "check_id": "C1",
                "school_code": A,
                "date": day2,
                "kind": "weekly",
                "result": "pass",
                "score": 95,
                "inspector": "李四",
            },
            {
                "check_id": "C2",
                "school_code": E,
                "date": day2,
                "kind": "standard",
                "result": "fail",
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "suppliers",
        [
            {
                "supplier_id": SUP1,
                "supplier_name": "金水粮油配送有限公司",
                "district_code": D1,
                "certified": True,
                "admitted_date": dt.date(2024, 1, 1),
            },
            {
                "supplier_id": SUP2,
                "supplier_name": "全市肉类配送有限公司",
                "certified": False,
                "admitted_date": dt.date(2024, 6, 1),
                "exited_date": dt.date(2025, 12, 1),
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "deliveries",
        [
            {
                "delivery_id": "D1",
                "school_code": A,
                "date": day1,
                "supplier_id": SUP1,
                "category": "rice",
                "unified": True,
                "amount": 1000,
                "inspected": True,
            },
            {
                "delivery_id": "D2",
                "school_code": E,
                "date": day2,
                "supplier_id": SUP2,
                "category": "meat",
                "unified": False,
                "amount": 600,
            },
        ],
        CLEAN_LOAD,
    )
    land(
        con,
        "training",
        [
            {
                "training_id": "T1",
                "date": dt.date(2025, 10, 10),
                "district_code": D1,
                "audience": "canteen_manager",
                "person_times": 120,
                "topic": "食品安全法规",
            }
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
        "ci_lower": lo,
        "ci_upper": hi,
    }


KPI_COLUMNS = (
    "period_type VARCHAR, period VARCHAR, kpi VARCHAR, numerator DOUBLE, "
    "denominator DOUBLE, value DOUBLE, target DOUBLE, status VARCHAR, "
    "ci_lower DOUBLE, ci_upper DOUBLE"
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
    # the KPI dictionary as dbt publishes it (the seed)
    seed = (DBT_DIR / "seeds" / "kpi_definitions.csv").as_posix()
    con.execute(
        f"create table marts.kpi_definitions as select * from read_csv('{seed}', all_varchar = true)"
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


def find(
    run: list[CheckResult], suite: str, column: str | None, check_name: str | None = None
) -> CheckResult:
    """The one result of a suite on a column (and of a check type, when given)."""
    hits = [
        r
        for r in run
        if r.suite == suite
        and r.column_name == column
        and (check_name is None or r.check_name == check_name)
    ]
    assert len(hits) == 1, f"{suite}/{column}: {[(r.suite, r.column_name) for r in run]}"
    return hits[0]


def failed(run: list[CheckResult]) -> list[tuple[str, str | None, str]]:
    return [(r.suite, r.column_name, r.severity) for r in run if not r.success]


def weekday_row(school: str, lunch: int, day: int = 15) -> dict[str, Any]:
    """A participation row on a school day of the new batch (15 Sep 2025 is a Monday)."""
    return {"school_code": school, "date": dt.date(2025, 9, day), "lunch_students": lunch}


# --- clean data ---------------------------------------------------------------------------


def test_clean_batch_passes_every_check(clean_runs: tuple[CheckRun, CheckRun]) -> None:
    batch, _ = clean_runs
    assert failed(batch) == []
    suites = {r.suite for r in batch}
    assert {f"raw.{s}" for s in SOURCES} <= suites
    assert {"raw.participation.reporting", "raw.expenditure.budget"} <= suites
    assert {r.stage for r in batch} == {"batch"}
    assert {r.severity for r in batch} == {"critical", "warning"}
    keys = [(r.suite, r.check_name, r.column_name) for r in batch]
    assert len(keys) == len(set(keys)), "each check is named uniquely within its suite"
    assert not batch.blocks_publish


def test_clean_marts_pass_every_check(clean_runs: tuple[CheckRun, CheckRun]) -> None:
    _, marts = clean_runs
    assert failed(marts) == []
    assert {r.suite for r in marts} == {
        "marts.kpi_district",
        "marts.kpi_overall",
        "marts.build_info",
    }
    assert find(marts, "marts.kpi_district", "interval_ordered").success
    assert {r.stage for r in marts} == {"marts"}


def test_results_are_rows_of_audit_dq_results(
    clean_runs: tuple[CheckRun, CheckRun], db: duckdb.DuckDBPyConnection
) -> None:
    rows = [r.as_row(CLEAN_LOAD) for run in clean_runs for r in run]
    cols = list(rows[0])
    db.executemany(
        f"insert into audit.dq_results ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
        [[row[c] for c in cols] for row in rows],
    )
    got = db.execute(
        "select count(*), count(distinct suite), bool_and(success) from audit.dq_results"
    ).fetchall()[0]
    assert got == (len(rows), len({r.suite for run in clean_runs for r in run}), True)


@pytest.mark.parametrize(("schema_table", "columns"), sorted(raw_only_columns().items()))
def test_free_text_never_reaches_the_checks(
    clean_runs: tuple[CheckRun, CheckRun], schema_table: tuple[str, str], columns: tuple[str, ...]
) -> None:
    batch, _ = clean_runs
    suites = [v for v in batch.validations if v.suite.startswith(f"raw.{schema_table[1]}")]
    assert suites
    for suite in suites:
        text = json.dumps(suite.result.to_json_dict(), ensure_ascii=False)
        for column in columns:
            assert column not in text
        assert "张三" not in text and "李四" not in text and "王校长" not in text


def test_load_without_rows_has_no_batch_checks(clean_db: Path) -> None:
    con = duckdb.connect(str(clean_db), read_only=True)
    try:
        assert check_batch(con, 99) == []
    finally:
        con.close()


# --- planted violations in a new batch -------------------------------------------------------


@pytest.mark.parametrize(("lunch", "passes"), [(550, True), (551, False)])
def test_lunch_students_above_enrolment_warn_naming_the_row(
    db: duckdb.DuckDBPyConnection, lunch: int, passes: bool
) -> None:
    file_name = land(db, "participation", [weekday_row(A, 860), weekday_row(B, lunch)], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    check = find(run, "raw.participation", "lunch_per_enrolled")
    assert check.severity == "warning"
    assert check.success is passes
    if passes:
        assert failed(run) == []
        return
    assert failed(run) == [("raw.participation", "lunch_per_enrolled", "warning")]
    assert (check.element_count, check.unexpected_count) == (2, 1)
    example = check.unexpected_examples[0]
    assert example["school_code"] == B
    assert example["date"] == "2025-09-15"
    assert (example["lunch_students"], example["enrolled"]) == (551, 500)
    assert (example["_file_name"], example["_row_number"]) == (file_name, 3)
    assert not run.blocks_publish


def test_weekend_and_holiday_dates_warn(db: duckdb.DuckDBPyConnection) -> None:
    saturday = {"school_code": A, "date": dt.date(2025, 9, 13), "lunch_students": 800}
    summer = {"school_code": A, "date": dt.date(2025, 8, 1), "lunch_students": 800}
    makeup_sunday = {"school_code": B, "date": dt.date(2025, 9, 28), "lunch_students": 380}
    national_day = {"school_code": E, "date": dt.date(2025, 10, 1), "lunch_students": 690}
    rows = [weekday_row(B, 380), saturday, summer, makeup_sunday, national_day]
    land(db, "participation", rows, NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    weekend = find(run, "raw.participation", "on_school_weekday")
    assert (weekend.success, weekend.severity, weekend.unexpected_count) == (False, "warning", 1)
    assert weekend.unexpected_examples[0]["date"] == "2025-09-13"  # 28 Sep was worked: fine
    assert weekend.unexpected_examples[0]["school_code"] == A
    assert weekend.unexpected_examples[0]["iso_weekday"] == 6
    holiday = find(run, "raw.participation", "outside_school_holidays")
    assert (holiday.success, holiday.severity, holiday.unexpected_count) == (False, "warning", 2)
    assert {(e["school_code"], e["date"]) for e in holiday.unexpected_examples} == {
        (A, "2025-08-01"),  # summer break
        (E, "2025-10-01"),  # National Day
    }
    # 1 Aug lies in the 2025-spring term, for which A has no enrolment row
    assert sorted(failed(run)) == [
        ("raw.participation", "has_enrolment", "warning"),
        ("raw.participation", "on_school_weekday", "warning"),
        ("raw.participation", "outside_school_holidays", "warning"),
    ]
    assert not run.blocks_publish


def test_a_date_in_a_year_the_holiday_calendar_does_not_know_warns(
    db: duckdb.DuckDBPyConnection,
) -> None:
    far = {"school_code": A, "date": dt.date(2040, 10, 1), "lunch_students": 800}  # a Monday
    land(db, "participation", [weekday_row(B, 380), far], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    unknown = find(run, "raw.participation", "holiday_calendar_knows_year")
    assert (unknown.success, unknown.severity, unknown.unexpected_count) == (False, "warning", 1)
    assert unknown.unexpected_examples[0]["date"] == "2040-10-01"
    assert "holidays.toml" in unknown.message
    assert find(run, "raw.participation", "outside_school_holidays").success  # not checkable
    assert not run.blocks_publish


def test_a_year_added_to_the_override_file_is_checked(
    db: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expectations import school_calendar
    from schoolwh.core.holidays import load_calendar

    overrides = tmp_path / "holidays.toml"
    overrides.write_text(
        '[2040]\nholidays = [{ name = "国庆节", first = 2040-10-01, last = 2040-10-07 }]\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(school_calendar, "calendar", lambda: load_calendar(overrides))
    far = {"school_code": A, "date": dt.date(2040, 10, 1), "lunch_students": 800}
    land(db, "participation", [weekday_row(B, 380), far], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    assert find(run, "raw.participation", "holiday_calendar_knows_year").success
    holiday = find(run, "raw.participation", "outside_school_holidays")
    assert (holiday.success, holiday.unexpected_count) == (False, 1)


@pytest.mark.parametrize(("amount", "passes"), [(450_000, True), (650_000, False)])
def test_spending_over_budget_warns(
    db: duckdb.DuckDBPyConnection, amount: int, passes: bool
) -> None:
    # 中原区 has 500,000 budgeted for 2025 and 100,000 spent: +450,000 is exactly 110 %
    voucher = {
        "expenditure_id": "V99",
        "date": dt.date(2025, 10, 9),
        "district_code": D2,
        "program": "lunch_subsidy",
        "amount": amount,
    }
    land(db, "expenditure", [voucher], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    check = find(run, "raw.expenditure.budget", "spent_per_budget")
    assert (check.success, check.severity) == (passes, "warning")
    if passes:
        assert failed(run) == []
        return
    assert check.unexpected_examples == [
        {
            "district_code": D2,
            "district_name": "中原区",
            "fiscal_year": 2025,
            "spent": 750_000.0,
            "budget": 500_000.0,
        }
    ]
    assert failed(run) == [("raw.expenditure.budget", "spent_per_budget", "warning")]


def test_spending_without_budget_warns(db: duckdb.DuckDBPyConnection) -> None:
    voucher = {
        "expenditure_id": "V98",
        "date": dt.date(2026, 3, 2),
        "district_code": D2,
        "program": "lunch_subsidy",
        "amount": 1000,
    }
    land(db, "expenditure", [voucher], NEW_LOAD)
    check = find(check_batch(db, NEW_LOAD), "raw.expenditure.budget", "has_budget")
    assert (check.success, check.severity) == (False, "warning")
    assert check.unexpected_examples[0]["fiscal_year"] == 2026


def test_null_key_in_batch_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    land(db, "participation", [weekday_row(A, 860), weekday_row(None, 10)], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    check = find(run, "raw.participation", "school_code")
    assert (check.success, check.severity, check.unexpected_count) == (False, "critical", 1)
    assert check.unexpected_examples[0]["_row_number"] == 3
    assert run.blocks_publish


def test_unknown_school_and_low_reporting_share_warn(db: duckdb.DuckDBPyConnection) -> None:
    land(db, "participation", [weekday_row(A, 860), weekday_row("4101059999", 100)], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    unknown = find(run, "raw.participation", "school_in_registry")
    assert (unknown.success, unknown.severity) == (False, "warning")
    assert unknown.unexpected_examples[0]["school_code"] == "4101059999"
    # only A of 金水区's two lunch-serving schools (A, B) reported: 50 % < 80 %
    share = find(run, "raw.participation.reporting", "reporting_share")
    assert (share.success, share.severity) == (False, "warning")
    assert share.unexpected_examples == [
        {
            "district_code": D1,
            "district_name": "金水区",
            "schools_reporting": 1,
            "lunch_serving_schools": 2,
        }
    ]
    assert not run.blocks_publish


def test_survey_mean_out_of_range_warns(db: duckdb.DuckDBPyConnection) -> None:
    rows = [
        {
            "response_id": f"R{i}",
            "school_code": A,
            "date": dt.date(2025, 10, 9),
            "respondent": "student",
            "overall": 1,
        }
        for i in range(10)
    ]
    land(db, "survey", rows, NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    scores = find(run, "raw.survey", "overall", "expect_column_values_to_be_between")
    assert scores.success  # every score is within 1..5
    mean = find(run, "raw.survey", "overall", "expect_column_mean_to_be_between")
    assert (mean.success, mean.severity) == (False, "warning")
    assert "observed 1" in mean.message
    assert failed(run) == [("raw.survey", "overall", "warning")]


def test_issue_closed_before_found_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    issue = {
        "issue_id": "I9",
        "school_code": A,
        "found_date": dt.date(2025, 10, 9),
        "category": "hygiene",
        "status": "closed",
        "closed_date": dt.date(2025, 10, 1),
    }
    land(db, "issues", [issue], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    check = find(run, "raw.issues", "closed_date,found_date")
    assert (check.success, check.severity) == (False, "critical")
    assert check.unexpected_examples[0]["issue_id"] == "I9"
    assert run.blocks_publish


def test_supervision_plausibility_warns_naming_the_rows(db: duckdb.DuckDBPyConnection) -> None:
    saturday = dt.date(2025, 9, 13)  # A reported September, but not this day
    land(
        db,
        "meal_companions",
        [
            {"record_id": "P9", "school_code": A, "date": saturday, "role": "school_leader"},
            {"record_id": "P8", "school_code": A, "date": SCHOOL_DAYS[2], "role": "official"},
            # a school that reported no day of October: nothing to judge by
            {"record_id": "P7", "school_code": A, "date": dt.date(2025, 10, 9), "role": "parent"},
        ],
        NEW_LOAD,
    )
    land(
        db,
        "kitchen_cameras",
        [{"school_code": B, "date": saturday, "cameras": 2, "online": 2}],
        NEW_LOAD,
    )
    land(
        db,
        "menus",
        [
            {
                "school_code": C,
                "date": saturday,
                "dishes": 2,
                "has_fruit": True,
                "has_staple": True,
            },
            {
                "school_code": A,
                "date": saturday,
                "dishes": 30,
                "has_fruit": True,
                "has_staple": True,
                "price": 300,
            },
        ],
        NEW_LOAD,
    )
    delivery = {"school_code": A, "category": "oil", "unified": True, "amount": 200}
    land(
        db,
        "deliveries",
        [
            {
                **delivery,
                "delivery_id": "D7",
                "date": SCHOOL_DAYS[3],
                "supplier_id": "91410100MA9999",
            },
            {**delivery, "delivery_id": "D8", "date": dt.date(2025, 12, 2), "supplier_id": SUP2},
            {
                **delivery,
                "delivery_id": "D9",
                "date": SCHOOL_DAYS[3],
                "supplier_id": SUP1,
                "amount": 900_000,
            },
        ],
        NEW_LOAD,
    )
    land(
        db,
        "suppliers",
        [
            {
                "supplier_id": "SUP3",
                "supplier_name": "金水粮油配送有限公司",
                "certified": True,
                "admitted_date": dt.date(2025, 1, 1),
                "district_code": "999999",
            }
        ],
        NEW_LOAD,
    )
    land(
        db,
        "training",
        [
            {
                "training_id": "T9",
                "date": dt.date(2025, 11, 1),
                "district_code": D2,
                "person_times": 50_000,
            }
        ],
        NEW_LOAD,
    )
    run = check_batch(db, NEW_LOAD)
    assert sorted(failed(run)) == [
        ("raw.deliveries", "amount", "warning"),
        ("raw.deliveries", "supplier_active_on_date", "warning"),
        ("raw.deliveries", "supplier_in_registry", "warning"),
        ("raw.kitchen_cameras", "kitchen_school", "warning"),
        ("raw.meal_companions", "on_serving_day", "warning"),
        ("raw.menus", "dishes", "warning"),
        ("raw.menus", "price", "warning"),
        ("raw.menus", "school_serves_lunch", "warning"),
        ("raw.suppliers", "district_in_registry", "warning"),
        ("raw.suppliers", "supplier_name_unique", "warning"),
        ("raw.training", "person_times", "warning"),
    ]
    assert not run.blocks_publish
    serving = find(run, "raw.meal_companions", "on_serving_day")
    assert serving.unexpected_count == 1
    assert serving.unexpected_examples[0]["record_id"] == "P9"
    unknown = find(run, "raw.deliveries", "supplier_in_registry")
    assert [e["delivery_id"] for e in unknown.unexpected_examples] == ["D7"]
    exited = find(run, "raw.deliveries", "supplier_active_on_date")
    assert [e["delivery_id"] for e in exited.unexpected_examples] == ["D8"]
    camera = find(run, "raw.kitchen_cameras", "kitchen_school")
    assert camera.unexpected_examples[0]["school_code"] == B


@pytest.mark.parametrize(
    ("source", "row", "columns"),
    [
        (
            "kitchen_cameras",
            {"school_code": A, "date": dt.date(2025, 9, 15), "cameras": 2, "online": 3},
            "cameras,online",
        ),
        (
            "menus",
            {
                "school_code": A,
                "date": dt.date(2025, 9, 15),
                "dishes": 2,
                "meat_dishes": 3,
                "has_fruit": True,
                "has_staple": True,
            },
            "dishes,meat_dishes",
        ),
        (
            "suppliers",
            {
                "supplier_id": "S9",
                "supplier_name": "某公司",
                "certified": True,
                "admitted_date": dt.date(2025, 9, 1),
                "exited_date": dt.date(2025, 8, 1),
            },
            "exited_date,admitted_date",
        ),
        (
            "meal_companions",
            {
                "record_id": "P9",
                "school_code": A,
                "date": dt.date(2025, 9, 15),
                "role": "teacher",
                "rating": 7,
            },
            "rating",
        ),
        (
            "canteen_checks",
            {
                "check_id": "C9",
                "school_code": A,
                "date": dt.date(2025, 9, 15),
                "kind": "daily",
                "result": "pass",
                "score": 120,
            },
            "score",
        ),
    ],
)
def test_a_row_rule_the_loader_missed_is_critical(
    db: duckdb.DuckDBPyConnection, source: str, row: dict[str, Any], columns: str
) -> None:
    land(db, source, [row], NEW_LOAD)
    run = check_batch(db, NEW_LOAD)
    check = find(
        run,
        f"raw.{source}",
        columns,
        None if "," in columns else "expect_column_values_to_be_between",
    )
    assert (check.success, check.severity) == (False, "critical")
    assert run.blocks_publish


# --- planted violations in the marts ----------------------------------------------------------


def set_kpi(
    db: duckdb.DuckDBPyConnection, district: str, kpi: str, value: float, status: str | None
) -> None:
    """Give a district's KPI a value (numerator follows, so value = numerator / denominator)."""
    db.execute(
        "update marts.kpi_district set value = ?, numerator = ? * denominator, status = ? "
        "where district_code = ? and kpi = ?",
        [value, value, status, district, kpi],
    )


def test_true_ratio_above_one_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    set_kpi(db, D1, "lunch_coverage", 1.3, "met")
    run = check_marts(db, CLEAN_LOAD)
    check = find(run, "marts.kpi_district", "true_ratio_value")
    assert (check.success, check.severity, check.unexpected_count) == (False, "critical", 1)
    example = check.unexpected_examples[0]
    assert (example["district_code"], example["kpi"], example["value"]) == (
        D1,
        "lunch_coverage",
        1.3,
    )
    assert example["period"] == "2025-autumn"
    assert run.blocks_publish
    # overall = Σ districts is dbt's test (kpi_overall_equals_district_sums), not repeated here
    assert failed(run) == [("marts.kpi_district", "true_ratio_value", "critical")]


@pytest.mark.parametrize(("value", "passes"), [(1.15, True), (1.3, False)])
def test_share_kpis_above_one_only_warn(
    db: duckdb.DuckDBPyConnection, value: float, passes: bool
) -> None:
    set_kpi(db, D1, "eating_share", value, None)
    run = check_marts(db, CLEAN_LOAD)
    check = find(run, "marts.kpi_district", "share_ratio_value")
    assert (check.success, check.severity) == (passes, "warning")
    assert not run.blocks_publish


def test_wilson_interval_out_of_order_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    db.execute(
        "update marts.kpi_district set ci_upper = value - 0.01 "
        "where district_code = ? and kpi = 'satisfaction_rate'",
        [D1],
    )
    check = find(check_marts(db, CLEAN_LOAD), "marts.kpi_district", "interval_ordered")
    assert (check.success, check.severity) == (False, "critical")
    assert check.unexpected_examples[0]["district_code"] == D1


def test_malformed_period_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    db.execute(
        "update marts.kpi_district set period = '2025-13' "
        "where district_code = ? and kpi = 'lunch_coverage'",
        [D2],
    )
    run = check_marts(db, CLEAN_LOAD)
    period = find(run, "marts.kpi_district", "period_well_formed")
    assert (period.success, period.severity) == (False, "critical")
    assert period.unexpected_examples[0]["period"] == "2025-13"


def test_value_ranges_follow_the_warehouse_kpi_dictionary(db: duckdb.DuckDBPyConnection) -> None:
    """Which range a KPI's value is held to comes from marts.kpi_definitions: declared a
    share there, a lunch_coverage of 1.15 only warns; as a proportion it was critical."""
    set_kpi(db, D1, "lunch_coverage", 1.15, "met")
    check = find(check_marts(db, CLEAN_LOAD), "marts.kpi_district", "true_ratio_value")
    assert (check.success, check.severity) == (False, "critical")
    db.execute("update marts.kpi_definitions set value_kind = 'share' where kpi = 'lunch_coverage'")
    run = check_marts(db, CLEAN_LOAD)
    assert find(run, "marts.kpi_district", "true_ratio_value").success
    share = find(run, "marts.kpi_district", "share_ratio_value")
    assert (share.success, share.severity) == (True, "warning")
    assert not run.blocks_publish


def test_a_count_kpi_is_its_numerator_without_denominator(
    db: duckdb.DuckDBPyConnection,
) -> None:
    """A KPI of value kind `count` in the seed (training person-times) has value =
    numerator and no denominator: clean as such, critical when the value leaves the
    numerator or goes below 0. The rule follows the seed's value_kind, not a KPI id."""
    (kpi,) = db.execute(
        "select kpi from marts.kpi_definitions where value_kind = 'count'"
    ).fetchone()
    for district, total in ((D1, 75.0), (D2, 0.0)):
        row = {**_kpi_row(kpi, total, 0, None), "denominator": None, "value": total}
        insert(db, "marts.kpi_district", {"district_code": district, **row, "status": None})
    run = check_marts(db, CLEAN_LOAD)
    assert failed(run) == []
    assert find(run, "marts.kpi_district", "count_value").success
    db.execute(
        "update marts.kpi_district set value = 80 where kpi = ? and district_code = ?", [kpi, D1]
    )
    db.execute(
        "update marts.kpi_district set value = -1, numerator = -1 where kpi = ? and district_code = ?",
        [kpi, D2],
    )
    run = check_marts(db, CLEAN_LOAD)
    assert set(failed(run)) == {
        ("marts.kpi_district", "value_is_numerator_over_denominator", "critical"),
        ("marts.kpi_district", "count_value", "critical"),
        ("marts.kpi_district", "count_numerator", "critical"),
    }
    assert run.blocks_publish


def test_absent_marts_give_warnings_not_errors(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    try:
        clean_raw(con)  # registry and facts landed, nothing built yet
        run = check_marts(con, CLEAN_LOAD)
        assert len(run) == 4  # kpi_definitions, kpi_district, kpi_overall, build_info
        assert {(r.check_name, r.severity, r.success) for r in run} == {
            ("mart_present", "warning", False)
        }
        assert "marts.kpi_district" in {r.target for r in run}
        assert not run.blocks_publish
        index = build_data_docs([run], tmp_path / "docs")  # no GX results: summary only
        assert "marts.kpi_district" in index.read_text(encoding="utf-8")
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_district (district_code VARCHAR, "
            "district_name VARCHAR, district_kind VARCHAR)"
        )
        con.execute(f"create table marts.kpi_district (district_code VARCHAR, {KPI_COLUMNS})")
        run = check_marts(con, CLEAN_LOAD)
        empty = [r for r in run if r.check_name == "mart_has_rows"]
        assert {r.target for r in empty} == {"marts.kpi_district"}
        assert not run.blocks_publish
    finally:
        con.close()


def test_mart_missing_contract_column_is_critical(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("alter table marts.kpi_overall drop column status")
    run = check_marts(db, CLEAN_LOAD)
    check = find(run, "marts.kpi_overall", None)
    assert (check.check_name, check.success, check.severity) == (
        "contract_columns_present",
        False,
        "critical",
    )
    assert "status" in check.message


# --- Data Docs ---------------------------------------------------------------------------------


def test_data_docs_are_written_and_readable_offline(
    clean_runs: tuple[CheckRun, CheckRun], db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    land(db, "participation", [weekday_row(A, 860), weekday_row(B, 900)], NEW_LOAD)
    batch = check_batch(db, NEW_LOAD)
    out = tmp_path / "dq_docs"
    index = build_data_docs([batch, clean_runs[1]], out)
    assert index == out / "index.html"
    text = index.read_text(encoding="utf-8")
    assert "lunch_per_enrolled" in text and B in text  # the failing check and its row
    assert "marts.kpi_district" in text
    # the summary page needs nothing from the network
    assert not re.search(r"<script|<link|https?://", text)
    links = re.findall(r'href="([^"]+)"', text)
    assert links and all((out / link).is_file() for link in links)
    assert any("raw/participation/load-2" in link for link in links)
    page = next(out.glob("gx/validations/raw/participation/load-2/*/batch.html"))
    assert "fa-check-circle::before" in page.read_text(encoding="utf-8")  # offline icons
    # a second build replaces the first and leaves no temporary folders behind
    build_data_docs([clean_runs[0]], out)
    assert not list(out.glob("gx/validations/raw/participation/load-2"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dq_docs")]


def test_data_docs_in_an_unwritable_place_fail_clearly(
    clean_runs: tuple[CheckRun, CheckRun], tmp_path: Path
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the docs folder's parent should be")
    with pytest.raises(DataDocsError, match="cannot write the Data Docs"):
        build_data_docs(list(clean_runs), blocker / "dq_docs")
