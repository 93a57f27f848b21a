"""The queries each dashboard page runs, with the parameters a first visit uses.

Every page runs the shared filter and header queries of dashboard/ui.py, then its own
(dashboard/views/*.py). The parameters are those a visitor sees first: the latest term,
the previous one, the first district, its first school, the latest fiscal year. The SQL
page runs the visitor's own query in the sandbox and is not timed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse

Query = Callable[[Warehouse], Any]


@dataclass(frozen=True)
class Choices:
    """The first-visit parameters, read once from the warehouse."""

    term: str
    previous_term: str | None
    month: str
    district: str
    school: str
    year: int
    load_id: int | None


def first_visit(path: Path) -> Choices:
    wh = Warehouse(path)
    try:
        terms = q.periods(wh, "term")
        months = q.periods(wh, "month")
        district = str(q.districts(wh)["district_code"].iloc[0])
        schools = q.schools_table(wh, district, "term", terms[0])
        years = q.funding_years(wh)
        loads = q.loads(wh, limit=1)
        return Choices(
            term=terms[0],
            previous_term=terms[1] if len(terms) > 1 else None,
            month=months[0],
            district=district,
            school=str(schools["school_code"].iloc[0]),
            year=years[0],
            load_id=int(loads["load_id"].iloc[0]) if not loads.empty else None,
        )
    finally:
        wh.close()


def page_queries(c: Choices) -> dict[str, dict[str, Query]]:
    """page -> query label -> the call, in the order the page makes them."""
    term, prev, d = c.term, c.previous_term or c.term, c.district
    shared: dict[str, Query] = {
        "build_info": q.build_info,
        "period_types": q.period_types,
        "periods(term)": lambda wh: q.periods(wh, "term"),
        "districts": q.districts,
        "school_values(stage)": lambda wh: q.school_values(wh, "stage"),
        "school_values(location)": lambda wh: q.school_values(wh, "location"),
    }
    bounds: dict[str, Any] = {}

    def school_daily(wh: Warehouse) -> Any:
        span = bounds.get("span") or q.period_bounds(wh, "term", term)
        return q.school_daily(wh, c.school, *span)

    def period_bounds(wh: Warehouse) -> Any:
        bounds["span"] = q.period_bounds(wh, "term", term)
        return bounds["span"]

    return {
        "overview": {
            **shared,
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_overall(previous)": lambda wh: q.kpi_overall(wh, "term", prev),
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term),
            "kpi_district_one": lambda wh: q.kpi_district_one(wh, "term", term, "eating_share"),
        },
        "district": {
            **shared,
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term, d),
            "kpi_district(previous)": lambda wh: q.kpi_district(wh, "term", prev, d),
            "kpi_series(month)": lambda wh: q.kpi_series(wh, "month", d),
            "schools_table": lambda wh: q.schools_table(wh, d, "term", term),
            "schools_table(month)": lambda wh: q.schools_table(wh, d, "month", c.month),
            "schools_table(year)": lambda wh: q.schools_table(wh, d, "year", str(c.year)),
            "period_bounds": period_bounds,
            "school_daily": school_daily,
            "school_issues": lambda wh: q.school_issues(wh, c.school),
        },
        "funding": {
            **shared,
            "funding_years": q.funding_years,
            "kpi_overall(year)": lambda wh: q.kpi_overall(wh, "year", str(c.year)),
            "kpi_overall(previous year)": lambda wh: q.kpi_overall(wh, "year", str(c.year - 1)),
            "funding": lambda wh: q.funding(wh, c.year),
            "funding(district)": lambda wh: q.funding(wh, c.year, d),
            "budget_pace": lambda wh: q.budget_pace(wh, c.year),
            "budget_pace(district)": lambda wh: q.budget_pace(wh, c.year, d),
        },
        "satisfaction": {
            **shared,
            "min_sample": lambda wh: q.min_sample(wh, "satisfaction_rate"),
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_district_one": lambda wh: q.kpi_district_one(
                wh, "term", term, "satisfaction_rate"
            ),
            "satisfaction_groups": lambda wh: q.satisfaction_groups(wh, "term", term),
            "satisfaction_items": lambda wh: q.satisfaction_items(wh, "term", term),
            "satisfaction_groups(district)": lambda wh: q.satisfaction_groups(wh, "term", term, d),
        },
        "issues": {
            **shared,
            "kpi_overall": lambda wh: q.kpi_overall(wh, "term", term),
            "kpi_district": lambda wh: q.kpi_district(wh, "term", term, d),
            "issues_per_month": q.issues_per_month,
            "open_issues": q.open_issues,
            "open_issues(overdue, district)": lambda wh: q.open_issues(wh, d, only_overdue=True),
            "issues_breakdown(category)": lambda wh: q.issues_breakdown(
                wh, "category", "term", term
            ),
            "issues_breakdown(source)": lambda wh: q.issues_breakdown(wh, "source", "term", term),
        },
        "quality": {
            **shared,
            "has_audit": q.has_audit,
            "loads": q.loads,
            "load_files": lambda wh: q.load_files(wh, c.load_id),
            "quarantine_reasons": q.quarantine_reasons,
            "quarantine": lambda wh: q.quarantine(wh),
            "dq_results": lambda wh: q.dq_results(wh, c.load_id),
            "orphan_facts": q.orphan_facts,
            "kpi_district_one": lambda wh: q.kpi_district_one(
                wh, "term", term, "reporting_completeness"
            ),
        },
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_pages(path: Path, repeat: int) -> dict[str, Any]:
    """p50 / p95 / max milliseconds of every page query over `repeat` runs.

    Each sample opens the published file afresh (a new read-only connection, an empty
    result cache) and runs one query, so the figure includes opening the connection, as
    a dashboard worker pays it after every publish. A page's total runs its queries in
    order on one new connection.
    """
    pages = page_queries(first_visit(path))
    out: dict[str, Any] = {}
    for page, page_q in pages.items():
        per_query: dict[str, list[float]] = {label: [] for label in page_q}
        totals: list[float] = []
        for _ in range(repeat):
            for label, call in page_q.items():
                wh = Warehouse(path)
                t0 = time.perf_counter()
                call(wh)
                per_query[label].append((time.perf_counter() - t0) * 1000)
                wh.close()
            wh = Warehouse(path)
            t0 = time.perf_counter()
            for call in page_q.values():
                call(wh)
            totals.append((time.perf_counter() - t0) * 1000)
            wh.close()
        out[page] = {
            "queries": {
                label: {
                    "p50_ms": median(ms),
                    "p95_ms": _percentile(ms, 0.95),
                    "max_ms": max(ms),
                }
                for label, ms in per_query.items()
            },
            "page_p50_ms": median(totals),
            "page_p95_ms": _percentile(totals, 0.95),
        }
    return out
