"""The dbt project on the worked example of docs/kpis.md#worked-example.

One build of the worked example (plus an orphan participation row and an inactive
school, which must change nothing), then a second build on the same warehouse after a
later batch of corrections and a second district with 20 survey responses.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dbt_fixtures as fx
import duckdb
import pytest
import yaml

from schoolwh.core.settings import DBT_DIR
from schoolwh.pipeline.dbt_runner import BuildResult, build, docs

pytestmark = pytest.mark.dbt  # builds warehouses with dbt (tests/conftest.py: tiers)

CONTRACT_DISTRICT_COLUMNS = [
    "district_code",
    "period_type",
    "period",
    "kpi",
    "numerator",
    "denominator",
    "value",
    "target",
    "status",
]
EXTRA_COLUMNS = [
    "kpi_name_zh",
    "kpi_name_en",
    "unit",
    "direction",
    "near_band",
    "ci_lower",
    "ci_upper",
    "responses",
]

ORPHAN_SCHOOL = "4101059999"
INACTIVE_SCHOOL = "4101050004"
SECOND_DISTRICT = "410106"
SECOND_SCHOOL = "4101060001"


@dataclass(frozen=True)
class Built:
    path: Path
    result: BuildResult


def _base_rows() -> dict[str, list[dict]]:
    data = fx.worked_example()
    data["schools"].append(
        {
            "school_code": INACTIVE_SCHOOL,
            "school_name": "金水区已撤并小学",
            "district_code": fx.DISTRICT,
            "stage": "primary",
            "ownership": "public",
            "lunch_mode": "self_run",
            "lunch_start_date": date(2019, 9, 1),
            "has_after_school": True,
            "active": False,
        }
    )
    data["participation"] += [
        # a school that is not in the registry: lands, is listed, never counts
        {
            "school_code": ORPHAN_SCHOOL,
            "date": date(2025, 9, 9),
            "lunch_students": 500,
            "after_school_students": 400,
        },
        # an inactive school: out of scope as well
        {
            "school_code": INACTIVE_SCHOOL,
            "date": date(2025, 9, 12),
            "lunch_students": 300,
            "after_school_students": 100,
        },
    ]
    data["enrollment"].append(
        {"school_code": INACTIVE_SCHOOL, "term": "2025-autumn", "enrolled": 300}
    )
    return data


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The worked example built once, then corrected and rebuilt on the same file.

    The first build's warehouse is copied aside for the assertions on the worked example;
    the corrections go into the original file, so the second build reuses dbt's parse.
    """
    folder = tmp_path_factory.mktemp("dbt_worked_example")
    path = fx.create_warehouse(folder / "warehouse.duckdb")
    next_batch = fx.load_rows(path, _base_rows())
    first = build(path)
    assert first.success, first.message
    assert not Path(f"{path}.wal").exists(), "the build left a write-ahead log behind"
    snapshot = folder / "worked_example.duckdb"
    shutil.copyfile(path, snapshot)

    # a later batch: I3 is re-issued as closed (on time), A's 10 Sep is corrected,
    # and a second district with one school and 20 survey responses (18 satisfied)
    fx.insert_rows(
        path,
        "issues",
        [
            {
                "issue_id": "I3",
                "school_code": fx.SCHOOL_A,
                "found_date": date(2025, 9, 10),
                "category": "hygiene",
                "deadline": date(2025, 9, 17),
                "status": "closed",
                "closed_date": date(2025, 9, 16),
            }
        ],
        batch_seq=next_batch,
    )
    fx.insert_rows(
        path,
        "participation",
        [
            {
                "school_code": fx.SCHOOL_A,
                "date": date(2025, 9, 10),
                "lunch_students": 910,
                "after_school_students": 710,
            }
        ],
        batch_seq=next_batch + 1,
    )
    fx.insert_rows(
        path,
        "districts",
        [
            {
                "district_code": SECOND_DISTRICT,
                "district_name": "上街区",
                "district_kind": "district",
            }
        ],
        batch_seq=next_batch + 2,
    )
    fx.insert_rows(
        path,
        "schools",
        [
            {
                "school_code": SECOND_SCHOOL,
                "school_name": "上街区实验小学",
                "district_code": SECOND_DISTRICT,
                "stage": "primary",
                "ownership": "public",
                "lunch_mode": "central_kitchen",
                "lunch_start_date": date(2024, 9, 1),
                "has_after_school": False,
            }
        ],
        batch_seq=next_batch + 3,
    )
    fx.insert_rows(
        path,
        "survey",
        fx.survey_rows("SJ", SECOND_SCHOOL, 20, 18, date(2025, 9, 20)),
        batch_seq=next_batch + 4,
    )
    # as if the warehouse had been built before the seed gained its `topic` column
    con = duckdb.connect(str(path))
    try:
        con.execute("alter table marts.kpi_definitions drop column topic")
    finally:
        con.close()
    second = build(path)
    assert second.success, second.message
    return {"worked": Built(snapshot, first), "corrected": Built(path, second)}


