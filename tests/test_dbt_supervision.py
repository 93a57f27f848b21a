"""The supervision KPIs of docs/kpis.md#supervision, built by dbt on hand-made rows.

One build of the test county of tests/supervision_county.py (made from the spec's
rules, with the spec's worked example beside it: school S, district 410204, September
2025). Every expected figure below was worked out by hand from the rules (the arithmetic
is in the comments), never read from the code.
"""

from __future__ import annotations

from pathlib import Path

import dbt_fixtures as fx
import pytest
from supervision_county import (
    AS_OF,
    C1,
    D1,
    D2,
    D3,
    D4,
    I1,
    K1,
    K2,
    K3,
    N1,
    UNREGISTERED_DISTRICT,
    X,
    load_county,
)

from schoolwh.core.sources import SOURCES
from schoolwh.pipeline.dbt_runner import BuildResult, build

pytestmark = pytest.mark.dbt  # builds a warehouse with dbt (tests/conftest.py: tiers)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    path = load_county(tmp_path_factory.mktemp("dbt_supervision") / "wh.duckdb")
    result = build(path)
    assert result.success, result.message
    return path, result


@pytest.fixture(scope="module")
def wh(built: tuple[Path, BuildResult]) -> Path:
    return built[0]


def _status(value: float | None) -> str:
    """docs/kpis.md#status for a rate with target 1.00 and near band 0.05."""
    if value is None:
        return "no_data"
    if value >= 1 - 1e-9:
        return "met"
    return "near" if value >= 0.95 - 1e-9 else "missed"


