"""The generator's sample jurisdiction goes through the real load and lands as planted."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from schoolwh.pipeline.load import EXIT_OK, run_load

pytestmark = pytest.mark.e2e  # whole loads end to end (tests/conftest.py: tiers)
SEED = Path(__file__).resolve().parents[1] / "dbt" / "seeds" / "kpi_definitions.csv"


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


def test_every_planted_bad_row_gets_the_reason_the_sample_readme_names(demo_sample, demo_warehouse):
    expected = {(f.file, f.sheet, f.row): f.expected_reason for f in demo_sample.flaws
                if f.quarantined}  # fmt: skip
    got: dict[tuple, set[str]] = {}
    for name, sheet, row, reason in q(
        demo_warehouse, "select file_name, sheet, row_number, reason from audit.quarantine"
    ):
        got.setdefault((name.rsplit("/", 1)[-1], sheet, row), set()).add(reason)
    wrong = {k: (v, got.get(k)) for k, v in expected.items() if v not in got.get(k, set())}
    assert not wrong
    planted = {f.expected_reason for f in demo_sample.flaws if f.quarantined}
    assert {"parts_exceed_total", "exited_before_admitted", "date_in_future"} <= planted


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
    with SEED.open(encoding="utf-8") as f:
        termly = {r["kpi"] for r in csv.DictReader(f) if "term" in r["periods"].split("|")}
    assert len(termly) == 21  # eleven before the ten of supervision (the sample has them all)
    assert kpis == termly
    for kpi, status, target in rows:
        assert (status is None) == (target is None), kpi
    districts = q(demo_warehouse, "select count(*) from marts.dim_district")[0][0]
    assert districts == 16


def test_supervision_kpis_sit_near_the_seeds_and_districts_differ(demo_warehouse):
    """The sample's supervision KPIs after a real load (of the small demo sample): near the
    seeds' figures city-wide (明厨亮灶 near 100 %, most serving days with a 校领导, most
    menus up to standard, bulk food mostly unified), districts in different statuses, and
    2024 a little lower."""
    overall = {
        (k, p): v
        for k, p, v in q(
            demo_warehouse,
            "select kpi, period, value from marts.kpi_overall where period_type = 'term'"
            " and period in ('2025-autumn', '2024-autumn')",
        )
    }
    now = {k: v for (k, p), v in overall.items() if p == "2025-autumn"}
    assert 0.92 <= now["leader_meal_rate"] <= 0.99
    assert 0.94 <= now["menu_standard_rate"] <= 0.99
    assert 0.93 <= now["menu_disclosure_rate"] <= 0.995
    assert 0.98 <= now["camera_coverage"] <= 1.0
    assert 0.985 <= now["camera_online_rate"] < 1.0
    assert 0.9 <= now["weekly_check_rate"] <= 0.99
    assert 0.85 <= now["canteen_standard_rate"] < 1.0
    assert 0.95 <= now["unified_delivery_rate"] < 1.0
    assert 0.9 <= now["certified_supply_rate"] <= now["unified_delivery_rate"]
    schools = q(demo_warehouse, "select count(*) from marts.dim_school where active")[0][0]
    # Huzhu: 1,050 人次 a year for 63 schools, about 17 a school; a term has part of it
    assert 3 <= now["training_person_times"] / schools <= 14
    for kpi in ("leader_meal_rate", "menu_standard_rate", "weekly_check_rate", "camera_coverage"):
        assert overall[kpi, "2024-autumn"] < now[kpi], kpi
    statuses = q(
        demo_warehouse,
        "select kpi, count(distinct status) from marts.kpi_district where period = '2025-autumn'"
        " and kpi in ('leader_meal_rate', 'menu_standard_rate', 'camera_online_rate',"
        " 'certified_supply_rate') group by kpi",
    )
    assert len(statuses) == 4
    assert all(n >= 2 for _, n in statuses), statuses


def test_loading_the_sample_again_changes_nothing(demo_folder, demo_warehouse, capsys):
    before = demo_warehouse.read_bytes()
    assert run_load([demo_folder], demo_warehouse) == EXIT_OK
    assert demo_warehouse.read_bytes() == before
    assert "Nothing new" in capsys.readouterr().out
