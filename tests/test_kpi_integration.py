"""KPIs end to end: bureau files → `load` (ingest, checks, dbt build, publish) → marts.

Two hand-made fixtures. `worked_example/` is the district of
`docs/kpis.md#worked-example`. `two_batches/` is three districts loaded in two
batches, the second correcting a participation figure and an issue's status; every
figure below was worked out by hand (the arithmetic is in the comments).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from schoolwh.pipeline.load import EXIT_OK, run_load

pytestmark = pytest.mark.dbt  # builds warehouses with dbt (tests/conftest.py: tiers)

FIXTURES = Path(__file__).parent / "fixtures"
TOL = 1e-4


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n), (centre + margin) / (1 + z * z / n)


def kpis(wh: Path, table: str) -> dict[tuple, dict]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cur = con.execute(f"select * from marts.{table}")
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    key = ("district_code",) if table == "kpi_district" else ()
    return {(*tuple(r[k] for k in key), r["period"], r["kpi"]): r for r in rows}


def check(row: dict, num, den, value, target, status) -> None:
    def close(a, b) -> bool:
        if b is None:
            return a is None
        return a is not None and abs(float(a) - b) <= TOL

    got = (row["numerator"], row["denominator"], row["value"], row["target"], row["status"])
    assert close(row["numerator"], num), got
    assert close(row["denominator"], den), got
    assert close(row["value"], value), got
    assert close(row["target"], target), got
    assert row["status"] == status, got


@pytest.fixture(scope="module")
def worked(tmp_path_factory) -> Path:
    wh = tmp_path_factory.mktemp("worked") / "warehouse.duckdb"
    assert run_load([FIXTURES / "worked_example"], wh) == EXIT_OK
    return wh


# kpi: (numerator, denominator, value, target, status) — docs/kpis.md#term-figures, 2025-autumn
WORKED_TERM = {
    "lunch_coverage": (2, 3, 0.6667, 1.0, "missed"),
    "after_school_coverage": (2, 3, 0.6667, 1.0, "missed"),
    "eating_share": (1059.1667, 1600, 0.66198, None, None),
    "lunch_demand_met": (1059.1667, 1300, 0.81474, 1.0, "missed"),
    "after_school_share": (963.75, 1600, 0.60234, None, None),
    "after_school_demand_met": (963.75, 1100, 0.87614, 1.0, "missed"),
    "reporting_completeness": (7, 8, 0.875, 1.0, "missed"),
    "satisfaction_rate": (37, 40, 0.925, 0.95, "near"),
    "issue_closure_rate": (2, 4, 0.5, 1.0, "missed"),
    "issue_on_time_rate": (1, 3, 0.3333, 1.0, "missed"),
    "median_days_to_close": (None, None, 7.5, None, None),
}
WORKED_OTHER = {
    ("2025-09", "eating_share"): (1059.1667, 1600, 0.66198, None, None),
    ("2025-06", "budget_execution"): (520_000, 1_200_000, 0.4333, 0.475, "near"),
    ("2025-09", "budget_execution"): (660_000, 1_200_000, 0.55, 0.7125, "missed"),
    ("2025", "budget_execution"): (660_000, 1_200_000, 0.55, 0.95, "missed"),
    ("2025-09", "issue_closure_rate"): (2, 4, 0.5, 1.0, "missed"),
}


@pytest.mark.parametrize("kpi", WORKED_TERM)
def test_worked_example_term(worked, kpi):
    district = kpis(worked, "kpi_district")[("410105", "2025-autumn", kpi)]
    overall = kpis(worked, "kpi_overall")[("2025-autumn", kpi)]
    for row in (district, overall):
        assert row["period_type"] == "term"
        check(row, *WORKED_TERM[kpi])


@pytest.mark.parametrize("key", WORKED_OTHER)
def test_worked_example_month_and_year(worked, key):
    period, kpi = key
    district = kpis(worked, "kpi_district")[("410105", period, kpi)]
    overall = kpis(worked, "kpi_overall")[(period, kpi)]
    for row in (district, overall):
        assert row["period_type"] == ("year" if len(period) == 4 else "month")
        check(row, *WORKED_OTHER[key])


def test_worked_example_satisfaction_interval_and_as_of(worked):
    row = kpis(worked, "kpi_overall")[("2025-autumn", "satisfaction_rate")]
    assert row["ci_lower"] == pytest.approx(0.8014, abs=1e-4)
    assert row["ci_upper"] == pytest.approx(0.9742, abs=1e-4)
    con = duckdb.connect(str(worked), read_only=True)
    assert con.execute("select as_of_date from marts.build_info").fetchone()[0] == dt.date(
        2025, 9, 28
    )
    con.close()


def test_worked_example_twenty_responses_is_insufficient(tmp_path):
    folder = tmp_path / "twenty"
    shutil.copytree(FIXTURES / "worked_example", folder)
    survey = folder / "学校午餐满意度调查结果.csv"
    lines = survey.read_bytes().split(b"\r\n")
    # Keep the header and 20 responses: rows 1-3 are the dissatisfied ones → drop 2 of them.
    kept = [lines[0], lines[1], lines[2], *lines[4:22]]
    assert len(kept) == 21
    survey.write_bytes(b"\r\n".join(kept) + b"\r\n")
    wh = tmp_path / "warehouse.duckdb"
    assert run_load([folder], wh) == EXIT_OK
    row = kpis(wh, "kpi_overall")[("2025-autumn", "satisfaction_rate")]
    check(row, 18, 20, 0.9, 0.95, "insufficient_sample")
    assert row["ci_lower"] == pytest.approx(wilson(18, 20)[0], abs=1e-4)


# ---------------------------------------------------------------------------------------
# two_batches: 中牟县 410122 (S1 4101220001, S2 4101220002), 经开区 410171 (S3 4101710001;
# S4 inactive), 惠济区 410108 (S5: no lunch, no participation, no money, no issues).
# After batch 2: S1 lunch 400, 410, 390 → avg 400; after-school 300, (empty), 310 → avg 305.
# S2 lunch 200, 0 → 100; after-school 100, 110 → 105. S3 lunch 150..170 → 160; after 90.
# Enrolment 2025-spring: S1 500 (need 450 / 400), S2 300 (need 250 / —), S3 none,
# S5 100 (need 0 / 0). As of 2025-03-25 (the refund and J3's closing).
# ---------------------------------------------------------------------------------------
TERM, MONTH = "2025-spring", "2025-03"
MET, NEAR, MISSED, NO_DATA, INSUFF = "met", "near", "missed", "no_data", "insufficient_sample"

TWO_BATCHES_DISTRICT = {
    # lunch_coverage (term): D1 S1, S2 (starts 3 Mar ≤ 31 Aug); D2 S3; D3 S5 has none.
    ("410122", TERM, "lunch_coverage"): (2, 2, 1.0, 1.0, MET),
    ("410171", TERM, "lunch_coverage"): (1, 1, 1.0, 1.0, MET),
    ("410108", TERM, "lunch_coverage"): (0, 1, 0.0, 1.0, MISSED),
    # after_school_coverage: S2's after-school starts 1 Sep, after the spring term's end.
    ("410122", TERM, "after_school_coverage"): (1, 2, 0.5, 1.0, MISSED),
    ("410171", TERM, "after_school_coverage"): (1, 1, 1.0, 1.0, MET),
    ("410108", TERM, "after_school_coverage"): (0, 1, 0.0, 1.0, MISSED),
    # eating_share: (400 + 100) / (500 + 300); S3 has no enrolment row: left out both sides.
    ("410122", TERM, "eating_share"): (500, 800, 0.625, None, None),
    ("410122", MONTH, "eating_share"): (500, 800, 0.625, None, None),
    ("410108", TERM, "eating_share"): (0, 100, 0.0, None, None),
    # lunch_demand_met: 500 / (450 + 250); 惠济 needs 0 → no data.
    ("410122", TERM, "lunch_demand_met"): (500, 700, 0.714286, 1.0, MISSED),
    ("410171", TERM, "lunch_demand_met"): (None, None, None, 1.0, NO_DATA),
    ("410108", TERM, "lunch_demand_met"): (None, None, None, 1.0, NO_DATA),
    # after_school_share: (305 + 105) / 800
    ("410122", TERM, "after_school_share"): (410, 800, 0.5125, None, None),
    # after_school_demand_met: only S1 has a need figure: 305 / 400
    ("410122", TERM, "after_school_demand_met"): (305, 400, 0.7625, 1.0, MISSED),
    ("410122", MONTH, "after_school_demand_met"): (305, 400, 0.7625, 1.0, MISSED),
    # reporting_completeness: D1 serving days 3 Mar, 4 Mar, 5 Mar; S1 3 + S2 2 = 5 of 6.
    ("410122", TERM, "reporting_completeness"): (5, 6, 0.833333, 1.0, MISSED),
    ("410171", MONTH, "reporting_completeness"): (3, 3, 1.0, 1.0, MET),
    ("410108", TERM, "reporting_completeness"): (None, None, None, 1.0, NO_DATA),
    # budget_execution: D1 2,000,000 budget; spent 600,000 (Feb) + 400,000 − 50,000 (Mar).
    ("410122", "2025-02", "budget_execution"): (600_000, 2_000_000, 0.3, 0.158333, MET),
    ("410122", "2025-03", "budget_execution"): (950_000, 2_000_000, 0.475, 0.2375, MET),
    ("410122", "2025", "budget_execution"): (950_000, 2_000_000, 0.475, 0.95, MISSED),
    # D2 500,000 budget; 0 in Feb (target 0.1583, near from 0.1083) and 100,000 in March.
    ("410171", "2025-02", "budget_execution"): (0, 500_000, 0.0, 0.158333, MISSED),
    ("410171", "2025-03", "budget_execution"): (100_000, 500_000, 0.2, 0.2375, NEAR),
    ("410108", "2025", "budget_execution"): (None, None, None, 0.95, NO_DATA),
    # satisfaction_rate: D1 33 of 35 (≥ 30, within 0.03 of 0.95); D2 9 of 10.
    ("410122", TERM, "satisfaction_rate"): (33, 35, 0.942857, 0.95, NEAR),
    ("410171", TERM, "satisfaction_rate"): (9, 10, 0.9, 0.95, INSUFF),
    ("410122", "2025", "satisfaction_rate"): (33, 35, 0.942857, 0.95, NEAR),
    ("410108", TERM, "satisfaction_rate"): (None, None, None, 0.95, NO_DATA),
    # issue_closure_rate: J1 closed by the batch-2 correction, J2 open; J3 closed.
    ("410122", TERM, "issue_closure_rate"): (1, 2, 0.5, 1.0, MISSED),
    ("410122", MONTH, "issue_closure_rate"): (1, 2, 0.5, 1.0, MISSED),
    ("410171", "2025", "issue_closure_rate"): (1, 1, 1.0, 1.0, MET),
    # 惠济区 found no issue in a term in which the jurisdiction did: 0 of 0, no value
    ("410108", TERM, "issue_closure_rate"): (0, 0, None, 1.0, NO_DATA),
    ("410108", MONTH, "issue_closure_rate"): (0, 0, None, 1.0, NO_DATA),
    ("410108", "2025", "issue_on_time_rate"): (0, 0, None, 1.0, NO_DATA),
    # issue_on_time_rate: J1 closed 8 Mar ≤ 10 Mar; J2 open, due 6 Mar < as-of 25 Mar;
    # J3 closed 25 Mar after its 20 Mar deadline.
    ("410122", TERM, "issue_on_time_rate"): (1, 2, 0.5, 1.0, MISSED),
    ("410171", TERM, "issue_on_time_rate"): (0, 1, 0.0, 1.0, MISSED),
    # median_days_to_close: J1 5 days; J3 20 days.
    ("410122", TERM, "median_days_to_close"): (None, None, 5.0, None, None),
    ("410171", TERM, "median_days_to_close"): (None, None, 20.0, None, None),
}

TWO_BATCHES_OVERALL = {
    (TERM, "lunch_coverage"): (3, 4, 0.75, 1.0, MISSED),
    (TERM, "after_school_coverage"): (2, 4, 0.5, 1.0, MISSED),
    (TERM, "eating_share"): (500, 900, 0.555556, None, None),
    (TERM, "lunch_demand_met"): (500, 700, 0.714286, 1.0, MISSED),
    (TERM, "after_school_share"): (410, 900, 0.455556, None, None),
    (TERM, "after_school_demand_met"): (305, 400, 0.7625, 1.0, MISSED),
    (TERM, "reporting_completeness"): (8, 9, 0.888889, 1.0, MISSED),
    ("2025-02", "budget_execution"): (600_000, 2_500_000, 0.24, 0.158333, MET),
    ("2025-03", "budget_execution"): (1_050_000, 2_500_000, 0.42, 0.2375, MET),
    ("2025", "budget_execution"): (1_050_000, 2_500_000, 0.42, 0.95, MISSED),
    (TERM, "satisfaction_rate"): (42, 45, 0.933333, 0.95, NEAR),
    (TERM, "issue_closure_rate"): (2, 3, 0.666667, 1.0, MISSED),
    (TERM, "issue_on_time_rate"): (1, 3, 0.333333, 1.0, MISSED),
    (TERM, "median_days_to_close"): (None, None, 12.5, None, None),
}


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory) -> tuple[Path, dict, dict]:
    wh = tmp_path_factory.mktemp("two") / "warehouse.duckdb"
    assert run_load([FIXTURES / "two_batches" / "batch1"], wh) == EXIT_OK
    after_first = kpis(wh, "kpi_district")
    assert run_load([FIXTURES / "two_batches" / "batch2"], wh) == EXIT_OK
    return wh, after_first, kpis(wh, "kpi_district")


@pytest.mark.parametrize("key", TWO_BATCHES_DISTRICT)
def test_two_batches_district(two_batches, key):
    _, _, rows = two_batches
    check(rows[key], *TWO_BATCHES_DISTRICT[key])


@pytest.mark.parametrize("key", TWO_BATCHES_OVERALL)
def test_two_batches_overall(two_batches, key):
    wh, _, _ = two_batches
    check(kpis(wh, "kpi_overall")[key], *TWO_BATCHES_OVERALL[key])


def test_two_batches_first_batch_before_the_corrections(two_batches):
    _, first, _ = two_batches
    # S1's 5 Mar lunch was 420 before the correction: (410 + 100) / 800.
    check(first[("410122", TERM, "eating_share")], 510, 800, 0.6375, None, None)
    # J1 was still in progress: 0 of 2 closed, and not yet due on time (due 10 Mar, open).
    check(first[("410122", TERM, "issue_closure_rate")], 0, 2, 0.0, 1.0, MISSED)


def test_two_batches_every_district_has_every_kpi(two_batches):
    wh, _, rows = two_batches
    overall = kpis(wh, "kpi_overall")
    for period, kpi in overall:
        for district in ("410122", "410171", "410108"):
            assert (district, period, kpi) in rows, (district, period, kpi)


def test_two_batches_satisfaction_interval(two_batches):
    _wh, _, rows = two_batches
    lo, hi = wilson(9, 10)
    row = rows[("410171", TERM, "satisfaction_rate")]
    assert row["ci_lower"] == pytest.approx(lo, abs=1e-4)
    assert row["ci_upper"] == pytest.approx(hi, abs=1e-4)


def test_two_batches_inactive_school_is_out_of_scope(two_batches):
    wh, _, _ = two_batches
    con = duckdb.connect(str(wh), read_only=True)
    active = con.execute("select school_code, active from marts.dim_school order by 1").fetchall()
    con.close()
    assert ("4101710002", False) in active