# (kpi, period_type, period): {district (None = overall): (numerator, denominator)}
# Districts left out of a period's dict count 0 of 0 (no_data).
RATES: dict[tuple[str, str, str], dict[str | None, tuple[float, float]]] = {
    # serving days of lunch-serving schools with a 校领导 record. March (judged 03-31):
    # K1 7 days (03-23..27, 30, 31), leader on 23, 24, 25, 26, 30 = 5; K2 not serving
    # yet; C1 2 of 2. April: K1 5 days (04-01..03, 13, 14), leader 4; K2 5 days, 3;
    # C1 1 of 1. The term: K1 12 / 9, K2 5 / 3, C1 3 / 3.
    ("leader_meal_rate", "month", "2026-03"): {D1: (5, 7), D2: (2, 2), None: (7, 9)},
    ("leader_meal_rate", "month", "2026-04"): {D1: (7, 10), D2: (1, 1), None: (8, 11)},
    ("leader_meal_rate", "term", "2026-spring"): {D1: (12, 17), D2: (3, 3), None: (15, 20)},
    # menu days up to the as-of date (04-20..24 never count). March: K1 7, 03-25 has one
    # dish; C1 2 of 2. April: K1 8 (04-01..03, 13..17), 04-02 without fruit; K2 8,
    # 04-16 without staple. The inactive school's menu counts nowhere.
    ("menu_standard_rate", "month", "2026-03"): {D1: (6, 7), D2: (2, 2), None: (8, 9)},
    ("menu_standard_rate", "month", "2026-04"): {D1: (14, 16), None: (14, 16)},
    ("menu_standard_rate", "term", "2026-spring"): {D1: (20, 23), D2: (2, 2), None: (22, 25)},
    # serving days whose menu was published by the Monday of the week: K1's week C was
    # published on its Tuesday (04-13, 04-14 fail); C1 has no menu for 04-01.
    ("menu_disclosure_rate", "month", "2026-03"): {D1: (7, 7), D2: (2, 2), None: (9, 9)},
    ("menu_disclosure_rate", "month", "2026-04"): {D1: (8, 10), D2: (0, 1), None: (8, 11)},
    ("menu_disclosure_rate", "term", "2026-spring"): {D1: (15, 17), D2: (2, 3), None: (17, 20)},
    # kitchen schools at the term's end with a snapshot of >= 1 camera: K1, K2 yes; K3
    # (0 cameras) no; S has no snapshot in spring; C1 (catering) is not a kitchen.
    # 2025-autumn (ends 2026-01-31): K1, K3 without snapshots; S covered.
    ("camera_coverage", "term", "2026-spring"): {D1: (2, 2), D2: (0, 1), D4: (0, 1), None: (2, 4)},
    ("camera_coverage", "term", "2025-autumn"): {D1: (0, 1), D2: (0, 1), D4: (1, 1), None: (1, 3)},
    # Σ online / Σ cameras of kitchen schools' snapshots: March K1 4/4 (K2 not a
    # kitchen yet, K3 0/0); April K1 3+4 / 4+4, K2 1/2; the term adds K2's 0/0.
    ("camera_online_rate", "month", "2026-03"): {D1: (4, 4), None: (4, 4)},
    ("camera_online_rate", "month", "2026-04"): {D1: (8, 10), None: (8, 10)},
    ("camera_online_rate", "term", "2026-spring"): {D1: (12, 14), None: (12, 14)},
    # school-weeks with a serving day of kitchen schools, by the month of their Monday.
    # March: K1 weeks A (check 03-25) and B (check dated 04-02); K2's week B is not a
    # kitchen week in March (lunch from 04-01) but is one in the term. April: K1 week C
    # has only a daily check; K2 week C checked 04-15. November 2025 has checks but no
    # school-week: 0 of 0 everywhere.
    ("weekly_check_rate", "month", "2026-03"): {D1: (2, 2), None: (2, 2)},
    ("weekly_check_rate", "month", "2026-04"): {D1: (1, 2), None: (1, 2)},
    ("weekly_check_rate", "term", "2026-spring"): {D1: (3, 5), None: (3, 5)},
    ("weekly_check_rate", "month", "2025-11"): {None: (0, 0)},
    # kitchen schools whose latest standard check by the period's end passed: K1 passed
    # 03-20 (failed 2025-11-10); K2 passed 04-10 but failed 04-16 (a correction); K3
    # and S never checked; C1's pass does not count (catering).
    ("canteen_standard_rate", "term", "2026-spring"): {
        D1: (1, 2),
        D2: (0, 1),
        D4: (0, 1),
        None: (1, 4),
    },
    ("canteen_standard_rate", "year", "2026"): {D1: (1, 2), D2: (0, 1), D4: (0, 1), None: (1, 4)},
    ("canteen_standard_rate", "term", "2025-autumn"): {
        D1: (0, 1),
        D2: (0, 1),
        D4: (0, 1),
        None: (0, 3),
    },
    ("canteen_standard_rate", "year", "2025"): {D1: (0, 1), D2: (0, 1), D4: (0, 1), None: (0, 3)},
    # bulk amounts. March: K1 rice 1000 (SA) + oil 500 (SC, before its exit), both
    # unified and certified; C1 rice 800 from SA, not unified. April (K1, K2): oil 400
    # on SC's exit day, meat 600 (SB, not unified), egg 200 (SD before admission), milk
    # 300 (SD), flour 700 (SX unknown); unified 400 + 200 + 300 + 700, certified 300.
    ("unified_delivery_rate", "month", "2026-03"): {
        D1: (1500, 1500),
        D2: (0, 800),
        None: (1500, 2300),
    },
    ("unified_delivery_rate", "month", "2026-04"): {D1: (1600, 2200), None: (1600, 2200)},
    ("unified_delivery_rate", "term", "2026-spring"): {
        D1: (3100, 3700),
        D2: (0, 800),
        None: (3100, 4500),
    },
    ("unified_delivery_rate", "year", "2026"): {D1: (3100, 3700), D2: (0, 800), None: (3100, 4500)},
    ("certified_supply_rate", "month", "2026-03"): {
        D1: (1500, 1500),
        D2: (800, 800),
        None: (2300, 2300),
    },
    ("certified_supply_rate", "month", "2026-04"): {D1: (300, 2200), None: (300, 2200)},
    ("certified_supply_rate", "term", "2026-spring"): {
        D1: (1800, 3700),
        D2: (800, 800),
        None: (2600, 4500),
    },
    ("certified_supply_rate", "year", "2026"): {
        D1: (1800, 3700),
        D2: (800, 800),
        None: (2600, 4500),
    },
}

# The spec's worked example (docs/kpis.md#supervision-worked-example): school S alone.
WORKED = {
    ("leader_meal_rate", "month", "2025-09"): (3, 5, 0.6),
    ("menu_standard_rate", "month", "2025-09"): (4, 5, 0.8),
    ("menu_disclosure_rate", "month", "2025-09"): (5, 5, 1.0),
    ("camera_online_rate", "month", "2025-09"): (19, 20, 0.95),
    ("weekly_check_rate", "month", "2025-09"): (1, 1, 1.0),
    ("unified_delivery_rate", "month", "2025-09"): (1000, 1600, 0.625),
    ("certified_supply_rate", "month", "2025-09"): (1000, 1600, 0.625),
}

# training_person_times: Σ person_times of the district's sessions; overall = Σ districts
# (the unregistered district's 10 included).
TRAINING = {
    ("term", "2026-spring"): {D1: 75, D2: 25, D3: 0, D4: 0, UNREGISTERED_DISTRICT: 10, None: 110},
    ("year", "2026"): {D1: 75, D2: 25, D3: 0, D4: 0, UNREGISTERED_DISTRICT: 10, None: 110},
    ("term", "2025-autumn"): {D1: 50, D2: 0, D3: 0, D4: 0, None: 50},
}


