"""The one-line headline of a period, led by the worst KPI and the worst district:
「11 项指标 2 项达标；距目标最远：按期整改率 62.7%（目标 100.0%），最弱：荥阳市 38.5%。」

One home for 总览 (under the cards), the one-page PDF and the deck's first slide, and for
which KPI is "furthest from its target" (the PDF's 要点 and the deck's 结论 lead with it).
Generic over the KPI seed: any KPI with a target and a status counts. Nothing here reads
the warehouse or imports Streamlit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from schoolwh.reading import formatting as fmt
from schoolwh.reading import status as st_
from schoolwh.reading.i18n import kpi_name, t
from schoolwh.reading.ranks import lower_is_better

JUDGED = ("met", "near", "missed")  # the statuses that say where a KPI stands to its target
BELOW = ("near", "missed")


def shortfall(value: Any, target: Any, direction: Any) -> float | None:
    """How far a value falls short of its target, as a share of the target (0 when it
    meets it; 0.373 for 62.7 % against 100 %): KPIs of different units compare on it."""
    if fmt.is_missing(value) or fmt.is_missing(target):
        return None
    value, target = float(value), float(target)
    gap = value - target if lower_is_better(direction) else target - value
    return max(gap, 0.0) / (abs(target) or 1.0)


def shortfalls(rows: pd.DataFrame) -> pd.Series:
    """`shortfall` of each KPI row (`value, target`, optionally `direction`)."""
    directions = rows["direction"] if "direction" in rows else pd.Series(None, index=rows.index)
    return pd.Series(
        [
            shortfall(v, g, d)
            for v, g, d in zip(rows["value"], rows["target"], directions, strict=True)
        ],
        index=rows.index,
        dtype=float,
    )


def furthest_first(rows: pd.DataFrame) -> pd.DataFrame:
    """The KPI rows below their target (near or missed), furthest from it first."""
    if rows.empty:
        return rows
    below = rows[rows["status"].map(st_.normalise).isin(BELOW)]
    if below.empty:
        return below
    order = below.assign(_short=shortfalls(below), _o=range(len(below)))
    return order.sort_values(["_short", "_o"], ascending=[False, True]).drop(
        columns=["_short", "_o"]
    )


def weakest_district(by_district: pd.DataFrame, kpi: str) -> pd.Series | None:
    """The district worst on `kpi` (by its direction); None with fewer than two districts
    (a district's own figures: nothing to compare)."""
    if by_district.empty:
        return None
    rows = by_district[(by_district["kpi"] == kpi) & by_district["value"].notna()]
    if rows["district_code"].nunique() < 2:
        return None
    direction = rows["direction"].dropna().iloc[0] if "direction" in rows else None
    # worst first: the lowest value (the highest where lower is better), ties by name
    worst = rows.sort_values(
        ["value", "district_name"], ascending=[not lower_is_better(direction), True]
    )
    return worst.iloc[0]


def headline(kpis: pd.DataFrame, by_district: pd.DataFrame, lang: str) -> str:
    """「{n} 项指标 {m} 项达标；距目标最远：…，最弱：…。」 for the scope's KPI rows of a
    period (`kpis`) and every district's (`by_district`); "" without a KPI with a target."""
    if kpis.empty:
        return ""
    keys = kpis["status"].map(st_.normalise)
    judged = int(keys.isin(JUDGED).sum())
    if not judged:
        return ""
    met = int((keys == "met").sum())
    below = furthest_first(kpis)
    if below.empty:
        return t("headline.all_met", lang, n=judged)
    row = below.iloc[0]
    kpi = str(row["kpi"])
    unit = row.get("unit") if isinstance(row.get("unit"), str) else None
    text = t(
        "headline.worst",
        lang,
        n=judged,
        met=met,
        kpi=kpi_name(kpi, lang),
        value=fmt.kpi_value(row["value"], unit, lang),
        target=fmt.kpi_value(row["target"], unit, lang),
    )
    weakest = weakest_district(by_district, kpi)
    if weakest is not None:
        text += t(
            "headline.district",
            lang,
            district=weakest["district_name"],
            value=fmt.kpi_value(weakest["value"], unit, lang),
        )
    return text + t("headline.end", lang)
