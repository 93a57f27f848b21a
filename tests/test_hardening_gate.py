"""Issue 14, the publish gate (schoolwh/pipeline/gate.py) on small hand-made warehouses:
a build that would remove a published period's KPIs, or leap the as-of date, is a
critical failure naming the rows of the load responsible (file, sheet, row, column)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from schoolwh.core.settings import ENV_MAX_AS_OF_JUMP
from schoolwh.pipeline.gate import check_publish
from tests.dbt_fixtures import create_warehouse, insert_rows

KPIS = ("lunch_coverage", "participation_rate")


def marts(path: Path, periods: list[str], first: str, as_of: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            "create table marts.kpi_overall (period_type varchar, period varchar, kpi varchar)"
        )
        for period in periods:
            kind = "term" if "-" in period and not period[5:].isdigit() else "month"
            for kpi in KPIS:
                con.execute("insert into marts.kpi_overall values (?, ?, ?)", [kind, period, kpi])
        con.execute(
            "create table marts.build_info as select ?::date as first_fact_date, "
            "?::date as as_of_date",
            [first, as_of],
        )
    finally:
        con.close()


@pytest.fixture
def published(tmp_path) -> Path:
    wh = create_warehouse(tmp_path / "warehouse.duckdb")
    marts(wh, ["2025-autumn", "2025-09", "2025-10"], "2025-09-01", "2025-10-31")
    return wh


def build(tmp_path: Path, periods: list[str], first: str, as_of: str, issues: list[dict]) -> Path:
    copy = create_warehouse(tmp_path / ".warehouse.duckdb.build")
    marts(copy, periods, first, as_of)
    insert_rows(copy, "issues", issues, batch_seq=7, load_id=7, file_name="台账.xlsx")
    con = duckdb.connect(str(copy))
    try:
        con.execute("update raw.issues set _sheet = '九月'")
        con.execute(
            "insert into audit.load_files (load_id, file_name, status) values (7, '台账.xlsx', "
            "'loaded')"
        )
    finally:
        con.close()
    return copy


def issue(issue_id: str, found: str) -> dict:
    """An issue row; insert_rows numbers them from row 2 (row 1 is the header)."""
    return {
        "issue_id": issue_id,
        "school_code": "4101050001",
        "found_date": dt.date.fromisoformat(found),
    }


def run_gate(copy: Path, published: Path) -> dict:
    con = duckdb.connect(str(copy))
    try:
        return {c.check_name: c for c in check_publish(con, published, 7)}
    finally:
        con.close()


def test_a_build_that_drops_a_period_is_blocked_naming_the_row(tmp_path, published):
    rows = [issue("I1", "2025-09-08"), issue("I2", "1925-03-01")]
    copy = build(tmp_path, ["1925-spring", "1925-03", "2025-09"], "1925-03-01", "2025-10-31", rows)
    checks = run_gate(copy, published)
    kept = checks["kpi_periods_kept"]
    assert kept.blocks_publish
    assert kept.unexpected_count == 2 * len(KPIS)  # 2025-autumn and 2025-10, every KPI
    assert "2025-autumn" in kept.message and "2025-10" in kept.message
    assert "台账.xlsx 工作表 sheet 九月 第 3 行 row 3" in kept.message
    assert "发现日期 (issues.found_date) = 1925-03-01" in kept.message
    assert "I1" not in kept.message and "2025-09-08" not in kept.message
    assert kept.unexpected_examples == [
        {
            "file": "台账.xlsx",
            "sheet": "九月",
            "row": 3,
            "column": "发现日期 (issues.found_date)",
            "value": dt.date(1925, 3, 1),
        }
    ]
    assert not checks["as_of_date_step"].blocks_publish


def test_a_build_that_keeps_every_period_passes(tmp_path, published):
    periods = ["2025-autumn", "2025-09", "2025-10", "2025-11"]
    copy = build(tmp_path, periods, "2025-09-01", "2025-11-20", [issue("I1", "2025-11-20")])
    checks = run_gate(copy, published)
    assert set(checks) == {"kpi_periods_kept", "as_of_date_step"}
    assert not any(c.blocks_publish for c in checks.values())


def test_a_kpi_the_project_no_longer_defines_is_not_a_dropped_period(tmp_path, published):
    copy = build(tmp_path, ["2025-autumn", "2025-09", "2025-10"], "2025-09-01", "2025-10-31", [])
    con = duckdb.connect(str(copy))
    con.execute("delete from marts.kpi_overall where kpi = 'participation_rate'")
    con.close()
    assert not run_gate(copy, published)["kpi_periods_kept"].blocks_publish


def test_an_as_of_leap_is_blocked_naming_the_row(tmp_path, published, monkeypatch):
    periods = ["2025-autumn", "2025-09", "2025-10", "2026-spring", "2026-06"]
    rows = [issue("I1", "2025-10-30"), issue("I2", "2026-06-03")]
    copy = build(tmp_path, periods, "2025-09-01", "2026-06-03", rows)
    assert not run_gate(copy, published)["as_of_date_step"].blocks_publish  # 215 days
    monkeypatch.setenv(ENV_MAX_AS_OF_JUMP, "90")
    step = run_gate(copy, published)["as_of_date_step"]
    assert step.blocks_publish
    assert "2025-10-31" in step.message and "2026-06-03" in step.message
    assert "90" in step.message and ENV_MAX_AS_OF_JUMP in step.message
    assert "台账.xlsx 工作表 sheet 九月 第 3 行 row 3" in step.message
    assert "第 2 行" not in step.message


def test_the_first_load_has_nothing_to_compare(tmp_path):
    copy = build(tmp_path, ["2025-09"], "2025-09-01", "2025-09-30", [])
    assert run_gate(copy, tmp_path / "none.duckdb") == {}


def test_an_as_of_leap_names_a_supervision_event_but_never_a_menu_ahead(
    tmp_path, published, monkeypatch
):
    """A training date counts toward the as-of date (FACT_DATES); a menu published for
    later never does, so it is never named as the cause."""
    copy = build(tmp_path, ["2025-autumn", "2025-09", "2025-10"], "2025-09-01", "2026-06-03", [])
    training = {
        "training_id": "T1",
        "date": dt.date(2026, 6, 3),
        "district_code": "410105",
        "person_times": 30,
    }
    menu = {
        "school_code": "4101050001",
        "date": dt.date(2026, 9, 1),
        "dishes": 2,
        "has_fruit": True,
        "has_staple": True,
    }
    insert_rows(copy, "training", [training], batch_seq=8, load_id=7, file_name="培训.xlsx")
    insert_rows(copy, "menus", [menu], batch_seq=9, load_id=7, file_name="食谱.xlsx")
    monkeypatch.setenv(ENV_MAX_AS_OF_JUMP, "90")
    step = run_gate(copy, published)["as_of_date_step"]
    assert step.blocks_publish
    assert "培训.xlsx" in step.message and "培训日期 (training.date)" in step.message
    assert "食谱.xlsx" not in step.message