@pytest.fixture(scope="module")
def worked(builds: dict[str, Built]) -> Built:
    return builds["worked"]


@pytest.fixture(scope="module")
def corrected(builds: dict[str, Built]) -> Built:
    return builds["corrected"]


def _kpi(path: Path, kpi: str, period_type: str, period: str, district: str | None) -> dict:
    if district is None:
        rows = fx.query_dicts(
            path,
            "select * from marts.kpi_overall where kpi = ? and period_type = ? and period = ?",
            [kpi, period_type, period],
        )
    else:
        rows = fx.query_dicts(
            path,
            "select * from marts.kpi_district "
            "where kpi = ? and period_type = ? and period = ? and district_code = ?",
            [kpi, period_type, period, district],
        )
    assert len(rows) == 1, f"{kpi} {period}: {len(rows)} rows"
    return rows[0]


def _close(actual: float | None, expected: float | None, tol: float = 1e-4) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and abs(actual - expected) <= tol


# kpi, period_type, period, numerator, denominator, value, target, status
WORKED_EXAMPLE = [
    ("lunch_coverage", "term", "2025-autumn", 2, 3, 0.6667, 1.0, "missed"),
    ("after_school_coverage", "term", "2025-autumn", 2, 3, 0.6667, 1.0, "missed"),
    ("eating_share", "term", "2025-autumn", 1059.167, 1600, 0.66198, None, None),
    ("lunch_demand_met", "term", "2025-autumn", 1059.167, 1300, 0.81474, 1.0, "missed"),
    ("after_school_share", "term", "2025-autumn", 963.75, 1600, 0.60234, None, None),
    ("after_school_demand_met", "term", "2025-autumn", 963.75, 1100, 0.87614, 1.0, "missed"),
    ("reporting_completeness", "term", "2025-autumn", 7, 8, 0.875, 1.0, "missed"),
    ("satisfaction_rate", "term", "2025-autumn", 37, 40, 0.925, 0.95, "near"),
    ("issue_closure_rate", "term", "2025-autumn", 2, 4, 0.5, 1.0, "missed"),
    ("issue_on_time_rate", "term", "2025-autumn", 1, 3, 0.3333, 1.0, "missed"),
    ("median_days_to_close", "term", "2025-autumn", None, None, 7.5, None, None),
    ("eating_share", "month", "2025-09", 1059.167, 1600, 0.66198, None, None),
    ("budget_execution", "month", "2025-06", 520_000, 1_200_000, 0.4333, 0.475, "near"),
    ("budget_execution", "month", "2025-09", 660_000, 1_200_000, 0.55, 0.7125, "missed"),
    ("budget_execution", "year", "2025", 660_000, 1_200_000, 0.55, 0.95, "missed"),
    ("issue_closure_rate", "month", "2025-09", 2, 4, 0.5, 1.0, "missed"),
]


