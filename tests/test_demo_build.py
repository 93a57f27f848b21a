"""The generator's sample jurisdiction goes through the real load and lands as planted."""

from __future__ import annotations

import duckdb
import pytest

from schoolwh.pipeline.load import EXIT_OK, run_load

pytestmark = pytest.mark.e2e  # whole loads end to end (tests/conftest.py: tiers)


def q(wh, sql):
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_planted_bad_row_is_quarantined_and_nothing_else(demo_sample, demo_warehouse):
    planted = sorted((f.file, f.sheet, f.row) for f in demo_sample.flaws if f.quarantined)
    got = q(
        demo_warehouse,
        "select distinct file_name, sheet, row_number from audit.quarantine order by all",
    )
    got = sorted((name.rsplit("/", 1)[-1], sheet, row) for name, sheet, row in got)
    assert got == planted
    assert q(demo_warehouse, "select count(*) from audit.load_files where status = 'rejected'") == [
        (0,)
    ]


def test_orphans_land_and_are_listed(demo_sample, demo_warehouse):
    orphans = [f for f in demo_sample.flaws if f.kind == "orphan"]
    assert orphans, "the sample plants orphan rows"
    listed = q(demo_warehouse, "select distinct school_code from marts.dq_orphan_facts")
    assert listed, "orphan facts are listed by the quality model"
    warned = q(
        demo_warehouse,
        "select count(*) from audit.dq_results where not success and severity = 'warning'",
    )
    assert warned[0][0] >= 1


def test_city_wide_figures_sit_near_the_calibration(demo_warehouse):
    rows = dict(
        q(
            demo_warehouse,
            "select kpi, value from marts.kpi_overall where period = '2025-autumn'",
        )
    )
    assert rows["eating_share"] == pytest.approx(0.71, abs=0.07)
    assert rows["lunch_coverage"] == pytest.approx(0.90, abs=0.08)
    assert rows["after_school_coverage"] == pytest.approx(1.0, abs=0.001)


def test_every_kpi_has_a_status_in_the_autumn_term(demo_warehouse):
    rows = q(
        demo_warehouse,
        "select kpi, status, target from marts.kpi_overall where period = '2025-autumn'",
    )
    kpis = {k for k, _, _ in rows}
    assert len(kpis) == 11
    for kpi, status, target in rows:
        assert (status is None) == (target is None), kpi
    districts = q(demo_warehouse, "select count(*) from marts.dim_district")[0][0]
    assert districts == 16


def test_loading_the_sample_again_changes_nothing(demo_folder, demo_warehouse, capsys):
    before = demo_warehouse.read_bytes()
    assert run_load([demo_folder], demo_warehouse) == EXIT_OK
    assert demo_warehouse.read_bytes() == before
    assert "Nothing new" in capsys.readouterr().out
