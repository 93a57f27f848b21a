"""Every SQL statement of the dashboard, with `?` parameters (never formatted values).

Each function takes the read-only `Warehouse` and plain values and returns a DataFrame
(or a small Python value). They read the published marts and the audit schema only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from schoolwh.core.settings import REPORT_DEADLINES, REPORT_WINDOW_DAYS, report_deadline
from schoolwh.core.sources import SOURCES
from schoolwh.reading.connection import Signature, Warehouse, file_signature

PERIOD_TYPES = ("term", "month", "year")
_PERIOD_TYPE_ORDER = "case period_type when 'term' then 1 when 'month' then 2 else 3 end"
_AS_OF = "(select max(as_of_date) from marts.build_info)"

# Period filters on facts; each takes (period_type, period).
_ISSUE_PERIOD_OF = (
    "(case ? when 'term' then i.term when 'month' then i.month else cast(i.year as varchar) end)"
)
_ISSUE_PERIOD = f"{_ISSUE_PERIOD_OF} = ?"
_SURVEY_PERIOD = (
    "(case ? when 'term' then v.term when 'month' then strftime(v.survey_date, '%Y-%m') "
    "else cast(v.year as varchar) end) = ?"
)

# Optional filters as `(? is null or col = ?)`: each takes the value twice.
_SCHOOL_FILTERS = """
    (? is null or s.district_code = ?)
    and (? is null or s.stage = ?)
    and (? is null or s.location = ?)
"""


# The issues of the schools the filters choose (district, stage, location): `i` in a query.
_SCOPED_ISSUES = f"""
    select i.* from marts.fct_issues i join marts.dim_school s using (school_code)
    where {_SCHOOL_FILTERS}
"""


def _school_params(district: str | None, stage: str | None, location: str | None) -> list[Any]:
    return [district, district, stage, stage, location, location]


# ---------------------------------------------------------------------------------------
# build, periods, districts
# ---------------------------------------------------------------------------------------
def build_info(wh: Warehouse) -> dict[str, Any] | None:
    """The as-of date (latest fact date) and when the marts were built."""
    if not wh.has_table("marts", "build_info"):
        return None
    frame = wh.query("select as_of_date, built_at from marts.build_info limit 1")
    if frame.empty:
        return None
    row = frame.iloc[0]
    return {"as_of_date": row["as_of_date"], "built_at": row["built_at"]}


def period_types(wh: Warehouse) -> list[str]:
    frame = wh.query(
        f"select distinct period_type, {_PERIOD_TYPE_ORDER} as o from marts.kpi_overall order by o"
    )
    return list(frame["period_type"])


def periods(wh: Warehouse, period_type: str) -> list[str]:
    """Periods of one type that have started by the as-of date, newest first."""
    frame = wh.query(
        "select period, max(period_start_date) as start_date from marts.kpi_overall "
        f"where period_type = ? and period_start_date <= coalesce({_AS_OF}, period_start_date) "
        "group by period order by start_date desc, period desc",
        (period_type,),
    )
    return list(frame["period"])


def period_bounds(wh: Warehouse, period_type: str, period: str) -> tuple[Any, Any] | None:
    frame = wh.query(
        "select min(period_start_date) as s, max(period_end_date) as e from marts.kpi_overall "
        "where period_type = ? and period = ?",
        (period_type, period),
    )
    if frame.empty or pd.isna(frame.iat[0, 0]):
        return None
    return frame.iat[0, 0], frame.iat[0, 1]


def districts(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        "select district_code, district_name, district_kind, registered_schools, active_schools "
        "from marts.dim_district order by district_code"
    )


def district_codes(wh: Warehouse) -> list[str]:
    """The districts' codes alone (the login page names the jurisdiction from them)."""
    frame = wh.query("select district_code from marts.dim_district order by district_code")
    return [str(c) for c in frame["district_code"]]


def overall_place(wh: Warehouse) -> str | None:
    """The district's name when this file is a district's extract whose overall figures
    are the district's own (schoolwh/pipeline/extracts.py); None for the whole warehouse
    (or an extract that may show the city's figures): the place the overall KPIs are of."""
    found = wh.query(
        "select count(*) as n from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'extract_scope'"
    )
    if not int(found["n"].iloc[0]):
        return None
    scope = wh.query(
        "select district_code, district_name, overall_is_city from marts.extract_scope "
        "order by district_code"
    )
    if scope.empty or bool(scope["overall_is_city"].all()):
        return None
    names = scope["district_name"].fillna(scope["district_code"])
    return "、".join(str(n) for n in names)


def school_values(wh: Warehouse, column: str) -> list[str]:
    """Distinct stages or locations of active schools (for the filters)."""
    sql = {
        "stage": "select distinct stage as v from marts.dim_school where active and stage is not null order by v",
        "location": "select distinct location as v from marts.dim_school "
        "where active and location is not null order by v",
    }[column]
    return list(wh.query(sql)["v"])


@dataclass(frozen=True)
class KpiDefinition:
    """One row of marts.kpi_definitions (the dbt seed): what the dashboard and the
    briefings know about a KPI, read from the warehouse whose figures they show."""

    kpi: str
    sort_order: int
    name_zh: str
    name_en: str
    unit: str
    direction: str  # higher_is_better / lower_is_better
    target: float | None
    near_band: float | None
    min_sample: int | None
    target_basis: str
    interval_method: str | None
    value_kind: str
    topic: str
    periods: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower_is_better"


_DEFINITION_COLUMNS = (
    "kpi, sort_order, name_zh, name_en, unit, direction, target, near_band, min_sample, "
    "target_basis, interval_method, value_kind, topic, periods"
)
_definitions_cache: dict[tuple[Path, Signature | None], dict[str, KpiDefinition]] = {}
_definitions_lock = threading.Lock()
_in_use: dict[str, KpiDefinition] | None = None


def _optional(value: Any) -> Any:
    return None if value is None or pd.isna(value) else value


