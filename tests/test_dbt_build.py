"""schoolwh.pipeline.dbt_runner: failures come back as a BuildResult with a message, never a traceback;
dbt node outcomes map onto audit CheckResults."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import dbt_fixtures as fx
import duckdb
import pytest

from schoolwh.core.settings import DBT_DIR
from schoolwh.pipeline.dbt_runner import BuildResult, NodeResult, build

pytestmark = pytest.mark.dbt  # builds warehouses with dbt (tests/conftest.py: tiers)


def _node(name: str, resource_type: str, status: str, **kw: object) -> NodeResult:
    return NodeResult(
        name=name,
        unique_id=f"{resource_type}.schoolwh.{name}",
        resource_type=resource_type,
        status=status,
        **kw,
    )  # type: ignore[arg-type]


def test_check_results_map_severity_and_outcome() -> None:
    result = BuildResult(
        success=False,
        nodes=[
            _node("stg_schools", "model", "success"),
            _node(
                "unique_stg_schools_school_code",
                "test",
                "pass",
                severity="error",
                target="stg_schools",
                column_name="school_code",
            ),
            _node(
                "not_null_x",
                "test",
                "fail",
                severity="error",
                failures=3,
                target="x",
                message="Got 3 results",
            ),
            _node("orphan_facts_are_listed", "test", "warn", severity="warn", failures=2),
            _node("statuses_rule", "unit_test", "pass", target="int_kpis_evaluated"),
            _node("kpi_district", "model", "error", message="Binder Error: column y"),
            _node("kpi_overall", "model", "skipped"),
        ],
    )
    checks = {c.check_name: c for c in result.check_results()}
    assert set(checks) == {
        "unique_stg_schools_school_code",
        "not_null_x",
        "orphan_facts_are_listed",
        "statuses_rule",
        "model:kpi_district",
        "model:kpi_overall",
    }
    ok = checks["unique_stg_schools_school_code"]
    assert ok.success and ok.severity == "critical" and ok.column_name == "school_code"
    assert ok.stage == "build" and ok.suite == "dbt" and ok.target == "stg_schools"
    failed = checks["not_null_x"]
    assert not failed.success and failed.blocks_publish and failed.unexpected_count == 3
    warn = checks["orphan_facts_are_listed"]
    assert not warn.success and warn.severity == "warning" and not warn.blocks_publish
    assert checks["statuses_rule"].severity == "critical" and checks["statuses_rule"].success
    assert checks["model:kpi_district"].blocks_publish
    assert "Binder Error" in checks["model:kpi_district"].message
    assert checks["model:kpi_overall"].blocks_publish
    assert "kpi_district [error]" in result.summary()


def test_missing_warehouse_is_reported(tmp_path: Path) -> None:
    result = build(tmp_path / "nowhere.duckdb")
    assert not result.success
    assert "not found" in result.message
    assert result.check_results() == []


def test_sql_errors_come_back_as_a_failed_result(tmp_path: Path) -> None:
    # a file without the raw schema: staging cannot build
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    result = build(path, select="stg_districts")
    assert not result.success
    errored = [n for n in result.nodes if n.status == "error"]
    assert [n.name for n in errored] == ["stg_districts"]
    assert "districts" in errored[0].message
    assert "stg_districts" in result.message
    # its tests are skipped, and reported as failed checks too
    skipped = [n for n in result.nodes if n.status == "skipped"]
    assert skipped and all(n.resource_type == "test" for n in skipped)
    blocking = {c.check_name for c in result.check_results() if c.blocks_publish}
    assert "model:stg_districts" in blocking
    assert {n.name for n in skipped} <= blocking
    # nothing written into the repository's dbt folder
    assert not (DBT_DIR / "target").exists()
    assert not (DBT_DIR / "logs").exists()


def test_a_locked_warehouse_is_reported(tmp_path: Path) -> None:
    path = fx.create_warehouse(tmp_path / "locked.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        result = build(path, select="stg_districts")
        assert time.perf_counter() - started < 120
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    assert "lock" in result.message.lower()


def test_empty_and_partly_loaded_warehouses_build(tmp_path: Path) -> None:
    # a first load may bring only some sources: every raw table exists, most are empty
    path = fx.create_warehouse(tmp_path / "warehouse.duckdb")
    empty = build(path)
    assert empty.success, empty.message
    info = fx.query(path, "select as_of_date, built_at from marts.build_info")
    assert len(info) == 1 and info[0][0] is None and info[0][1] is not None
    assert fx.query(path, "select count(*) from marts.kpi_district") == [(0,)]
    assert fx.query(path, "select count(*) from marts.kpi_overall") == [(0,)]

    # the registry and participation only (no districts list, no enrolment)
    data = fx.worked_example()
    fx.insert_rows(path, "schools", data["schools"], batch_seq=1)
    fx.insert_rows(path, "participation", data["participation"], batch_seq=2)
    partial = build(path)
    assert partial.success, partial.message
    warned = {n.name for n in partial.nodes if n.status == "warn"}
    assert "orphan_facts_are_listed" in warned  # district 410105 is not in the districts list
    rows = {
        (r["kpi"], r["period_type"]): r
        for r in fx.query_dicts(
            path, "select * from marts.kpi_district where district_code = ?", [fx.DISTRICT]
        )
    }
    assert rows[("reporting_completeness", "term")]["value"] == 0.875
    assert rows[("lunch_coverage", "term")]["numerator"] == 2
    # no enrolment: the demand KPIs have no denominator
    assert rows[("lunch_demand_met", "term")]["status"] == "no_data"
    assert rows[("eating_share", "month")]["status"] is None