@pytest.mark.parametrize("scope", ["district", "overall"])
@pytest.mark.parametrize(
    ("kpi", "period_type", "period", "numerator", "denominator", "value", "target", "status"),
    WORKED_EXAMPLE,
    ids=[f"{r[0]}-{r[2]}" for r in WORKED_EXAMPLE],
)
def test_worked_example_figures(
    worked: Built,
    scope: str,
    kpi: str,
    period_type: str,
    period: str,
    numerator: float | None,
    denominator: float | None,
    value: float,
    target: float | None,
    status: str | None,
) -> None:
    row = _kpi(worked.path, kpi, period_type, period, fx.DISTRICT if scope == "district" else None)
    assert _close(row["numerator"], numerator, 1e-3), row
    assert _close(row["denominator"], denominator), row
    assert _close(row["value"], value), row
    assert _close(row["target"], target, 1e-9), row
    assert row["status"] == status, row


def test_satisfaction_has_its_wilson_interval(worked: Built) -> None:
    for district in (fx.DISTRICT, None):
        row = _kpi(worked.path, "satisfaction_rate", "term", "2025-autumn", district)
        assert _close(row["ci_lower"], 0.8014), row
        assert _close(row["ci_upper"], 0.9742), row
        assert row["responses"] == 40
    # other KPIs carry no interval
    row = _kpi(worked.path, "issue_closure_rate", "term", "2025-autumn", None)
    assert row["ci_lower"] is None and row["ci_upper"] is None


def test_as_of_date_is_the_refund(worked: Built) -> None:
    rows = fx.query_dicts(worked.path, "select * from marts.build_info")
    assert len(rows) == 1
    assert rows[0]["as_of_date"] == date(2025, 9, 28)
    assert rows[0]["built_at"] is not None


def test_kpi_tables_start_with_the_contract_columns(worked: Built) -> None:
    def columns(table: str) -> list[str]:
        return [
            r[0]
            for r in fx.query(
                worked.path,
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            )
        ]

    district = columns("kpi_district")
    overall = columns("kpi_overall")
    assert district[: len(CONTRACT_DISTRICT_COLUMNS)] == CONTRACT_DISTRICT_COLUMNS
    assert overall[: len(CONTRACT_DISTRICT_COLUMNS) - 1] == CONTRACT_DISTRICT_COLUMNS[1:]
    n = len(CONTRACT_DISTRICT_COLUMNS)
    assert district[n : n + len(EXTRA_COLUMNS)] == EXTRA_COLUMNS
    assert overall[n - 1 : n - 1 + len(EXTRA_COLUMNS)] == EXTRA_COLUMNS


def test_every_kpi_is_produced_at_its_periods(worked: Built) -> None:
    produced = set(fx.query(worked.path, "select distinct kpi, period_type from marts.kpi_overall"))
    expected = {
        ("lunch_coverage", "term"),
        ("after_school_coverage", "term"),
        *((k, p) for k in ("eating_share", "lunch_demand_met") for p in ("term", "month")),
        *(
            (k, p)
            for k in ("after_school_share", "after_school_demand_met")
            for p in ("term", "month")
        ),
        ("budget_execution", "year"),
        ("budget_execution", "month"),
        ("satisfaction_rate", "term"),
        ("satisfaction_rate", "year"),
        *(
            (k, p)
            for k in ("issue_closure_rate", "issue_on_time_rate", "median_days_to_close")
            for p in ("term", "month", "year")
        ),
        ("reporting_completeness", "term"),
        ("reporting_completeness", "month"),
    }
    assert produced == expected
    ids = {
        r[0]
        for r in fx.query(
            worked.path, "select kpi from marts.kpi_definitions where topic <> 'supervision'"
        )
    }
    assert ids == {k for k, _ in expected}
    # the supervision KPIs have rows only where their own sources have rows: none here
    supervision = fx.query(
        worked.path, "select count(*) from marts.kpi_definitions where topic = 'supervision'"
    )
    assert supervision == [(10,)]