def kpi_definitions(wh: Warehouse) -> dict[str, KpiDefinition]:
    """Every KPI of the warehouse's marts.kpi_definitions, in display order, read once per
    published file. It also becomes the set `definitions_in_use` answers with (the KPI
    names of `i18n.kpi_name`): the KPI queries below call it, so the names shown are those
    of the warehouse whose figures are shown."""
    global _in_use
    key = (wh.path, file_signature(wh.path))
    with _definitions_lock:
        cached = _definitions_cache.get(key)
    if cached is None:
        frame = wh.query(
            f"select {_DEFINITION_COLUMNS} from marts.kpi_definitions order by sort_order"
        )
        cached = {
            str(r["kpi"]): KpiDefinition(
                kpi=str(r["kpi"]),
                sort_order=int(r["sort_order"]),
                name_zh=str(r["name_zh"]),
                name_en=str(r["name_en"]),
                unit=str(r["unit"]),
                direction=str(r["direction"]),
                target=_optional(r["target"]),
                near_band=_optional(r["near_band"]),
                min_sample=None if _optional(r["min_sample"]) is None else int(r["min_sample"]),
                target_basis=str(r["target_basis"]),
                interval_method=_optional(r["interval_method"]),
                value_kind=str(r["value_kind"]),
                topic=str(r["topic"]),
                periods=tuple(str(r["periods"]).split("|")),
            )
            for r in frame.to_dict("records")
        }
        with _definitions_lock:
            # one entry per warehouse file: a newer publish replaces the older one
            for old in [k for k in _definitions_cache if k[0] == wh.path]:
                del _definitions_cache[old]
            _definitions_cache[key] = cached
    _in_use = cached
    return cached


def definitions_in_use() -> dict[str, KpiDefinition]:
    """The KPI definitions of the warehouse read last (by `kpi_definitions` or a KPI query);
    empty before any warehouse was read."""
    return _in_use or {}


def kpis_of_topic(wh: Warehouse, topic: str) -> tuple[str, ...]:
    """The KPIs of one topic (the seed's `topic`: issues, funding, …), in display order."""
    return tuple(k for k, d in kpi_definitions(wh).items() if d.topic == topic)


def min_sample(wh: Warehouse, kpi: str = "satisfaction_rate") -> int | None:
    """Fewer observations than this make the KPI's status insufficient_sample (None: no
    minimum)."""
    definition = kpi_definitions(wh).get(kpi)
    return definition.min_sample if definition else None


# ---------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------
_KPI_COLUMNS = (
    "period_type, period, kpi, numerator, denominator, value, target, status, unit, direction, "
    "near_band, ci_lower, ci_upper, responses, kpi_sort_order, period_start_date, period_end_date"
)


def kpi_overall(wh: Warehouse, period_type: str, period: str) -> pd.DataFrame:
    kpi_definitions(wh)
    return wh.query(
        f"select {_KPI_COLUMNS} from marts.kpi_overall "
        "where period_type = ? and period = ? order by kpi_sort_order",
        (period_type, period),
    )


def kpi_district(
    wh: Warehouse, period_type: str, period: str, district: str | None = None
) -> pd.DataFrame:
    kpi_definitions(wh)
    return wh.query(
        f"select district_code, district_name, {_KPI_COLUMNS} from marts.kpi_district "
        "where period_type = ? and period = ? and (? is null or district_code = ?) "
        "order by district_code, kpi_sort_order",
        (period_type, period, district, district),
    )


def kpi_district_one(wh: Warehouse, period_type: str, period: str, kpi: str) -> pd.DataFrame:
    """One KPI for every district, joined to the district list (kind for the map)."""
    kpi_definitions(wh)
    return wh.query(
        "select k.district_code, k.district_name, d.district_kind, k.kpi, k.value, k.target, "
        "k.status, k.unit, k.direction, k.numerator, k.denominator, k.ci_lower, k.ci_upper, "
        "k.responses "
        "from marts.kpi_district k left join marts.dim_district d using (district_code) "
        "where k.period_type = ? and k.period = ? and k.kpi = ? order by k.district_code",
        (period_type, period, kpi),
    )


def kpi_series(
    wh: Warehouse, period_type: str, district: str | None = None, kpis: list[str] | None = None
) -> pd.DataFrame:
    """Every period of one type up to the as-of date, for the whole jurisdiction (district
    None) or one district; optionally only some KPIs."""
    kpi_definitions(wh)
    kpi_list = list(kpis) if kpis else None
    # 问题整改率's issues still open within their deadline, per period: in its denominator
    # without being late (the trend marks them as the closure-by-month chart does)
    pending = f"""
        left join (
            select {_ISSUE_PERIOD_OF} as period, count(*) as not_yet_due
            from marts.fct_issues i
            where not i.is_closed and not i.is_overdue and (? is null or i.district_code = ?)
            group by 1
        ) n on k.kpi = 'issue_closure_rate' and n.period = k.period
    """
    params = (period_type, district, district)
    if district is None:
        sql = (
            f"select k.*, n.not_yet_due from (select {_KPI_COLUMNS} from marts.kpi_overall "
            f"where period_type = ? and period_start_date <= coalesce({_AS_OF}, period_start_date) "
            f"and (? is null or list_contains(?, kpi))) k {pending} "
            "order by k.kpi_sort_order, k.period_start_date"
        )
        return wh.query(sql, (period_type, kpi_list, kpi_list, *params))
    sql = (
        f"select k.*, n.not_yet_due from (select district_code, district_name, {_KPI_COLUMNS} "
        f"from marts.kpi_district where period_type = ? and district_code = ? "
        f"and period_start_date <= coalesce({_AS_OF}, period_start_date) "
        f"and (? is null or list_contains(?, kpi))) k {pending} "
        "order by k.kpi_sort_order, k.period_start_date"
    )
    return wh.query(sql, (period_type, district, kpi_list, kpi_list, *params))


