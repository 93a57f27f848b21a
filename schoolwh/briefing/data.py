"""Everything a briefing reads from the warehouse, gathered once through the dashboard's
queries (`schoolwh.reading.queries`: parameterised SQL on a read-only connection)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from schoolwh.briefing.scope import Scope
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading.connection import Warehouse

# KPIs shown on their own figure rather than as a monthly trend line.
NO_TREND = ("budget_execution",)


@dataclass
class Quality:
    """The data-quality slide's figures."""

    has_audit: bool
    last_load: dict[str, object] | None = None
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    orphans: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class BriefingData:
    scope: Scope
    kpis: pd.DataFrame  # the scope's KPI rows for the period (overall or the district)
    previous_kpis: pd.DataFrame  # the same for the previous period (may be empty)
    overall: pd.DataFrame  # the whole jurisdiction for the period
    by_district: pd.DataFrame  # every district × KPI for the period
    previous_by_district: pd.DataFrame
    monthly: pd.DataFrame  # the scope's KPI rows by month, within the trend window
    pace: pd.DataFrame  # budget_execution by month of the pace year, up to the period
    pace_by_district: pd.DataFrame  # the pace year's budget_execution by district (last month)
    issues_monthly: pd.DataFrame  # issues by month found: closed, overdue, not yet due
    open_issues: pd.DataFrame  # issues open at the as-of date (scope), most overdue first
    quality: Quality
    min_sample: int = 30  # satisfaction responses below which a rate is not judged
    sample: bool = False  # the synthetic sample: every figure and the title slide say so
    # every district × KPI for the same period a year before (同比; empty without one)
    year_ago_by_district: pd.DataFrame = field(default_factory=pd.DataFrame)
    # one district only (a district leader's own extract): its schools' values of the KPIs
    # that have one per school (queries.SCHOOL_KPIS), ranked instead of the districts
    schools: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def one_district(self) -> bool:
        """Whether the figures hold one district only: nothing to rank districts among, so
        no district ranking, grid or 「1 个区县低于目标」 (docs/kpis.md#ranks-and-comparisons)."""
        return _alone(self.by_district)

    @property
    def by_school(self) -> bool:
        """Whether the slides look inside one district (its schools, its issues' categories)
        rather than across the districts."""
        return self.scope.is_district or self.one_district

    # the seed's `topic = supervision` KPIs, and the 需要关注 counts as of the as-of date
    # (queries.WATCH_LISTS → rows; empty without the supervision marts)
    supervision_kpis: tuple[str, ...] = ()
    watch: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> pd.DataFrame:
        frame = self.open_issues
        if frame.empty:
            return frame
        return frame[frame["days_overdue"].fillna(0) > 0]

    def kpi_ids(self) -> list[str]:
        return [str(k) for k in self.kpis["kpi"]]

    def kpi_row(self, kpi: str) -> pd.Series | None:
        rows = self.kpis[self.kpis["kpi"] == kpi]
        return None if rows.empty else rows.iloc[0]

    def previous_row(self, kpi: str) -> pd.Series | None:
        if self.previous_kpis.empty:
            return None
        rows = self.previous_kpis[self.previous_kpis["kpi"] == kpi]
        return None if rows.empty else rows.iloc[0]

    def overall_row(self, kpi: str) -> pd.Series | None:
        rows = self.overall[self.overall["kpi"] == kpi]
        return None if rows.empty else rows.iloc[0]

    def districts_of(
        self, kpi: str, previous: bool = False, year_ago: bool = False
    ) -> pd.DataFrame:
        """Every district's row of `kpi`: this period, the previous one, or a year before."""
        frame = self.by_district
        if previous:
            frame = self.previous_by_district
        elif year_ago:
            frame = self.year_ago_by_district
        if frame.empty:
            return frame
        return frame[frame["kpi"] == kpi].reset_index(drop=True)

    def _kpis_where(self, keep: bool) -> BriefingData:
        """The same data with only the supervision KPIs (`keep`) or only the others."""

        def chosen(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty or "kpi" not in frame:
                return frame
            inside = frame["kpi"].isin(self.supervision_kpis)
            return frame[inside if keep else ~inside].reset_index(drop=True)

        return replace(
            self,
            kpis=chosen(self.kpis),
            previous_kpis=chosen(self.previous_kpis),
            overall=chosen(self.overall),
            by_district=chosen(self.by_district),
            previous_by_district=chosen(self.previous_by_district),
            year_ago_by_district=chosen(self.year_ago_by_district),
        )

    def supervision_only(self) -> BriefingData:
        """The supervision KPIs alone (the supervision slide, the summary's section)."""
        return self._kpis_where(True)

    def without_supervision(self) -> BriefingData:
        """Every KPI but the supervision ones (which have their own slide and section)."""
        return self._kpis_where(False)

    def trend_kpis(self) -> list[str]:
        """KPIs with at least one monthly value in the window, in the KPI order."""
        if self.monthly.empty:
            return []
        with_values = self.monthly[self.monthly["value"].notna()]
        ordered = with_values.sort_values("kpi_sort_order")["kpi"]
        return [k for k in dict.fromkeys(ordered) if k not in NO_TREND]


def _alone(by_district: pd.DataFrame) -> bool:
    return by_district.empty or by_district["district_code"].nunique() < 2


def _in_window(months: pd.Series, first: str, last: str) -> pd.Series:
    keys = months.astype(str).map(fmt.period_sort_key)
    return (keys >= fmt.period_sort_key(first)) & (keys <= fmt.period_sort_key(last))


def _quality(wh: Warehouse) -> Quality:
    if not q.has_audit(wh):
        return Quality(has_audit=False)
    loads = q.loads(wh, 1)
    last = loads.iloc[0].to_dict() if not loads.empty else None
    checks = q.dq_results(wh, int(last["load_id"])) if last else pd.DataFrame()
    return Quality(
        has_audit=True,
        last_load=last,
        quarantine=q.quarantine_summary(wh),
        checks=checks,
        orphans=q.orphan_facts(wh),
    )


def watch_counts(wh: Warehouse, scope: Scope) -> dict[str, int]:
    """How many rows each 需要关注 list of the 监管 page has for the scope (deliveries: of
    the period); empty when the warehouse has no supervision marts."""
    if not q.has_supervision(wh):
        return {}
    return {
        name: len(q.watch_list(wh, name, scope.period_type, scope.period, scope.district_code))
        for name in q.WATCH_LISTS
    }


def load_data(wh: Warehouse, scope: Scope) -> BriefingData:
    """Read what the briefing of `scope` shows."""
    kind, period, district = scope.period_type, scope.period, scope.district_code
    overall = q.kpi_overall(wh, kind, period)
    by_district = q.kpi_district(wh, kind, period)
    if scope.previous:
        previous_overall = q.kpi_overall(wh, kind, scope.previous)
        previous_by_district = q.kpi_district(wh, kind, scope.previous)
    else:
        previous_overall = overall.iloc[0:0]
        previous_by_district = by_district.iloc[0:0]
    if district is None:
        kpis, previous_kpis = overall, previous_overall
    else:
        kpis = by_district[by_district["district_code"] == district].reset_index(drop=True)
        previous_kpis = previous_by_district[
            previous_by_district["district_code"] == district
        ].reset_index(drop=True)

    year_ago = fmt.same_period_last_year(kind, period)
    first, last = scope.months_window()
    monthly = q.kpi_series(wh, "month", district)
    monthly = monthly[_in_window(monthly["period"], first, last)].reset_index(drop=True)

    year = scope.pace_year
    pace = q.budget_pace(wh, year, district)
    pace = pace[_in_window(pace["month"], f"{year}-01", last)].reset_index(drop=True)
    pace_by_district = pd.DataFrame()
    if not pace.empty:
        pace_by_district = q.kpi_district(wh, "month", str(pace["month"].iloc[-1]))
        pace_by_district = pace_by_district[
            pace_by_district["kpi"] == "budget_execution"
        ].reset_index(drop=True)

    issues = q.issues_closure_by_month(wh, district)  # closed, overdue, not yet due
    issues = issues[_in_window(issues["month"], first, last)].reset_index(drop=True)

    schools = (
        {k: q.school_kpi_values(wh, kind, period, k, district) for k in q.SCHOOL_KPIS}
        if _alone(by_district)
        else {}
    )
    return BriefingData(
        scope=scope,
        schools={k: v for k, v in schools.items() if not v.empty},
        kpis=kpis,
        previous_kpis=previous_kpis,
        overall=overall,
        by_district=by_district,
        previous_by_district=previous_by_district,
        monthly=monthly,
        pace=pace,
        pace_by_district=pace_by_district,
        issues_monthly=issues,
        open_issues=q.open_issues(wh, district),
        quality=_quality(wh),
        min_sample=q.min_sample(wh),
        sample=q.is_sample(wh),
        year_ago_by_district=q.kpi_district(wh, kind, year_ago) if year_ago else by_district[:0],
        supervision_kpis=q.kpis_of_topic(wh, q.SUPERVISION_TOPIC),
        watch=watch_counts(wh, scope),
    )
