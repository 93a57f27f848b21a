"""The one-line headline of a period (schoolwh/reading/headline.py): how many KPIs meet
their target, the KPI furthest from it and the weakest district on it — on 总览, the PDF
and the deck's first slide — and the 要点 / 结论 led by that KPI."""

from __future__ import annotations

import pandas as pd

from schoolwh.reading import headline as hl
from schoolwh.reading.i18n import kpi_name


def _kpis(rows: list[tuple[str, float, float | None, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "value", "target", "status", "direction"]).assign(
        unit=lambda f: ["days" if k == "median_days_to_close" else "ratio" for k in f["kpi"]]
    )


CITY = _kpis(
    [
        ("lunch_coverage", 0.99, 1.0, "near", "higher_is_better"),
        ("satisfaction_rate", 0.96, 0.95, "met", "higher_is_better"),
        ("issue_on_time_rate", 0.627, 1.0, "missed", "higher_is_better"),
        ("reporting_completeness", 0.90, 1.0, "missed", "higher_is_better"),
        ("eating_share", 0.5, None, None, "higher_is_better"),
    ]
)


def _districts() -> pd.DataFrame:
    rows = []
    for code, name, on_time in (("410182", "荥阳市", 0.385), ("410105", "金水区", 0.8)):
        rows.append((code, name, "issue_on_time_rate", on_time, 1.0, "missed"))
        rows.append((code, name, "lunch_coverage", 0.99, 1.0, "near"))
    return pd.DataFrame(
        rows, columns=["district_code", "district_name", "kpi", "value", "target", "status"]
    ).assign(unit="ratio", direction="higher_is_better")


def test_the_headline_is_led_by_the_worst_kpi_and_the_worst_district():
    name = kpi_name("issue_on_time_rate", "zh")  # the seed's name (按期整改率)
    assert hl.headline(CITY, _districts(), "zh") == (
        f"4 项指标 1 项达标；距目标最远：{name} 62.7%（目标 100.0%），最弱：荥阳市 38.5%。"
    )
    assert hl.headline(CITY, _districts(), "en") == (
        f"1 of 4 KPIs meet their target; furthest from it: {kpi_name('issue_on_time_rate', 'en')} "
        "62.7% (target 100.0%); weakest: 荥阳市 at 38.5%."
    )


def test_one_district_alone_has_no_weakest_district_and_all_met_says_so():
    alone = _districts()[lambda f: f["district_code"] == "410105"]
    assert hl.headline(CITY, alone, "zh").endswith("（目标 100.0%）。")
    met = CITY.assign(status=["met", "met", "met", "met", None])
    assert hl.headline(met, _districts(), "zh") == "4 项指标全部达标。"
    assert hl.headline(CITY.iloc[0:0], _districts(), "zh") == ""


def test_furthest_first_compares_kpis_of_different_units_by_their_share_of_the_target():
    rows = _kpis(
        [
            ("lunch_coverage", 0.95, 1.0, "near", "higher_is_better"),  # 5 % short
            ("median_days_to_close", 15.0, 10.0, "missed", "lower_is_better"),  # 50 % over
            ("issue_on_time_rate", 0.7, 1.0, "missed", "higher_is_better"),  # 30 % short
        ]
    )
    order = list(hl.furthest_first(rows)["kpi"])
    assert order == ["median_days_to_close", "issue_on_time_rate", "lunch_coverage"]
    assert hl.shortfall(1.0, 1.0, "higher_is_better") == 0.0
    assert hl.shortfall(None, 1.0, "higher_is_better") is None