# ---------------------------------------------------------------------------------------
# schools
# ---------------------------------------------------------------------------------------
def schools_table(
    wh: Warehouse,
    district: str,
    period_type: str,
    period: str,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """The district's active schools with their figures for the period: enrolment, lunch
    mode, average daily lunch and after-school students, reporting completeness and
    issues still open. A year sums its months."""
    return wh.query(
        f"""
        with periods as (
            select *
            from marts.fct_school_period
            where district_code = ?
              and ((? <> 'year' and period_type = ? and period = ?)
                   or (? = 'year' and period_type = 'month' and left(period, 4) = ?))
        ),
        figures as (
            select
                school_code,
                max(enrolled) as enrolled,
                sum(days_reported) as days_reported,
                sum(district_serving_days) as serving_days,
                sum(lunch_students_total) / nullif(sum(days_reported), 0) as avg_lunch,
                sum(after_school_students_total) / nullif(sum(after_school_days_reported), 0)
                    as avg_after_school,
                bool_or(is_lunch_serving) as is_lunch_serving
            from periods
            group by school_code
        ),
        open_issues as (
            select school_code, count(*) as open_issues
            from marts.fct_issues
            where not is_closed
            group by school_code
        )
        select
            s.school_code,
            s.school_name,
            s.stage,
            s.ownership,
            s.location,
            s.lunch_mode,
            s.has_after_school,
            f.enrolled,
            f.avg_lunch,
            f.avg_after_school,
            f.days_reported,
            f.serving_days,
            case when coalesce(f.is_lunch_serving, s.has_lunch_service)
                then f.days_reported / nullif(f.serving_days, 0) end as completeness,
            coalesce(o.open_issues, 0) as open_issues
        from marts.dim_school s
        left join figures f using (school_code)
        left join open_issues o using (school_code)
        where s.active and {_SCHOOL_FILTERS}
        order by s.school_code
        """,
        (
            district,
            period_type,
            period_type,
            period,
            period_type,
            period,
            *_school_params(district, stage, location),
        ),
    )


def school(wh: Warehouse, school_code: str) -> dict[str, Any] | None:
    frame = wh.query("select * from marts.dim_school where school_code = ?", (school_code,))
    return None if frame.empty else frame.iloc[0].to_dict()


def school_daily(wh: Warehouse, school_code: str, start: Any, end: Any) -> pd.DataFrame:
    """A school's daily participation between two dates, with its term's enrolment."""
    return wh.query(
        "select p.participation_date as date, p.lunch_students, p.after_school_students, "
        "e.enrolled from marts.fct_participation_daily p "
        "left join marts.fct_enrollment e on e.school_code = p.school_code and e.term = p.term "
        "where p.school_code = ? and p.participation_date between ? and ? "
        "order by p.participation_date",
        (school_code, start, end),
    )


def school_issues(wh: Warehouse, school_code: str) -> pd.DataFrame:
    return wh.query(
        "select issue_id, found_date, issue_source, category, severity, deadline_date, status, "
        "closed_date, days_overdue, description from marts.fct_issues where school_code = ? "
        "order by found_date desc, issue_id",
        (school_code,),
    )


# ---------------------------------------------------------------------------------------
# funding
# ---------------------------------------------------------------------------------------
def funding_years(wh: Warehouse) -> list[int]:
    frame = wh.query(
        "select fiscal_year from marts.fct_budget union "
        "select fiscal_year from marts.fct_expenditure order by fiscal_year desc"
    )
    return [int(y) for y in frame["fiscal_year"].dropna()]


def funding(wh: Warehouse, year: int, district: str | None = None) -> pd.DataFrame:
    """Allocated and spent per district and programme in a fiscal year (spending up to the
    as-of date, refunds netted)."""
    return wh.query(
        """
        with allocated as (
            select district_code, program, sum(amount) as allocated
            from marts.fct_budget
            where fiscal_year = ? and (? is null or district_code = ?)
            group by all
        ),
        spent as (
            select district_code, program, sum(amount) as spent
            from marts.fct_expenditure
            where fiscal_year = ? and (? is null or district_code = ?)
            group by all
        ),
        joined as (
            select
                coalesce(a.district_code, s.district_code) as district_code,
                coalesce(a.program, s.program) as program,
                coalesce(a.allocated, 0) as allocated,
                coalesce(s.spent, 0) as spent
            from allocated a
            full outer join spent s
                on a.district_code = s.district_code and a.program = s.program
        )
        select
            j.district_code,
            coalesce(d.district_name, j.district_code) as district_name,
            j.program,
            cast(j.allocated as double) as allocated,
            cast(j.spent as double) as spent,
            cast(j.spent as double) / nullif(cast(j.allocated as double), 0) as execution
        from joined j
        left join marts.dim_district d using (district_code)
        order by j.district_code, j.program
        """,
        (year, district, district, year, district, district),
    )


def budget_pace(wh: Warehouse, year: int, district: str | None = None) -> pd.DataFrame:
    """budget_execution by month of a year (year to date share against the target pace)."""
    params: tuple[Any, ...]
    if district is None:
        sql = (
            "select period as month, numerator as ytd_spent, denominator as allocated, "
            "value as ytd_share, target as target_pace, status from marts.kpi_overall "
            "where kpi = 'budget_execution' and period_type = 'month' and left(period, 4) = ? "
            f"and period_start_date <= coalesce({_AS_OF}, period_start_date) order by period"
        )
        params = (str(year),)
    else:
        sql = (
            "select period as month, numerator as ytd_spent, denominator as allocated, "
            "value as ytd_share, target as target_pace, status from marts.kpi_district "
            "where kpi = 'budget_execution' and period_type = 'month' and left(period, 4) = ? "
            f"and district_code = ? and period_start_date <= coalesce({_AS_OF}, period_start_date) "
            "order by period"
        )
        params = (str(year), district)
    return wh.query(sql, params)


# ---------------------------------------------------------------------------------------
# satisfaction
# ---------------------------------------------------------------------------------------
def satisfaction_groups(
    wh: Warehouse,
    period_type: str,
    period: str,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """Satisfaction by respondent type for a selection (None = all): responses, satisfied,
    rate, target, status and Wilson interval, as dbt computed them
    (marts.kpi_satisfaction_groups)."""
    kpi_definitions(wh)
    return wh.query(
        """
        select
            respondent,
            responses,
            numerator as satisfied,
            value,
            target,
            status,
            ci_lower,
            ci_upper
        from marts.kpi_satisfaction_groups
        where period_type = ? and period = ?
            and district_code is not distinct from ?
            and stage is not distinct from ?
            and location is not distinct from ?
        order by case respondent when 'parent' then 1 when 'student' then 2 else 3 end
        """,
        (period_type, period, district, stage, location),
    )


def satisfaction_items(
    wh: Warehouse,
    period_type: str,
    period: str,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """Mean score and number of answers of each survey item (1–5)."""
    items = ("overall", "taste", "portion", "hygiene", "price", "service")
    selects = " union all ".join(
        f"select '{item}' as item, {i} as o, avg({item}) as mean_score, count({item}) as answers "
        "from r"
        for i, item in enumerate(items)
    )
    return wh.query(
        f"""
        with r as (
            select v.*
            from marts.fct_survey v
            join marts.dim_school s using (school_code)
            where {_SURVEY_PERIOD} and {_SCHOOL_FILTERS}
        )
        select item, mean_score, answers from ({selects}) order by o
        """,
        (period_type, period, *_school_params(district, stage, location)),
    )


# ---------------------------------------------------------------------------------------
# issues
# ---------------------------------------------------------------------------------------
def issues_per_month(
    wh: Warehouse,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """Issues found (by month found) and closed (by month closed), every month."""
    return wh.query(
        f"""
        with i as ({_SCOPED_ISSUES}),
        found as (select strftime(found_date, '%Y-%m') as month, count(*) as n from i group by 1),
        closed as (
            select strftime(closed_date, '%Y-%m') as month, count(*) as n
            from i where is_closed and closed_date is not null group by 1
        )
        select
            coalesce(found.month, closed.month) as month,
            coalesce(found.n, 0) as found,
            coalesce(closed.n, 0) as closed
        from found full outer join closed using (month)
        order by month
        """,
        _school_params(district, stage, location),
    )


def issues_closure_by_month(
    wh: Warehouse,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """Issues by the month they were found, as of the as-of date: closed, open past their
    deadline (overdue) and open within it (not yet due), and the closure rate of the issues
    already due (`closed / (closed + overdue)`): an issue not yet due is not a failure."""
    return wh.query(
        f"""
        with i as ({_SCOPED_ISSUES})
        select
            strftime(found_date, '%Y-%m') as month,
            count(*) as found,
            count(*) filter (where is_closed) as closed,
            count(*) filter (where not is_closed and is_overdue) as overdue,
            count(*) filter (where not is_closed and not is_overdue) as not_yet_due,
            count(*) filter (where is_closed)
            / nullif(count(*) filter (where is_closed or is_overdue), 0) as due_closure_rate
        from i
        group by 1
        order by 1
        """,
        _school_params(district, stage, location),
    )


def issues_not_yet_due(
    wh: Warehouse, period_type: str, period: str, district: str | None = None
) -> int:
    """Issues found in the period that are still open but within their deadline on the
    as-of date: they are in 问题整改率's denominator without being late (docs/kpis.md)."""
    frame = wh.query(
        f"""
        select count(*) as n
        from marts.fct_issues i
        where {_ISSUE_PERIOD} and (? is null or i.district_code = ?)
            and not i.is_closed and not i.is_overdue
        """,
        (period_type, period, district, district),
    )
    return int(frame["n"].iloc[0]) if not frame.empty else 0


def issues_breakdown(
    wh: Warehouse,
    column: str,
    period_type: str,
    period: str,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
) -> pd.DataFrame:
    """Issues found in the period by category or by source: closed and not yet closed."""
    label = {"category": "i.category", "source": "i.issue_source"}[column]
    return wh.query(
        f"""
        select
            {label} as label,
            count(*) filter (where i.is_closed) as closed,
            count(*) filter (where not i.is_closed) as open,
            count(*) as found,
            median(i.days_to_close) as median_days
        from marts.fct_issues i
        join marts.dim_school s using (school_code)
        where {_ISSUE_PERIOD} and {_SCHOOL_FILTERS}
        group by all
        order by found desc, label
        """,
        (period_type, period, *_school_params(district, stage, location)),
    )


def open_issues(
    wh: Warehouse,
    district: str | None = None,
    stage: str | None = None,
    location: str | None = None,
    only_overdue: bool = False,
) -> pd.DataFrame:
    """Issues not closed by the as-of date, most overdue first."""
    return wh.query(
        f"""
        select
            i.issue_id,
            s.district_name,
            s.school_name,
            i.found_date,
            i.issue_source,
            i.category,
            i.severity,
            i.deadline_date,
            i.status,
            i.days_overdue,
            i.description
        from marts.fct_issues i
        join marts.dim_school s using (school_code)
        where not i.is_closed and (not ? or i.is_overdue) and {_SCHOOL_FILTERS}
        order by i.days_overdue desc nulls last, i.found_date, i.issue_id
        """,
        (only_overdue, *_school_params(district, stage, location)),
    )


# ---------------------------------------------------------------------------------------
# data quality (audit schema)
# ---------------------------------------------------------------------------------------
def has_audit(wh: Warehouse) -> bool:
    return wh.has_table("audit", "loads")


def loads(wh: Warehouse, limit: int = 50) -> pd.DataFrame:
    return wh.query(
        "select load_id, started_at, finished_at, outcome, files_loaded, files_skipped, "
        "files_rejected, rows_landed, rows_quarantined, rows_dropped, as_of_date, message "
        "from audit.loads order by load_id desc limit ?",
        (limit,),
    )


def load_files(wh: Warehouse, load_id: int | None = None) -> pd.DataFrame:
    return wh.query(
        "select load_id, file_name, sheet, source, status, rows_read, rows_landed, "
        "rows_quarantined, rows_dropped, header_row, encoding, message from audit.load_files "
        "where ? is null or load_id = ? order by load_id desc, batch_seq",
        (load_id, load_id),
    )


def quarantine_reasons(wh: Warehouse) -> list[str]:
    frame = wh.query(
        "select distinct reason from audit.quarantine where reason is not null order by 1"
    )
    return list(frame["reason"])


def quarantine(
    wh: Warehouse,
    load_id: int | None = None,
    source: str | None = None,
    reason: str | None = None,
    limit: int = 10_000,
) -> pd.DataFrame:
    return wh.query(
        "select load_id, file_name, sheet, source, row_number, column_name, raw_value, reason, "
        "message, file_rejected from audit.quarantine "
        "where (? is null or load_id = ?) and (? is null or source = ?) "
        "and (? is null or reason = ?) "
        "order by load_id desc, file_name, sheet, row_number limit ?",
        (load_id, load_id, source, source, reason, reason, limit),
    )


def dq_results(
    wh: Warehouse, load_id: int | None = None, only_failed: bool = False
) -> pd.DataFrame:
    return wh.query(
        "select load_id, checked_at, stage, suite, check_name, target, column_name, severity, "
        "success, element_count, unexpected_count, message from audit.dq_results "
        "where (? is null or load_id = ?) and (not ? or not success) "
        "order by load_id desc, success, severity, stage, suite, check_name",
        (load_id, load_id, only_failed),
    )


def orphan_facts(wh: Warehouse) -> pd.DataFrame:
    """Rows that landed but are excluded from the KPIs (cross-source rule violations)."""
    if not wh.has_table("marts", "dq_orphan_facts"):
        return pd.DataFrame()
    return wh.query("select * from marts.dq_orphan_facts")


# ---------------------------------------------------------------------------------------
# briefings (schoolwh/briefing): summaries the decks need beyond the pages' queries
# ---------------------------------------------------------------------------------------
def quarantine_summary(wh: Warehouse) -> pd.DataFrame:
    """Quarantined rows of every load, counted by source and reason (most first)."""
    return wh.query(
        "select source, reason, count(*) as rows, count(distinct file_name) as files "
        "from audit.quarantine group by all order by rows desc, source, reason"
    )


# ---------------------------------------------------------------------------------------
# the synthetic sample (dashboard and briefings label it everywhere)
# ---------------------------------------------------------------------------------------
def is_sample(wh: Warehouse) -> bool:
    """Whether the warehouse holds the synthetic sample: a load of it found the sample's
    mark (schoolwh.core.sample.SAMPLE_MARKER) beside its spreadsheets."""
    from schoolwh.core.sample import SAMPLE_FILE_PARAMS, SAMPLE_FILE_SQL

    if not wh.has_table("audit", "load_files"):
        return False
    frame = wh.query(
        f"select count(*) as n from audit.load_files where {SAMPLE_FILE_SQL}",
        SAMPLE_FILE_PARAMS,
    )
    return bool(frame["n"].iloc[0])


def schools_without_lunch(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Active schools that serve no lunch (a leader's list to follow up), by district."""
    return wh.query(
        "select school_code, school_name, district_name, stage, location, has_after_school "
        "from marts.dim_school where active and not coalesce(has_lunch_service, false) "
        "and (? is null or district_code = ?) order by district_code, school_code",
        (district, district),
    )


# KPIs with a value per school (a district's schools can be ranked on them), each the
# school's own numerator over its denominator in fct_school_period: lunch and after-school
# demand met (average daily students over the need, of the schools that serve it: a school
# serving no lunch is on the list of its own) and reporting completeness (days reported
# over the district's serving days).
SCHOOL_KPIS = ("lunch_demand_met", "after_school_demand_met", "reporting_completeness")
SCHOOLS_RANKED = 15  # a district's schools ranked on one KPI: the lowest, to follow up
_SCHOOL_VALUES = """
    with p as (
        select * from marts.fct_school_period where period_type = ? and period = ?
    ),
    v as (
        select school_code, 'lunch_demand_met' as kpi,
            avg_daily_lunch_students / lunch_need as value
        from p where lunch_need > 0 and is_lunch_serving
        union all
        select school_code, 'after_school_demand_met' as kpi,
            avg_daily_after_school_students / after_school_need as value
        from p where after_school_need > 0 and is_after_school_serving
        union all
        select school_code, 'reporting_completeness' as kpi,
            days_reported / district_serving_days as value
        from p where is_lunch_serving and district_serving_days > 0
    )
    select
        s.district_code,
        s.district_name,
        s.school_code,
        s.school_name,
        v.kpi,
        v.value,
        d.target,
        d.unit,
        d.direction,
        d.sort_order,
        d.target - v.value as gap
    from v
    join marts.kpi_definitions d using (kpi)
    join marts.dim_school s using (school_code)
    where s.active and (? is null or s.district_code = ?)
"""


def school_kpi_values(
    wh: Warehouse, period_type: str, period: str, kpi: str, district: str | None = None
) -> pd.DataFrame:
    """Every active school's value of a KPI of SCHOOL_KPIS in the period (a district's
    schools are ranked on it where the scope is one district), with the KPI's target, unit
    and direction, lowest first; empty for a KPI without values per school."""
    if kpi not in SCHOOL_KPIS:
        return pd.DataFrame(columns=["district_code", "school_code", "school_name", "value"])
    kpi_definitions(wh)
    return wh.query(
        f"select * from ({_SCHOOL_VALUES}) where kpi = ? order by value, school_code",
        (period_type, period, district, district, kpi),
    )


def schools_below_target(
    wh: Warehouse,
    period_type: str,
    period: str,
    district: str | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """Active schools furthest below a target in the period (a leader's list), one row per
    school and KPI of SCHOOL_KPIS, largest gap first, each against its target in
    marts.kpi_definitions. A school serving no lunch is not on it: the overview lists
    those apart, and this list should say something that one does not."""
    kpi_definitions(wh)
    return wh.query(
        f"""
        select * from ({_SCHOOL_VALUES})
        where target is not null and value < target - 1e-9
        order by gap desc, district_code, school_code, sort_order
        limit ?
        """,
        (period_type, period, district, district, limit),
    )


# --- 上报情况 (reporting, issue #24) ----------------------------------------------------------
def reporting_missing(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Lunch-serving schools and the serving days of their district in the last two weeks
    (to the as-of date) they sent no participation for; a district's serving day is a day
    any of its schools reported. One row per school, most days missing first."""
    return wh.query(
        """
        with as_of as (select max(as_of_date) as d from marts.build_info),
        district_days as (
            select distinct p.district_code, p.participation_date as day
            from marts.fct_participation_daily as p, as_of
            where p.participation_date > as_of.d - to_days(?) and p.participation_date <= as_of.d
        ),
        schools as (
            select school_code, district_code, school_name
            from marts.dim_school
            where active and has_lunch_service and (? is null or district_code = ?)
        )
        select s.district_code, d.district_name, s.school_code, s.school_name,
               count(*) as missing_days,
               string_agg(strftime(dd.day, '%m-%d'), '、' order by dd.day) as missing_dates
        from schools as s
        inner join district_days as dd on s.district_code = dd.district_code
        left join marts.fct_participation_daily as p
            on s.school_code = p.school_code and p.participation_date = dd.day
        left join marts.dim_district as d on s.district_code = d.district_code
        where p.school_code is null
        group by all
        order by s.district_code, missing_days desc, s.school_code
        """,
        (REPORT_WINDOW_DAYS, district, district),
    )


def _raw_coverage_sql(wh: Warehouse) -> str | None:
    """A union over the landed sources that have a date: per district, source and file,
    the days covered and the rows; None without the raw schema (a district extract)."""
    tables = wh.query(
        "select table_name, list(column_name) as cols from information_schema.columns "
        "where table_schema = 'raw' group by table_name order by table_name"
    )
    parts = []
    for row in tables.itertuples():
        cols = set(row.cols)
        if row.table_name not in SOURCES or not {"date", "_file_hash", "_load_id"} <= cols:
            continue
        if "school_code" not in cols and "district_code" not in cols:
            continue
        district = (
            "coalesce(r.district_code, s.district_code)"
            if {"district_code", "school_code"} <= cols
            else ("r.district_code" if "district_code" in cols else "s.district_code")
        )
        join = (
            "left join marts.dim_school as s on r.school_code = s.school_code"
            if "school_code" in cols
            else ""
        )
        parts.append(
            f"select '{row.table_name}' as source, {district} as district_code, "
            "r._file_hash as file_hash, r._load_id as load_id, min(r.date) as first_day, "
            "max(r.date) as last_day, count(*) as rows "
            f'from raw."{row.table_name}" as r {join} group by all'
        )
    return " union all ".join(parts) if parts else None


def reporting_files(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Every file received, per district and source: when (received_at, else the load's
    start), by whom, the days it covered and its rows. Without the raw schema (a district's
    extract) the files of audit.load_files, without the days covered."""
    if not has_audit(wh):
        return pd.DataFrame()
    # a warehouse published before `--received` existed has only the load's start
    has_received = wh.scalar(
        "select count(*) from information_schema.columns where table_schema = 'audit' "
        "and table_name = 'loads' and column_name = 'received_at'"
    )
    received = "coalesce(l.received_at, l.started_at)" if has_received else "l.started_at"
    coverage = _raw_coverage_sql(wh) if wh.has_table("raw", "participation") else None
    if coverage is None and wh.has_table("audit", "file_coverage"):
        # a district's extract: what its files covered in its districts, kept at publish
        coverage = (
            "select source, district_code, file_hash, load_id, first_day, last_day, rows "
            "from audit.file_coverage"
        )
    if coverage is None:
        return wh.query(
            f"""
            with mine as (
                select district_code, district_name from marts.dim_district
                where coalesce(?, district_code) = district_code
                order by district_code limit 1
            )
            select mine.district_code, mine.district_name, f.source, f.file_name,
                   {received} as received_at, l.submitted_by, cast(null as date) as first_day,
                   cast(null as date) as last_day, f.rows_landed as rows
            from audit.load_files as f
            inner join audit.loads as l on f.load_id = l.load_id
            cross join mine
            where f.status = 'loaded'
            order by f.source, received_at desc
            """,
            (district,),
        )
    return wh.query(
        f"""
        with coverage as ({coverage}),
        names as (
            select file_hash, load_id, any_value(file_name) as file_name
            from audit.load_files group by all
        )
        select c.district_code, d.district_name, c.source, n.file_name,
               {received} as received_at, l.submitted_by, c.first_day, c.last_day, c.rows
        from coverage as c
        left join names as n on c.file_hash = n.file_hash and c.load_id = n.load_id
        left join audit.loads as l on c.load_id = l.load_id
        left join marts.dim_district as d on c.district_code = d.district_code
        where c.district_code is not null and (? is null or c.district_code = ?)
        order by c.district_code, c.source, received_at desc
        """,
        (district, district),
    )


def reporting_summary(files: pd.DataFrame, deadlines: dict[str, str] | None = None) -> pd.DataFrame:
    """Per district and source: the last file received (when, by whom, what it covered)
    and the share of files received by the source's deadline (core/settings.py)."""
    deadlines = {**REPORT_DEADLINES, **(deadlines or {})}
    columns = [
        "district_code",
        "district_name",
        "source",
        "file_name",
        "received_at",
        "submitted_by",
        "first_day",
        "last_day",
        "files",
        "on_time",
        "on_time_share",
    ]
    if files.empty:
        return pd.DataFrame(columns=columns)
    frame = files.copy()
    if "district_name" not in frame:
        frame["district_name"] = frame["district_code"]

    def on_time(row) -> object:
        rule = deadlines.get(row.source)
        if rule is None or pd.isna(row.last_day) or pd.isna(row.received_at):
            return None
        due = report_deadline(rule, pd.Timestamp(row.last_day).date())
        return pd.Timestamp(row.received_at).to_pydatetime() <= due

    frame["on_time"] = [on_time(r) for r in frame.itertuples()]
    rows = []
    for (district, source), group in frame.groupby(["district_code", "source"], sort=True):
        group = group.sort_values(["received_at", "last_day"], ascending=False)
        last = group.iloc[0]
        judged = group["on_time"].dropna()
        rows.append(
            {
                "district_code": district,
                "district_name": last["district_name"],
                "source": source,
                "file_name": Path(str(last["file_name"])).name if last["file_name"] else "",
                "received_at": last["received_at"],
                "submitted_by": last["submitted_by"],
                "first_day": last["first_day"],
                "last_day": last["last_day"],
                "files": len(group),
                "on_time": int(judged.sum()) if len(judged) else None,
                "on_time_share": float(judged.mean()) if len(judged) else None,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def missing_report_text(missing: pd.DataFrame, as_of: object = None) -> str:
    """The missing-report list as plain text to paste into a group (the page's copy button
    and `schoolwh reporting`)."""
    if missing.empty:
        return "最近两周所有学校均已上报就餐人数。"
    lines = [f"最近两周未上报就餐人数的学校（数据截至 {as_of or '—'}，共 {len(missing)} 所）："]
    for district, group in missing.groupby("district_name", sort=False):
        lines.append(f"【{district}】")
        for r in group.itertuples():
            lines.append(f"- {r.school_name}：{r.missing_days} 天（{r.missing_dates}）")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# supervision (监管): the 需要关注 lists of the 监管 page and a school's supervision facts.
# The rules (kitchen school, meets the standard, certified and active on the delivery
# date) are the marts' flags, computed in dbt; these queries only choose and list rows.
# ---------------------------------------------------------------------------------------
SUPERVISION_TOPIC = "supervision"
SUPERVISION_MARTS = (
    "fct_meal_companions",
    "fct_menus",
    "fct_kitchen_cameras",
    "fct_canteen_checks",
    "dim_supplier",
    "fct_deliveries",
    "fct_training",
)
# the 需要关注 lists look back this many days, the as-of date included
WATCH_DAYS = 7
_WATCH_FROM = f"({_AS_OF} - interval {WATCH_DAYS - 1} day)"
_FACT_PERIOD = (
    "(case ? when 'term' then f.term when 'month' then f.month "
    "else cast(f.year as varchar) end) = ?"
)


def has_supervision(wh: Warehouse) -> bool:
    """Whether the warehouse has the supervision marts (a warehouse built before them, or
    an extract of one, has not: the page then says so instead of failing)."""
    return all(wh.has_table("marts", name) for name in SUPERVISION_MARTS) and (
        "is_kitchen_school" in set(wh.query("describe marts.dim_school")["column_name"])
    )


def as_of_periods(wh: Warehouse) -> dict[str, str | None]:
    """The month and the term of the as-of date (a term between terms: the last one begun)."""
    frame = wh.query(
        f"""
        select
            strftime({_AS_OF}, '%Y-%m') as month,
            (select period from marts.kpi_overall
             where period_type = 'term' and period_start_date <= {_AS_OF}
             order by period_start_date desc limit 1) as term,
            cast(year({_AS_OF}) as varchar) as year
        """
    )
    if frame.empty:
        return {"month": None, "term": None, "year": None}
    row = frame.iloc[0]
    return {k: _optional(row[k]) for k in ("month", "term", "year")}


def watch_cameras(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Kitchen schools whose cameras were not all online on their latest snapshot (on or
    before the as-of date), most cameras offline first."""
    return wh.query(
        f"""
        with latest as (
            select
                school_code, snapshot_date, cameras, online,
                row_number() over (partition by school_code order by snapshot_date desc) as n
            from marts.fct_kitchen_cameras
            where snapshot_date <= {_AS_OF}
        )
        select
            s.district_code, s.district_name, s.school_code, s.school_name,
            l.snapshot_date, l.cameras, l.online, l.cameras - l.online as offline
        from latest l
        join marts.dim_school s using (school_code)
        where l.n = 1 and s.is_kitchen_school and l.online < l.cameras
            and (? is null or s.district_code = ?)
        order by offline desc, s.district_code, s.school_code
        """,
        (district, district),
    )


def watch_leader_meals(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Serving days (lunch students > 0) of the last WATCH_DAYS days without a 校领导
    陪餐 record of that school and date, by school: most days first."""
    return wh.query(
        f"""
        with days as (
            select school_code, participation_date as d
            from marts.fct_participation_daily
            where lunch_students > 0 and participation_date between {_WATCH_FROM} and {_AS_OF}
        ),
        led as (
            select distinct school_code, meal_date as d
            from marts.fct_meal_companions
            where role = 'school_leader'
        ),
        per_school as (
            select
                days.school_code,
                count(*) as serving_days,
                count(*) filter (where led.school_code is null) as days_without,
                string_agg(strftime(days.d, '%Y-%m-%d'), '、' order by days.d)
                    filter (where led.school_code is null) as dates_without
            from days
            left join led on led.school_code = days.school_code and led.d = days.d
            group by days.school_code
        )
        select
            s.district_code, s.district_name, s.school_code, s.school_name,
            p.days_without, p.serving_days, p.dates_without
        from per_school p
        join marts.dim_school s using (school_code)
        where p.days_without > 0 and s.has_lunch_service and (? is null or s.district_code = ?)
        order by p.days_without desc, s.district_code, s.school_code
        """,
        (district, district),
    )


def watch_menus(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Menus of the last WATCH_DAYS days (up to the as-of date) below 两菜一水果加主食
    (the mart's `meets_standard`), newest first."""
    return wh.query(
        f"""
        select
            s.district_code, s.district_name, s.school_code, s.school_name,
            m.menu_date, m.dishes, m.has_fruit, m.has_staple, m.menu_text
        from marts.fct_menus m
        join marts.dim_school s using (school_code)
        where m.menu_date between {_WATCH_FROM} and {_AS_OF} and not m.meets_standard
            and (? is null or s.district_code = ?)
        order by m.menu_date desc, s.district_code, s.school_code
        """,
        (district, district),
    )


def watch_canteen_standard(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Kitchen schools whose latest 标准化验收 on or before the as-of date did not pass,
    or that have none."""
    return wh.query(
        f"""
        with latest as (
            select
                school_code, check_date, result, score,
                row_number() over (
                    partition by school_code order by check_date desc, check_id desc
                ) as n
            from marts.fct_canteen_checks
            where kind = 'standard' and check_date <= {_AS_OF}
        )
        select
            s.district_code, s.district_name, s.school_code, s.school_name, s.lunch_mode,
            l.check_date, l.result, l.score
        from marts.dim_school s
        left join latest l on l.school_code = s.school_code and l.n = 1
        where s.active and s.is_kitchen_school and coalesce(l.result, '') <> 'pass'
            and (? is null or s.district_code = ?)
        order by l.check_date nulls first, s.district_code, s.school_code
        """,
        (district, district),
    )


def watch_deliveries(
    wh: Warehouse, period_type: str, period: str, district: str | None = None
) -> pd.DataFrame:
    """Bulk-category deliveries of the period (up to the as-of date) not unified, or not
    from a supplier certified and active on the delivery date (the mart's
    `certified_active`; a supplier not in the registry is not), largest amount first."""
    return wh.query(
        f"""
        select
            f.district_code, s.district_name, f.school_code, s.school_name,
            f.delivery_id, f.delivery_date, f.category, f.amount, f.unified,
            f.supplier_id, p.supplier_name, f.certified_active,
            case
                when not f.supplier_known then 'supplier_unknown'
                when not p.certified then 'supplier_uncertified'
                when not f.certified_active then 'supplier_inactive'
            end as supplier_problem
        from marts.fct_deliveries f
        join marts.dim_school s using (school_code)
        left join marts.dim_supplier p using (supplier_id)
        where f.is_bulk and (not f.unified or not f.certified_active)
            and f.delivery_date <= {_AS_OF} and {_FACT_PERIOD}
            and (? is null or f.district_code = ?)
        order by f.amount desc, f.delivery_date desc, f.delivery_id
        """,
        (period_type, period, district, district),
    )


def watch_suppliers(wh: Warehouse, district: str | None = None) -> pd.DataFrame:
    """Suppliers admitted or exited in the as-of date's year (准入和退出), by date; a
    district's view keeps the suppliers of the whole jurisdiction (no district) too."""
    return wh.query(
        f"""
        with y as (select year({_AS_OF}) as y)
        select
            p.supplier_id, p.supplier_name, p.district_code, d.district_name, p.certified,
            p.admitted_date, p.exited_date,
            case
                when year(p.exited_date) = y.y and year(p.admitted_date) = y.y
                    then 'admitted_exited'
                when year(p.exited_date) = y.y then 'exited'
                else 'admitted'
            end as change
        from marts.dim_supplier p
        cross join y
        left join marts.dim_district d using (district_code)
        where (year(p.admitted_date) = y.y or year(p.exited_date) = y.y)
            and (? is null or p.district_code = ? or p.district_code is null)
        order by coalesce(p.exited_date, p.admitted_date) desc, p.supplier_id
        """,
        (district, district),
    )


def school_cameras(wh: Warehouse, school_code: str) -> pd.DataFrame:
    """A school's latest camera snapshot (on or before the as-of date)."""
    return wh.query(
        f"""
        select snapshot_date, cameras, online, cameras - online as offline
        from marts.fct_kitchen_cameras
        where school_code = ? and snapshot_date <= {_AS_OF}
        order by snapshot_date desc limit 1
        """,
        (school_code,),
    )


def school_companions(wh: Warehouse, school_code: str, month: str) -> pd.DataFrame:
    """A school's 陪餐 records of one month by role: records, people, mean rating."""
    return wh.query(
        """
        select role, count(*) as records, sum(people) as people, avg(rating) as mean_rating
        from marts.fct_meal_companions
        where school_code = ? and month = ?
        group by role
        order by records desc, role
        """,
        (school_code, month),
    )


def school_menus(wh: Warehouse, school_code: str, limit: int = 10) -> pd.DataFrame:
    """A school's last menus (on or before the as-of date), newest first."""
    return wh.query(
        f"""
        select menu_date, dishes, meat_dishes, has_fruit, has_staple, meets_standard, price,
            published_date, menu_text
        from marts.fct_menus
        where school_code = ? and menu_date <= {_AS_OF}
        order by menu_date desc limit ?
        """,
        (school_code, limit),
    )


def school_checks(wh: Warehouse, school_code: str, limit: int = 10) -> pd.DataFrame:
    """A school's last canteen checks (日管控、周排查、月调度、标准化验收), newest first."""
    return wh.query(
        f"""
        select check_id, check_date, kind, result, score
        from marts.fct_canteen_checks
        where school_code = ? and check_date <= {_AS_OF}
        order by check_date desc, check_id desc limit ?
        """,
        (school_code, limit),
    )


def school_deliveries(wh: Warehouse, school_code: str, term: str) -> pd.DataFrame:
    """A school's deliveries of one term, bulk and other food, by unified delivery and by
    whether the supplier was certified and active on the day: count and amount."""
    return wh.query(
        """
        select is_bulk, unified, certified_active, count(*) as deliveries, sum(amount) as amount
        from marts.fct_deliveries
        where school_code = ? and term = ?
        group by all
        order by is_bulk desc, unified desc, certified_active desc
        """,
        (school_code, term),
    )


# The 需要关注 lists in their order on the page and in the briefing's counts.
WATCH_LISTS = ("cameras", "leader_meals", "menus", "standard", "deliveries", "suppliers")


def watch_list(
    wh: Warehouse, name: str, period_type: str, period: str, district: str | None = None
) -> pd.DataFrame:
    """One 需要关注 list by its name in WATCH_LISTS (deliveries: of the period)."""
    if name == "deliveries":
        return watch_deliveries(wh, period_type, period, district)
    readers = {
        "cameras": watch_cameras,
        "leader_meals": watch_leader_meals,
        "menus": watch_menus,
        "standard": watch_canteen_standard,
        "suppliers": watch_suppliers,
    }
    return readers[name](wh, district)
