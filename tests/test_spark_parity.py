"""The same dbt project on DuckDB and on Spark, proven equal.

The demo sample is loaded by the real `schoolwh load` (DuckDB build), its raw layer is
exported as Parquet (`export_raw`), the project is built again on a local Spark session
from those files (`build_spark`: every model, seed, data test and unit test), and the
marts of both engines are compared row by row (`compare_marts`, values to 1e-9).

The Spark tests need Java 17 and the `spark` extra. Without them they are skipped,
unless REQUIRE_SPARK=1 (CI), where a missing Spark fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import dbt_fixtures as fx
import duckdb
import pytest
from supervision_county import load_county

from schoolwh.core.settings import DBT_DIR
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.dbt_runner import build
from schoolwh.pipeline.export_raw import ExportError, export_raw
from schoolwh.pipeline.parity import PARITY_TABLES, compare_marts, values_match
from schoolwh.pipeline.spark_build import SparkBuild, build_spark, spark_missing

# Spark builds (tests/conftest.py: tiers); the first test's setup starts Spark and builds
# every mart on it, well beyond the default per-test timeout on a small machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

# Every mart with a natural key: the three of the parity check and the rest besides.
# build_info is left out on purpose (when the build ran differs by construction).
MART_KEYS = {
    **PARITY_TABLES,
    "dim_district": ("district_code",),
    "fct_school_period": ("school_code", "period_type", "period"),
    "fct_participation_daily": ("school_code", "participation_date"),
    "fct_enrollment": ("school_code", "term"),
    "fct_budget": ("budget_id",),
    "fct_expenditure": ("expenditure_id",),
    "fct_survey": ("response_id",),
    "fct_issues": ("issue_id",),
    "dq_orphan_facts": ("orphan_key",),
    "kpi_definitions": ("kpi",),
    "kpi_district_term_wide": ("district_code", "term"),
    "kpi_district_month_wide": ("district_code", "month"),
    # the supervision marts (issue #21)
    "fct_meal_companions": ("record_id",),
    "fct_menus": ("school_code", "menu_date"),
    "fct_kitchen_cameras": ("school_code", "snapshot_date"),
    "fct_canteen_checks": ("check_id",),
    "fct_deliveries": ("delivery_id",),
    "fct_training": ("training_id",),
}
SUPERVISION_MARTS = (
    "dim_supplier",
    "fct_meal_companions",
    "fct_menus",
    "fct_kitchen_cameras",
    "fct_canteen_checks",
    "fct_deliveries",
    "fct_training",
)


def _require_spark() -> None:
    missing = spark_missing()
    if missing is None:
        return
    if os.environ.get("REQUIRE_SPARK") == "1":
        pytest.fail(f"REQUIRE_SPARK=1 but Spark cannot run here: {missing}")
    pytest.skip(missing)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def raw_parquet(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw_parquet")
    export_raw(demo_warehouse, out)
    return out


@pytest.fixture(scope="module")
def spark_marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark") / "marts"


@pytest.fixture(scope="module")
def spark_build(raw_parquet: Path, spark_marts: Path) -> SparkBuild:
    _require_spark()
    return build_spark(raw_parquet, marts_dir=spark_marts)


# -- the raw layer as Parquet -------------------------------------------------------------


def test_export_writes_every_raw_table_with_its_rows_and_types(
    demo_warehouse: Path, raw_parquet: Path
) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{demo_warehouse}' as wh (read_only)")
        for name in SOURCES:
            files = f"{raw_parquet / name}/*.parquet"
            raw_schema = _rows(con, f"describe wh.raw.{name}")
            parquet_schema = _rows(con, f"describe select * from read_parquet('{files}')")
            assert [r[:2] for r in parquet_schema] == [r[:2] for r in raw_schema], name
            difference = _rows(
                con,
                f"select count(*) from ((select * from wh.raw.{name} except all "
                f"select * from read_parquet('{files}')) union all "
                f"(select * from read_parquet('{files}') except all "
                f"select * from wh.raw.{name}))",
            )
            assert difference == [(0,)], name
        assert _rows(con, "select count(*) from wh.raw.participation")[0][0] > 1000
    finally:
        con.close()


def test_export_replaces_each_folder_whole(demo_warehouse: Path, tmp_path: Path) -> None:
    first = export_raw(demo_warehouse, tmp_path)
    stale = first["schools"] / "stale.parquet"
    stale.write_bytes(b"not parquet")
    second = export_raw(demo_warehouse, tmp_path)
    assert first == second
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SOURCES)


def test_export_of_empty_tables_keeps_their_columns(tmp_path: Path) -> None:
    wh = fx.create_warehouse(tmp_path / "empty.duckdb")
    written = export_raw(wh, tmp_path / "raw")
    con = duckdb.connect()
    try:
        for name, folder in written.items():
            files = f"{folder}/*.parquet"
            assert _rows(con, f"select count(*) from read_parquet('{files}')") == [(0,)]
            columns = [r[0] for r in _rows(con, f"describe select * from read_parquet('{files}')")]
            assert columns[: len(SOURCES[name].names)] == list(SOURCES[name].names)
            assert "_batch_seq" in columns
    finally:
        con.close()


def test_export_refuses_what_is_not_a_warehouse(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not found"):
        export_raw(tmp_path / "missing.duckdb", tmp_path / "out")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(ExportError, match=r"no table raw\.districts"):
        export_raw(other, tmp_path / "out")
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(ExportError, match="Not a folder"):
        export_raw(fx.create_warehouse(tmp_path / "wh.duckdb"), not_a_folder)


# -- the comparison ----------------------------------------------------------------------


def _copy_marts(warehouse: Path, out: Path, edits: dict[str, str]) -> Path:
    """The DuckDB marts written as Parquet folders, each through an optional SQL edit."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        for table in PARITY_TABLES:
            (out / table).mkdir(parents=True)
            query = edits.get(table, f"select * from wh.marts.{table}")
            con.execute(f"copy ({query}) to '{out / table / 'part-0.parquet'}' (format parquet)")
    finally:
        con.close()
    return out