def test_orphans_are_listed_and_excluded(worked: Built) -> None:
    orphans = fx.query_dicts(
        worked.path, "select * from marts.dq_orphan_facts order by source, school_code"
    )
    listed = {(o["source"], o["reason"], o["school_code"], o["row_count"]) for o in orphans}
    assert ("participation", "school_not_in_registry", ORPHAN_SCHOOL, 1) in listed
    assert ("participation", "school_inactive", INACTIVE_SCHOOL, 1) in listed
    assert ("enrollment", "school_inactive", INACTIVE_SCHOOL, 1) in listed
    daily = fx.query(
        worked.path,
        "select count(*) from marts.fct_participation_daily where school_code in (?, ?)",
        [ORPHAN_SCHOOL, INACTIVE_SCHOOL],
    )
    assert daily == [(0,)]
    # the warn-severity test lists them without failing the build
    warn = [n for n in worked.result.nodes if n.name == "orphan_facts_are_listed"]
    assert len(warn) == 1
    assert warn[0].status == "warn" and warn[0].failures == len(orphans)
    check = next(
        c for c in worked.result.check_results() if c.check_name == "orphan_facts_are_listed"
    )
    assert check.severity == "warning" and not check.success and not check.blocks_publish


def test_build_ran_every_unit_test_and_test(worked: Built) -> None:
    result = worked.result
    counts = result.counts()
    assert counts.get("unit_test", 0) >= 12
    assert counts.get("test", 0) >= 100
    assert counts.get("seed") == 1
    not_passing = [n.name for n in result.nodes if not n.passed]
    assert not_passing == ["orphan_facts_are_listed"]
    checks = result.check_results()
    assert len(checks) == counts["test"] + counts["unit_test"]
    assert all(c.stage == "build" and c.suite == "dbt" for c in checks)
    assert not any(c.blocks_publish for c in checks)
    unit = [c for c in checks if c.check_name == "statuses_follow_the_rules_of_kpis_md"]
    assert unit and unit[0].severity == "critical" and unit[0].target == "int_kpis_evaluated"


def test_dbt_owns_the_key_and_relationship_checks(worked: Built) -> None:
    """The publish checks (expectations/suites_marts.py) do not repeat these: each ran in
    the build, as a check that blocks the publish when it fails."""
    ran = {c.check_name: c for c in worked.result.check_results()}
    for name in (
        # one row per key
        "unique_combination_of_columns_kpi_district_district_code__period_type__period__kpi",
        "unique_combination_of_columns_kpi_overall_period_type__period__kpi",
        "unique_dim_district_district_code",
        "unique_dim_school_school_code",
        # keys filled, KPIs known, statuses accepted
        "not_null_kpi_district_district_code",
        "relationships_kpi_district_kpi__kpi__ref_kpi_definitions_",
        "accepted_values_kpi_district_status__met__near__missed__no_data__insufficient_sample",
        # overall = Σ districts, every district present, the status rule
        "kpi_overall_equals_district_sums",
        "kpi_rows_cover_every_district",
        "statuses_follow_the_rules_of_kpis_md",
        "a_district_without_issues_counts_zero_of_zero",
    ):
        assert name in ran, name
        assert ran[name].success and ran[name].severity == "critical", ran[name]


def test_kpi_figures_are_rounded_to_six_decimals(worked: Built) -> None:
    for table in ("kpi_district", "kpi_overall", "kpi_satisfaction_groups"):
        unrounded = fx.query(
            worked.path,
            f"select count(*) from marts.{table} where "
            + " or ".join(
                f"{c} <> round({c}, 6)"
                for c in ("numerator", "denominator", "value", "target", "ci_lower", "ci_upper")
            ),
        )
        assert unrounded == [(0,)], table