def _row(wh: Path, kpi: str, period_type: str, period: str, district: str | None) -> dict:
    if district is None:
        rows = fx.query_dicts(
            wh,
            "select * from marts.kpi_overall where kpi = ? and period_type = ? and period = ?",
            [kpi, period_type, period],
        )
    else:
        rows = fx.query_dicts(
            wh,
            "select * from marts.kpi_district where kpi = ? and period_type = ? "
            "and period = ? and district_code = ?",
            [kpi, period_type, period, district],
        )
    assert len(rows) == 1, (kpi, period, district, rows)
    return rows[0]


@pytest.mark.parametrize("key", list(RATES), ids=lambda k: "-".join(k))
def test_county_rates(wh: Path, key: tuple[str, str, str]) -> None:
    expected = RATES[key]
    for district in (D1, D2, D3, D4, None):
        numerator, denominator = expected.get(district, (0, 0))
        row = _row(wh, *key, district)
        value = numerator / denominator if denominator else None
        assert (row["numerator"], row["denominator"]) == (numerator, denominator), row
        assert row["value"] == (None if value is None else round(value, 6)), row
        assert (row["target"], row["status"]) == (1.0, _status(value)), row


@pytest.mark.parametrize("key", list(WORKED), ids=lambda k: k[0])
def test_spec_worked_example(wh: Path, key: tuple[str, str, str]) -> None:
    numerator, denominator, value = WORKED[key]
    for district in (D4, None):
        row = _row(wh, *key, district)
        assert (row["numerator"], row["denominator"], row["value"]) == (
            numerator,
            denominator,
            value,
        )
        assert row["status"] == _status(value)
    # the county's districts have nothing in September 2025: 0 of 0
    row = _row(wh, *key, D1)
    assert (row["numerator"], row["denominator"], row["status"]) == (0, 0, "no_data")


def test_training_person_times_is_a_count(wh: Path) -> None:
    for (period_type, period), expected in TRAINING.items():
        for district, total in expected.items():
            row = _row(wh, "training_person_times", period_type, period, district)
            assert (row["numerator"], row["value"]) == (total, total), row
            assert row["denominator"] is None and row["target"] is None, row
            assert row["status"] is None and row["unit"] == "count", row


def test_kpis_have_rows_only_where_their_source_has_rows(wh: Path) -> None:
    produced = set(
        fx.query(
            wh,
            "select kpi, period_type, period from marts.kpi_overall "
            "where kpi in (select kpi from marts.kpi_definitions where topic = 'supervision')",
        )
    )
    expected = (
        {(k, p, q) for k, p, q in RATES}
        | {(k, p, q) for k, p, q in WORKED}
        | {("training_person_times", p, q) for p, q in TRAINING}
        | {("training_person_times", "year", "2025")}
    )
    # the periods of the sources' own rows: 陪餐 and menus (up to the as-of date) in
    # 2025-09 and spring 2026; snapshots in 2025-09 / spring 2026; checks also in
    # 2025-11; deliveries in 2025 and 2026; a KPI's declared period types only
    for kpi in ("leader_meal_rate", "menu_standard_rate", "menu_disclosure_rate"):
        expected |= {(kpi, "term", "2025-autumn")}
    expected |= {("camera_online_rate", "term", "2025-autumn")}
    expected |= {("weekly_check_rate", "term", "2025-autumn")}
    for kpi in ("unified_delivery_rate", "certified_supply_rate"):
        expected |= {(kpi, "term", "2025-autumn"), (kpi, "year", "2025")}
    assert produced == expected
    # no April row of menus beyond the as-of date, no May row at all
    assert not any(p in ("2026-05",) for _, _, p in produced)


def test_the_as_of_date_ignores_menus_and_registry_dates(wh: Path) -> None:
    assert fx.query(wh, "select as_of_date from marts.build_info") == [(AS_OF,)]
    # menus published ahead are kept in the mart, counted nowhere
    ahead = fx.query(wh, "select count(*) from marts.fct_menus where menu_date > ?", [AS_OF])
    assert ahead == [(5,)]


def test_kitchen_schools_as_of_the_as_of_date(wh: Path) -> None:
    rows = dict(fx.query(wh, "select school_code, is_kitchen_school from marts.dim_school"))
    assert rows == {
        K1: True,
        K2: True,  # lunch from 2026-04-01 <= 2026-04-17
        I1: False,  # inactive
        C1: False,  # catering does not cook
        K3: True,
        N1: False,
        fx.SCHOOL_S: True,
    }