def test_identical_marts_match(demo_warehouse: Path, tmp_path: Path) -> None:
    report = compare_marts(demo_warehouse, _copy_marts(demo_warehouse, tmp_path, {}))
    assert report.ok, report.summary()
    assert [t.table for t in report.tables] == list(PARITY_TABLES)
    assert all(t.duckdb_rows == t.spark_rows > 0 for t in report.tables)


def test_differing_rows_are_named(demo_warehouse: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        district, period_type, period, kpi = con.execute(
            "select district_code, period_type, period, kpi from marts.kpi_district "
            "where value is not null order by all limit 1"
        ).fetchone()
        school = con.execute("select min(school_code) from marts.dim_school").fetchone()[0]
    finally:
        con.close()
    target = (
        f"district_code = '{district}' and period_type = '{period_type}' "
        f"and period = '{period}' and kpi = '{kpi}'"
    )
    edits = {
        # one value off by 1e-6: a difference; every other value off by 1e-12: the same
        "kpi_district": (
            "select * replace (case when "
            + target
            + " then value + 1e-6 else value + 1e-12 end as value) from wh.marts.kpi_district"
        ),
        # a row missing on one side
        "dim_school": f"select * from wh.marts.dim_school where school_code <> '{school}'",
        # a row only on the other side
        "kpi_overall": (
            "select * from wh.marts.kpi_overall union all select * replace "
            "('1999' as period) from (select * from wh.marts.kpi_overall limit 1)"
        ),
    }
    report = compare_marts(demo_warehouse, _copy_marts(demo_warehouse, tmp_path, edits))
    assert not report.ok
    found = {(d.table, d.kind): d for d in report.differences}
    assert len(report.differences) == 3, report.summary()
    changed = found[("kpi_district", "values_differ")]
    assert changed.key == (district, period_type, period, kpi)
    assert changed.columns == ("value",)
    assert f"kpi_district ({district}, {period_type}, {period}, {kpi}): value: duckdb=" in (
        changed.describe()
    )
    assert found[("dim_school", "only_in_duckdb")].key == (school,)
    assert found[("kpi_overall", "only_in_spark")].key[1] == "1999"
    summary = report.summary().splitlines()
    for table in edits:  # the tables left as they were read the same on both sides
        line = next(x for x in summary if x.startswith(f"{table}:"))
        assert line.endswith("1 differing rows"), line
    for table in set(PARITY_TABLES) - set(edits):
        line = next(x for x in summary if x.startswith(f"{table}:"))
        assert line.endswith("same"), line
    assert any(line.strip() == changed.describe() for line in summary)


def test_values_match_to_the_tolerance() -> None:
    assert values_match(None, None)
    assert not values_match(None, 0.0)
    assert values_match(0.1 + 0.2, 0.3)
    assert not values_match(0.3, 0.3 + 2e-9)
    assert values_match(1_000_000.0, 1_000_000.0 + 1e-4)  # relative for large sums
    assert not values_match(1_000_000.0, 1_000_000.0 + 1e-2)
    assert values_match(7, 7.0)
    assert not values_match("met", "near")
    assert not values_match(True, 1)


# -- the Spark build ---------------------------------------------------------------------


def test_spark_build_needs_the_raw_parquet(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("schoolwh.pipeline.spark_build.spark_missing", lambda: None)
    built = build_spark(tmp_path / "absent")
    assert not built.success and "export-raw" in built.result.message
    (tmp_path / "partial" / "schools").mkdir(parents=True)
    built = build_spark(tmp_path / "partial")
    assert not built.success and "districts" in built.result.message


def test_missing_java_is_reported(monkeypatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("schoolwh.pipeline.spark_build.shutil.which", lambda name: None)
    message = spark_missing()
    assert message is not None and ("Java" in message or "not installed" in message)


@pytest.mark.spark
def test_spark_builds_every_model_test_and_unit_test(spark_build: SparkBuild) -> None:
    result = spark_build.result
    assert spark_build.success, f"{result.message}\n{result.log_tail}"
    failed = [n for n in result.nodes if not n.passed and n.severity != "warn"]
    assert not failed, [(n.name, n.status, n.message) for n in failed]
    built_models = {n.name for n in result.nodes if n.resource_type == "model"}
    project_models = {p.stem for p in (DBT_DIR / "models").rglob("*.sql")}
    assert built_models == project_models
    counts = result.counts()
    assert counts.get("seed") == 1
    assert counts.get("unit_test", 0) > 0 and counts.get("test", 0) > 0


@pytest.mark.spark
def test_spark_marts_equal_duckdb_marts_row_by_row(
    demo_warehouse: Path, spark_build: SparkBuild, spark_marts: Path
) -> None:
    assert spark_build.success, spark_build.result.message
    assert set(MART_KEYS) <= set(spark_build.marts)
    report = compare_marts(demo_warehouse, spark_marts, tables=MART_KEYS, tolerance=1e-9)
    assert report.ok, "rows differ between DuckDB and Spark:\n" + report.summary()
    rows = {t.table: t.duckdb_rows for t in report.tables}
    assert rows["kpi_district"] > 100 and rows["kpi_overall"] > 10 and rows["dim_school"] > 10


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SparkBuild, Path]:
    """The supervision test county (tests/supervision_county.py) built on both engines;
    the unit tests already ran in the sample's Spark build."""
    _require_spark()
    root = tmp_path_factory.mktemp("supervision_county")
    warehouse = load_county(root / "warehouse.duckdb")
    built = build(warehouse)
    assert built.success, built.message
    export_raw(warehouse, root / "raw")
    spark = build_spark(root / "raw", marts_dir=root / "marts", unit_tests=False)
    return warehouse, spark, root / "marts"


@pytest.mark.spark
def test_supervision_marts_equal_on_spark(county: tuple[Path, SparkBuild, Path]) -> None:
    """Every supervision rule (ISO week Mondays, kitchen schools judged per period, the
    supplier's standing on a date, the 0 of 0 rows) gives the same rows on Spark."""
    warehouse, spark, marts = county
    assert spark.success, f"{spark.result.message}\n{spark.result.log_tail}"
    report = compare_marts(warehouse, marts, tables=MART_KEYS, tolerance=1e-9)
    assert report.ok, "rows differ between DuckDB and Spark:\n" + report.summary()
    rows = {t.table: t.duckdb_rows for t in report.tables}
    assert all(rows[m] > 0 for m in SUPERVISION_MARTS), rows
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (supervision,) = con.execute(
            "select count(*) from marts.kpi_district where kpi in "
            "(select kpi from marts.kpi_definitions where topic = 'supervision')"
        ).fetchone()
    finally:
        con.close()
    assert supervision > 100
