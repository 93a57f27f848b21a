"""Loads after the first rebuild only what they can change, with the results of a full build.

A first load builds everything; later loads select the models downstream of the sources
they landed rows in (schoolwh/pipeline/build_state.py). After each later load the warehouse must
equal a full rebuild of the same raw data, relation by relation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from schoolwh.pipeline.build_state import project_fingerprint
from schoolwh.pipeline.dbt_runner import build
from schoolwh.pipeline.load import EXIT_OK, load

pytestmark = pytest.mark.dbt  # builds warehouses with dbt (tests/conftest.py: tiers)

LAYERS = ("staging", "intermediate", "marts")
CLOCK_COLUMNS = {"built_at", "invocation_id"}  # build_info: when and which build


def _differences(a: Path, b: Path) -> list[str]:
    """Relations of a and b whose rows differ (doubles compared to 6 decimals: a sum of
    doubles may differ in its last bits between any two builds)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_catalog = 'a' and table_schema in {LAYERS} order by 1, 2"
        ).fetchall()
        assert relations
        out = []
        for schema, name in relations:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'a' and table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
            cols = ", ".join(
                f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
                for c, t in columns
                if c not in CLOCK_COLUMNS
            )
            for x, y in (("a", "b"), ("b", "a")):
                (n,) = con.execute(
                    f"select count(*) from (select {cols} from {x}.{schema}.{name} "
                    f"except all select {cols} from {y}.{schema}.{name})"
                ).fetchone()
                if n:
                    out.append(f"{schema}.{name}: {n} rows only in {x}")
        return out
    finally:
        con.close()


def _state(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(
            "select load_id, project_fingerprint, selection from audit.build_state order by load_id"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    from schoolwh.generator import generate

    return generate(
        tmp_path_factory.mktemp("incr") / "inbox", schools=40, seed=7, clean=True
    ).out_dir


def _assert_equals_full_rebuild(wh: Path, tmp_path: Path) -> None:
    full = tmp_path / "full.duckdb"
    shutil.copyfile(wh, full)
    rebuilt = build(full, unit_tests=False)
    assert rebuilt.success, rebuilt.message
    assert _differences(wh, full) == []


def test_later_loads_rebuild_only_what_changed(sample: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh" / "warehouse.duckdb"
    assert load([sample], wh).exit_code == EXIT_OK
    [(load_id, fingerprint, selection)] = _state(wh)
    assert (load_id, selection) == (1, None)  # a new warehouse: everything is built
    assert fingerprint == project_fingerprint()

    # 1. one more school day, and a correction of an earlier day of one school
    participation = pl.concat(
        [pl.read_csv(f, infer_schema=False) for f in sorted(sample.glob("participation_*"))]
    )
    last = participation.filter(pl.col("date") == participation["date"].max())
    day = last.with_columns(pl.lit("2026-01-05").alias("date"))
    fix = participation.head(1).with_columns(pl.lit("7").alias("lunch_students"))
    later = tmp_path / "later"
    later.mkdir()
    pl.concat([day, fix]).write_csv(later / "participation_2026-01-05.csv")
    assert load([later], wh).exit_code == EXIT_OK
    assert _state(wh)[-1][2] == "source:raw.participation+ build_info"
    _assert_equals_full_rebuild(wh, tmp_path)

    # 2. the registry changes: one school closes, another moves to another district
    schools = pl.read_csv(sample / "schools.csv", infer_schema=False)
    other = next(d for d in schools["district_code"] if d != schools["district_code"][1])
    row = pl.int_range(pl.len())
    moved = schools.with_columns(
        pl.when(row == 0).then(pl.lit("false")).otherwise(pl.col("active")).alias("active"),
        pl.when(row == 1)
        .then(pl.lit(other))
        .otherwise(pl.col("district_code"))
        .alias("district_code"),
    )
    registry = tmp_path / "registry"
    registry.mkdir()
    moved.write_csv(registry / "schools.csv")
    assert load([registry], wh).exit_code == EXIT_OK
    assert _state(wh)[-1][2] == "source:raw.schools+ build_info"
    _assert_equals_full_rebuild(wh, tmp_path)


def test_a_load_without_a_build_makes_the_next_build_whole(sample: Path, tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    assert load([sample / "schools.csv", sample / "districts.csv"], wh).exit_code == EXIT_OK
    assert load([sample / "enrollment.csv"], wh, build=False).published
    assert load([sample / "survey.csv"], wh).exit_code == EXIT_OK
    assert _state(wh)[-1][2] is None  # the enrolment rows were never built: build it all
    _assert_equals_full_rebuild(wh, tmp_path)


def test_a_build_process_that_dies_is_a_failed_build(tmp_path: Path) -> None:
    from schoolwh.pipeline.build_process import BuildProcess

    with BuildProcess() as child:
        child._proc.kill()
        result = child.build(tmp_path / "warehouse.duckdb", unit_tests=False)
    assert not result.success
    assert "build process" in result.message
    assert [c.severity for c in result.check_results()] == []  # no node ran