def test_deliveries_carry_their_supplier_standing(wh: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in fx.query(
            wh,
            "select delivery_id, is_bulk, supplier_known, certified_active "
            "from marts.fct_deliveries",
        )
    }
    assert X not in {r[0] for r in fx.query(wh, "select school_code from marts.fct_deliveries")}
    assert rows["PS01"] == (True, True, True)  # SA certified by the correction
    assert rows["PS02"] == (True, True, True)  # the day before SC's exit
    assert rows["PS03"] == (True, True, False)  # SC's exit day
    assert rows["PS05"] == (True, True, False)  # before SD's admission
    assert rows["PS06"] == (True, True, True)
    assert rows["PS07"] == (True, False, False)  # SX is not in the registry
    assert rows["PS08"][0] is False  # vegetables are not bulk
    suppliers = dict(fx.query(wh, "select supplier_id, certified from marts.dim_supplier"))
    assert suppliers == {
        "SA": True,
        "SB": False,
        "SC": True,
        "SD": True,
        "SE": True,
        "WA": True,
        "WB": False,
    }


def test_orphans_are_listed_and_stay_out(wh: Path) -> None:
    listed = {
        (r["source"], r["reason"], r["school_code"] or r["district_code"]): r
        for r in fx.query_dicts(wh, "select * from marts.dq_orphan_facts")
    }
    expected = {
        ("meal_companions", "school_not_in_registry", X): True,
        ("kitchen_cameras", "school_not_in_registry", X): True,
        ("deliveries", "school_not_in_registry", X): True,
        ("menus", "school_inactive", I1): True,
        ("deliveries", "supplier_not_in_registry", K2): False,
        ("training", "district_not_in_registry", UNREGISTERED_DISTRICT): False,
    }
    assert set(listed) == set(expected)
    for key, excluded in expected.items():
        assert listed[key]["row_count"] == 1
        assert listed[key]["is_excluded_from_kpis"] is excluded, key
    assert listed[("deliveries", "supplier_not_in_registry", K2)]["example_key"] == "SX"
    for table in ("fct_meal_companions", "fct_kitchen_cameras", "fct_menus"):
        schools = {r[0] for r in fx.query(wh, f"select school_code from marts.{table}")}
        assert not schools & {X, I1}, table


def test_names_and_free_text_never_leave_raw(wh: Path) -> None:
    personal = ("companion_name", "feedback", "inspector", "topic")
    leaked = fx.query(
        wh,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts') "
        "and table_name <> 'kpi_definitions' "  # its `topic` is the KPI's subject
        f"and column_name in ({', '.join('?' for _ in personal)})",
        list(personal),
    )
    assert leaked == []
    for source, column in (("meal_companions", "companion_name"), ("training", "topic")):
        assert SOURCES[source].column(column).kind == "text"
        kept = fx.query(wh, f"select count(*) from raw.{source} where {column} is not null")
        assert kept[0][0] > 0
    # the one free text published is the menu text, as written (shown as text by readers)
    text = fx.query(
        wh, "select distinct menu_text from marts.fct_menus where school_code = ?", [K1]
    )
    assert text == [("<b>红烧肉</b> 炒青菜 =1+1",)]


def test_wide_marts_carry_the_supervision_kpis(wh: Path) -> None:
    term = fx.query_dicts(
        wh,
        "select * from marts.kpi_district_term_wide where district_code = ? and term = ?",
        [D1, "2026-spring"],
    )
    assert len(term) == 1
    assert term[0]["leader_meal_rate"] == round(12 / 17, 6)
    assert term[0]["training_person_times"] == 75
    month = fx.query_dicts(
        wh,
        "select * from marts.kpi_district_month_wide where district_code = ? and month = ?",
        [D1, "2026-03"],
    )
    assert month[0]["weekly_check_rate"] == 1.0 and month[0]["camera_online_rate"] == 1.0


def test_the_build_passes_every_test(built: tuple[Path, BuildResult]) -> None:
    _, result = built
    failing = [n.name for n in result.nodes if not n.passed]
    # warnings only: the orphans are listed, an unknown supplier is named by the
    # relationship test on fct_deliveries.supplier_id (it still counts, as not
    # certified), and the unregistered training district has KPI rows of its own
    assert set(failing) == {
        "orphan_facts_are_listed",
        "relationships_fct_deliveries_supplier_id__supplier_id__ref_dim_supplier_",
        "relationships_kpi_district_district_code__district_code__ref_dim_district_",
    }
    assert all(n.severity == "warn" for n in result.nodes if not n.passed)