def test_survey_comment_never_leaves_staging(worked: Built) -> None:
    leaked = fx.query(
        worked.path,
        "select table_schema, table_name from information_schema.columns "
        "where column_name = 'comment' and table_schema in ('staging', 'intermediate', 'marts')",
    )
    assert leaked == []
    assert fx.query(worked.path, "select count(*) from raw.survey where comment is not null") == [
        (1,)
    ]


def test_schemas_are_exactly_the_layers(worked: Built) -> None:
    schemas = {
        r[0]
        for r in fx.query(
            worked.path,
            "select distinct table_schema from information_schema.tables "
            "where table_catalog = current_database()",
        )
    }
    assert {"raw", "audit", "staging", "intermediate", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_issue_measures_use_the_as_of_date(worked: Built) -> None:
    rows = {
        r["issue_id"]: r
        for r in fx.query_dicts(worked.path, "select * from marts.fct_issues order by issue_id")
    }
    assert rows["I1"]["days_to_close"] == 4 and rows["I1"]["is_closed_on_time"]
    assert rows["I2"]["days_to_close"] == 11 and not rows["I2"]["is_closed_on_time"]
    assert rows["I3"]["is_overdue"] and rows["I3"]["days_overdue"] == 11
    assert not rows["I4"]["is_overdue"] and not rows["I4"]["is_on_time_eligible"]


# -- after the corrections ---------------------------------------------------------------


def test_correction_reissuing_an_issue_as_closed_changes_the_kpis(corrected: Built) -> None:
    closure = _kpi(corrected.path, "issue_closure_rate", "term", "2025-autumn", fx.DISTRICT)
    assert (closure["numerator"], closure["denominator"]) == (3, 4)
    on_time = _kpi(corrected.path, "issue_on_time_rate", "term", "2025-autumn", None)
    assert (on_time["numerator"], on_time["denominator"]) == (2, 3)
    median = _kpi(corrected.path, "median_days_to_close", "term", "2025-autumn", None)
    assert median["value"] == 6  # 4, 6 and 11 days
    status = fx.query(corrected.path, "select status from marts.fct_issues where issue_id = 'I3'")
    assert status == [("closed",)]


def test_a_warehouse_built_with_an_older_seed_takes_its_new_columns(corrected: Built) -> None:
    topics = fx.query(
        corrected.path,
        "select topic from marts.kpi_definitions where kpi = ?",
        ["issue_closure_rate"],
    )
    assert topics == [("issues",)]


def test_correction_of_a_participation_day_wins(corrected: Built) -> None:
    rows = fx.query(
        corrected.path,
        "select lunch_students from marts.fct_participation_daily "
        "where school_code = ? and participation_date = ?",
        [fx.SCHOOL_A, date(2025, 9, 10)],
    )
    assert rows == [(910,)]
    share = _kpi(corrected.path, "eating_share", "term", "2025-autumn", fx.DISTRICT)
    assert _close(share["numerator"], 1059.167 + 10, 1e-3)  # (850 + 870 + 910) / 3 + 192.5


def test_fewer_than_thirty_responses_is_an_insufficient_sample(corrected: Built) -> None:
    row = _kpi(corrected.path, "satisfaction_rate", "term", "2025-autumn", SECOND_DISTRICT)
    assert row["status"] == "insufficient_sample"
    assert _close(row["value"], 0.9) and row["responses"] == 20
    assert row["ci_lower"] is not None and row["ci_lower"] < 0.9 < row["ci_upper"]
    # the worked example's district is unchanged; the jurisdiction sums both
    assert (
        _kpi(corrected.path, "satisfaction_rate", "term", "2025-autumn", fx.DISTRICT)["status"]
        == "near"
    )
    overall = _kpi(corrected.path, "satisfaction_rate", "term", "2025-autumn", None)
    assert (overall["numerator"], overall["denominator"]) == (55, 60)
    assert overall["responses"] == 60


def test_satisfaction_groups_split_the_kpi_by_respondent(corrected: Built) -> None:
    """marts.kpi_satisfaction_groups: the satisfaction page's respondent groups, with the
    KPI's own status rule and Wilson interval (NULL = all districts / stages / locations)."""

    def groups(district: str | None) -> list[dict]:
        return fx.query_dicts(
            corrected.path,
            "select * from marts.kpi_satisfaction_groups where period_type = 'term' "
            "and period = '2025-autumn' and district_code is not distinct from ? "
            "and stage is null and location is null order by respondent",
            [district],
        )

    for district in (None, fx.DISTRICT, SECOND_DISTRICT):
        rows = groups(district)
        kpi = _kpi(corrected.path, "satisfaction_rate", "term", "2025-autumn", district)
        assert rows and {r["respondent"] for r in rows} <= {"parent", "student", "teacher"}
        assert sum(r["numerator"] for r in rows) == kpi["numerator"]
        assert sum(r["denominator"] for r in rows) == kpi["denominator"] == kpi["responses"]
        for r in rows:
            n, k = r["denominator"], r["numerator"]
            z = 1.96
            centre = (k / n + z * z / (2 * n)) / (1 + z * z / n)
            half = z * ((k / n * (1 - k / n) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
            assert _close(r["value"], k / n, 1e-6) and r["responses"] == n
            assert _close(r["ci_lower"], centre - half, 1e-6), r
            assert _close(r["ci_upper"], centre + half, 1e-6), r
            # fewer than the seed's 30 responses in every group
            assert (r["target"], r["status"]) == (0.95, "insufficient_sample"), r


def test_a_district_without_data_shows_no_data(corrected: Built) -> None:
    # 上街区 reported no participation: its participation KPIs are no_data, not 0
    for kpi in ("lunch_demand_met", "reporting_completeness", "issue_closure_rate"):
        row = _kpi(corrected.path, kpi, "term", "2025-autumn", SECOND_DISTRICT)
        assert row["value"] is None and row["status"] == "no_data", row
    # ...and found no issue while the jurisdiction did: "0 issues found" is a fact, 0 / 0
    for period_type, period in (("term", "2025-autumn"), ("month", "2025-09"), ("year", "2025")):
        for kpi in ("issue_closure_rate", "issue_on_time_rate"):
            row = _kpi(corrected.path, kpi, period_type, period, SECOND_DISTRICT)
            assert (row["numerator"], row["denominator"], row["value"]) == (0, 0, None), row
        row = _kpi(corrected.path, "median_days_to_close", period_type, period, SECOND_DISTRICT)
        assert (row["numerator"], row["denominator"], row["value"]) == (None, None, None), row
    # a KPI without a target keeps status null
    row = _kpi(corrected.path, "eating_share", "term", "2025-autumn", SECOND_DISTRICT)
    assert row["value"] is None and row["status"] is None
    # ...and adds nothing to the jurisdiction's figures
    overall = _kpi(corrected.path, "lunch_demand_met", "term", "2025-autumn", None)
    assert overall["denominator"] == 1300
    # coverage does have data for it: its one active school serves lunch
    row = _kpi(corrected.path, "lunch_coverage", "term", "2025-autumn", SECOND_DISTRICT)
    assert (row["numerator"], row["denominator"], row["status"]) == (1, 1, "met")


def test_mart_columns_match_their_documentation(worked: Built) -> None:
    spec = yaml.safe_load((DBT_DIR / "models" / "marts" / "_marts__models.yml").read_text("utf-8"))
    for model in spec["models"]:
        built = [
            r[0]
            for r in fx.query(
                worked.path,
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [model["name"]],
            )
        ]
        assert built == [c["name"] for c in model["columns"]], model["name"]


def test_docs_generate(worked: Built, tmp_path: Path) -> None:
    result = docs(worked.path, tmp_path / "docs")
    assert result.success, result.message
    assert (tmp_path / "docs" / "index.html").is_file()
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text(encoding="utf-8"))
    tables = {node.split(".")[-1] for node in catalog["nodes"]}
    assert {"kpi_district", "kpi_overall", "dim_school", "build_info"} <= tables
