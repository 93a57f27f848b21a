"""Suites on a new batch of raw rows (`raw.<source> where _load_id = ?`).

Each source gets one suite on its batch rows: the contract's row rules again as critical
safety nets (required columns filled, ranges), then plausibility warnings that need
other sources (enrolment, registry, budget), joined in DuckDB so that GX gets one
compact frame. Two more suites work on summaries of the batch: the share of each
district's lunch-serving schools that reported (participation), and a district's
spending against its budget (budget and expenditure).

Only the batch is read in full; reference data is read as its current version (latest
load wins by `_batch_seq`), restricted to the keys the batch needs where possible.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from expectations import thresholds as t
from expectations.school_calendar import (
    calendar_knows_year_sql,
    is_makeup_workday_sql,
    is_public_holiday_sql,
)
from expectations.spec import (
    CRITICAL,
    WARNING,
    Check,
    SuiteSpec,
    aggregate,
    between,
    is_true,
    matches,
    not_null,
    pair_at_least,
)
from expectations.sql import (
    current_rows,
    fetch_frame,
    in_holiday,
    raw_relation,
    relation_exists,
    term_of,
)
from schoolwh.core.sources import KITCHEN_MODES, SOURCES, Column, Source

META = ("_file_name", "_sheet", "_row_number")  # where a clerk finds the row
TERM_REGEX = r"^\d{4}-(?:autumn|spring)$"


def batch_sources(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """The raw sources that have rows landed by this load."""
    found = []
    for name in SOURCES:
        if not relation_exists(con, "raw", name):
            continue
        rows = con.execute(
            f"select count(*) from raw.{name} where _load_id = ?", [load_id]
        ).fetchall()
        if rows[0][0]:
            found.append(name)
    return found


# --- shared pieces -----------------------------------------------------------------------


def _batch_columns(source: Source, alias: str = "b") -> str:
    """The batch's columns, without free text (it may hold personal data)."""
    cols = [f"{alias}.{c.name}" for c in source.columns if c.kind != "text" and not c.stays_raw]
    cols += [f"{alias}.{m}" for m in META]
    return ", ".join(cols)


def contract_checks(source: Source) -> list[Check]:
    """The contract's per-row rules, re-checked as critical safety nets.

    The loader quarantines rows that break these; a failure here means a loader bug, and
    the build must not be published.
    """
    checks: list[Check] = []
    for c in source.columns:
        if c.kind == "text":
            continue
        if c.required:
            checks.append(
                not_null(c.name, f"必填列「{c.zh}」不为空 / required column {c.name} is filled")
            )
        if c.positive:
            checks.append(
                between(
                    c.name,
                    f"「{c.zh}」大于 0 / {c.name} > 0",
                    min_value=0,
                    strict_min=True,
                )
            )
        elif c.nonzero:
            checks.append(
                Check(
                    "ExpectColumnValuesToNotBeInSet",
                    {"column": c.name, "value_set": [0]},
                    CRITICAL,
                    f"「{c.zh}」不为 0 / {c.name} ≠ 0",
                )
            )
        elif c.maximum is not None:  # a scale: survey scores and 陪餐 ratings 1-5, marks 0-100
            lo, hi = c.minimum if c.minimum is not None else 0, c.maximum
            checks.append(
                between(
                    c.name,
                    f"「{c.zh}」在 {lo:g}–{hi:g} 之间 / {c.name} between {lo:g} and {hi:g}",
                    min_value=lo,
                    max_value=hi,
                )
            )
        elif c.minimum is not None:
            checks.append(
                between(
                    c.name,
                    f"「{c.zh}」不小于 {c.minimum:g} / {c.name} ≥ {c.minimum:g}",
                    min_value=c.minimum,
                )
            )
        if c.part_of is not None:
            total = source.column(c.part_of)
            checks.append(
                pair_at_least(
                    c.part_of,
                    c.name,
                    f"「{c.zh}」不大于「{total.zh}」/ {c.name} ≤ {c.part_of}",
                )
            )
        checks += absurd_checks(c)
    return checks


def absurd_checks(c: Column) -> list[Check]:
    """Values beyond any real school or budget (thresholds.ABSURD_*): critical, so they
    block the publish instead of warning."""
    if c.kind == "money":
        top = t.ABSURD_AMOUNT
        return [
            between(
                c.name,
                f"「{c.zh}」绝对值不超过 {top / 1e8:g} 亿元 / |{c.name}| ≤ {top:.0e} yuan "
                "(beyond any school-lunch budget)",
                min_value=-top,
                max_value=top,
                qualifier="absurd",
            )
        ]
    if c.kind == "int" and c.minimum == 0 and c.maximum is None:
        top = t.ABSURD_HEADCOUNT
        return [
            between(
                c.name,
                f"「{c.zh}」不超过 {top:,} / {c.name} ≤ {top:,} (beyond any real school)",
                max_value=top,
                qualifier="absurd",
            )
        ]
    return []


def _known_school(severity: str = WARNING) -> Check:
    return is_true(
        "school_in_registry",
        "学校代码在学校名录中 / school_code is in the school registry "
        "(rows of unknown schools land but are left out of KPIs until the registry has them)",
        severity=severity,
    )


def _known_district() -> Check:
    return is_true(
        "district_in_registry",
        "区县代码在区县名录中 / district_code is in the district list",
        severity=WARNING,
    )


def _suite(
    con: duckdb.DuckDBPyConnection,
    source: str,
    sql: str,
    load_id: int,
    checks: list[Check],
    examples: tuple[str, ...],
    name: str | None = None,
) -> SuiteSpec:
    frame = fetch_frame(con, sql, {"load_id": load_id})
    return SuiteSpec(
        name=name or f"raw.{source}",
        target=f"raw.{source}",
        frame=frame,
        checks=checks,
        examples=examples,
    )


# --- one builder per source ----------------------------------------------------------------


def districts(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["districts"]
    sql = f"""
        with names as (
            select district_name, count(*) as codes_with_name
            from ({current_rows(con, "districts", "district_code, district_name")})
            group by district_name
        )
        select {_batch_columns(src)},
            coalesce(n.codes_with_name, 1) = 1 as district_name_unique
        from {raw_relation(con, "districts")} b
        left join names n on n.district_name = b.district_name
        where b._load_id = $load_id
    """
    checks = [
        *contract_checks(src),
        is_true(
            "district_name_unique",
            "区县名称不与其他区县代码重复 / no other district code carries the same name",
            severity=WARNING,
        ),
    ]
    return [
        _suite(con, "districts", sql, load_id, checks, ("district_code", "district_name", *META))
    ]


def schools(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["schools"]
    sql = f"""
        with reg as ({current_rows(con, "districts", "district_code")})
        select {_batch_columns(src)},
            b.district_code in (select district_code from reg) as district_in_registry,
            case when b.lunch_mode <> 'none' then b.lunch_start_date is not null end
                as lunch_start_date_given
        from {raw_relation(con, "schools")} b
        where b._load_id = $load_id
    """
    checks = [
        *contract_checks(src),
        is_true(
            "lunch_start_date_given",
            "供餐学校填写了供餐开始日期 / lunch_start_date is given when lunch_mode ≠ none",
        ),
        _known_district(),
    ]
    examples = ("school_code", "school_name", "district_code", *META)
    return [_suite(con, "schools", sql, load_id, checks, examples)]


def enrollment(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["enrollment"]
    sql = f"""
        with reg as ({current_rows(con, "schools", "school_code")})
        select {_batch_columns(src)},
            b.school_code in (select school_code from reg) as school_in_registry
        from {raw_relation(con, "enrollment")} b
        where b._load_id = $load_id
    """
    ex = ("school_code", "term", "enrolled", "lunch_need", "after_school_need", *META)
    checks = [
        *contract_checks(src),
        matches("term", TERM_REGEX, "学期格式如 2025-autumn / term looks like 2025-autumn"),
        pair_at_least(
            "enrolled",
            "lunch_need",
            "有就餐需求学生数不超过在校生数 / lunch_need ≤ enrolled",
            examples=ex,
        ),
        pair_at_least(
            "enrolled",
            "after_school_need",
            "有课后服务需求学生数不超过在校生数 / after_school_need ≤ enrolled",
            examples=ex,
        ),
        between(
            "enrolled",
            f"单校在校生数不超过 {t.MAX_ENROLLED_PER_SCHOOL:,} 人 / enrolled ≤ "
            f"{t.MAX_ENROLLED_PER_SCHOOL:,} per school (more is likely a district total)",
            max_value=t.MAX_ENROLLED_PER_SCHOOL,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_size",
        ),
        _known_school(),
    ]
    return [_suite(con, "enrollment", sql, load_id, checks, ex)]


def participation(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["participation"]
    batch_keys = "school_code in (select school_code from batch)"
    sql = f"""
        with batch as (
            select {_batch_columns(src)}, {term_of("b.date")} as term
            from {raw_relation(con, "participation")} b
            where b._load_id = $load_id
        ),
        reg as ({current_rows(con, "schools", "school_code", batch_keys)}),
        enrol as ({current_rows(con, "enrollment", "school_code, term, enrolled", batch_keys)})
        select
            b.school_code, b.date, b.term, b.lunch_students, b.after_school_students,
            e.enrolled,
            {_per_enrolled("b.lunch_students")} as lunch_per_enrolled,
            {_per_enrolled("b.after_school_students")} as after_school_per_enrolled,
            isodow(b.date) as iso_weekday,
            isodow(b.date) in ({", ".join(map(str, t.SCHOOL_WEEKDAYS))})
                or {is_makeup_workday_sql("b.date")} as on_school_weekday,
            not ({in_holiday("b.date")} or {is_public_holiday_sql("b.date")})
                as outside_school_holidays,
            {calendar_knows_year_sql("b.date")} as holiday_calendar_knows_year,
            r.school_code is not null as school_in_registry,
            case when r.school_code is not null then e.school_code is not null end
                as has_enrolment,
            b._file_name, b._sheet, b._row_number
        from batch b
        left join reg r on r.school_code = b.school_code
        left join enrol e on e.school_code = b.school_code and e.term = b.term
    """
    row = ("school_code", "date", *META)
    ratio_ex = ("school_code", "date", "term", "lunch_students", "enrolled", *META)
    as_ex = ("school_code", "date", "term", "after_school_students", "enrolled", *META)
    limit = t.MAX_STUDENTS_PER_ENROLLED
    checks = [
        *contract_checks(src),
        between(
            "lunch_per_enrolled",
            f"就餐人数不超过在校生数×{limit:g} / lunch_students ≤ enrolled × {limit:g}",
            max_value=limit,
            severity=WARNING,
            examples=ratio_ex,
        ),
        between(
            "after_school_per_enrolled",
            f"课后服务人数不超过在校生数×{limit:g} / after_school_students ≤ enrolled × {limit:g}",
            max_value=limit,
            severity=WARNING,
            examples=as_ex,
        ),
        is_true(
            "on_school_weekday",
            "就餐日期为周一至周五或调休上班日 / date is a Monday-Friday or an official make-up "
            "working day (调休上班日)",
            severity=WARNING,
            examples=("school_code", "date", "iso_weekday", *META),
        ),
        is_true(
            "outside_school_holidays",
            "就餐日期不在寒暑假（1月28日–2月10日、7月16日–8月24日）或法定节假日 / date is "
            "outside the school breaks (28 Jan-10 Feb, 16 Jul-24 Aug) and public holidays",
            severity=WARNING,
        ),
        is_true(
            "holiday_calendar_knows_year",
            "法定节假日日历包含该日期所在年份（否则未检查节假日与调休）/ the public-holiday "
            "calendar knows the date's year (if not, holidays and make-up days went unchecked: "
            "upgrade chinesecalendar or add the year to schoolwh/core/holidays.toml)",
            severity=WARNING,
            examples=("school_code", "date", *META),
        ),
        _known_school(),
        is_true(
            "has_enrolment",
            "该校该学期有在校生数 / the school has an enrolment row for the date's term "
            "(without it the school is left out of share and demand KPIs)",
            severity=WARNING,
            examples=("school_code", "date", "term", *META),
        ),
        aggregate(
            "ExpectColumnMaxToBeBetween",
            "就餐人数不全为 0 / lunch_students are not all zero",
            column="lunch_students",
            min_value=1,
        ),
    ]
    return [
        _suite(con, "participation", sql, load_id, checks, row),
        reporting_share(con, load_id),
    ]


def _per_enrolled(count_sql: str) -> str:
    """count ÷ enrolment; infinite when a school with no enrolment reports students."""
    return f"""(case
        when e.enrolled is null or {count_sql} is null then null
        when e.enrolled = 0 then (case when {count_sql} > 0 then 'inf'::double else 0 end)
        else {count_sql} / cast(e.enrolled as double)
    end)"""


def reporting_share(con: duckdb.DuckDBPyConnection, load_id: int) -> SuiteSpec:
    """Per district covered by the batch: share of its lunch-serving schools reporting."""
    sql = f"""
        with batch as (
            select school_code, max(date) as last_date
            from {raw_relation(con, "participation")}
            where _load_id = $load_id
            group by school_code
        ),
        reg as ({
        current_rows(
            con, "schools", "school_code, district_code, lunch_mode, lunch_start_date, active"
        )
    }),
        names as ({current_rows(con, "districts", "district_code, district_name")}),
        covered as (
            select distinct r.district_code from batch b join reg r using (school_code)
        ),
        serving as (
            select r.district_code, r.school_code
            from reg r
            where coalesce(r.active, true)
              and r.lunch_mode <> 'none'
              and (r.lunch_start_date is null
                   or r.lunch_start_date <= (select max(last_date) from batch))
        )
        select
            c.district_code,
            any_value(n.district_name) as district_name,
            count(s.school_code) as lunch_serving_schools,
            count(b.school_code) as schools_reporting,
            count(b.school_code) / nullif(count(s.school_code), 0) as reporting_share
        from covered c
        left join serving s on s.district_code = c.district_code
        left join batch b on b.school_code = s.school_code
        left join names n on n.district_code = c.district_code
        group by c.district_code
        order by c.district_code
    """
    share = t.MIN_REPORTING_SHARE
    checks = [
        between(
            "reporting_share",
            f"批次覆盖的区县中至少 {share:.0%} 的供餐学校有填报 / at least {share:.0%} of the "
            "lunch-serving schools of each district in the batch reported",
            min_value=share,
            severity=WARNING,
        )
    ]
    examples = ("district_code", "district_name", "schools_reporting", "lunch_serving_schools")
    return _suite(
        con, "participation", sql, load_id, checks, examples, name="raw.participation.reporting"
    )


def budget(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["budget"]
    sql = f"""
        with dist as ({current_rows(con, "districts", "district_code")}),
        reg as ({current_rows(con, "schools", "school_code")})
        select {_batch_columns(src)},
            b.district_code in (select district_code from dist) as district_in_registry,
            case when b.school_code is not null
                then b.school_code in (select school_code from reg) end as school_in_registry,
            year(b.allocated_date) - b.fiscal_year as allocation_year_offset
        from {raw_relation(con, "budget")} b
        where b._load_id = $load_id
    """
    ex = ("budget_id", "fiscal_year", "district_code", "school_code", "amount", *META)
    off = t.MAX_ALLOCATION_YEAR_OFFSET
    checks = [
        *contract_checks(src),
        _known_district(),
        _known_school(),
        between(
            "allocation_year_offset",
            f"下达日期与预算年度相差不超过 {off} 年 / allocated_date within {off} year of "
            "fiscal_year",
            min_value=-off,
            max_value=off,
            severity=WARNING,
            examples=("budget_id", "fiscal_year", "allocated_date", *META),
        ),
    ]
    return [_suite(con, "budget", sql, load_id, checks, ex)]


def expenditure(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["expenditure"]
    sql = f"""
        with dist as ({current_rows(con, "districts", "district_code")}),
        reg as ({current_rows(con, "schools", "school_code")})
        select {_batch_columns(src)},
            b.district_code in (select district_code from dist) as district_in_registry,
            case when b.school_code is not null
                then b.school_code in (select school_code from reg) end as school_in_registry
        from {raw_relation(con, "expenditure")} b
        where b._load_id = $load_id
    """
    ex = ("expenditure_id", "date", "district_code", "school_code", "amount", *META)
    checks = [*contract_checks(src), _known_district(), _known_school()]
    return [_suite(con, "expenditure", sql, load_id, checks, ex)]


def spending_against_budget(con: duckdb.DuckDBPyConnection, load_id: int) -> SuiteSpec:
    """Per district × fiscal year touched by the batch: current spending ÷ current budget."""
    sql = f"""
        with touched as (
            select distinct district_code, year(date) as fiscal_year
            from {raw_relation(con, "expenditure")} where _load_id = $load_id
            union
            select distinct district_code, fiscal_year
            from {raw_relation(con, "budget")} where _load_id = $load_id
        ),
        spent as (
            select district_code, year(date) as fiscal_year, sum(amount) as spent
            from ({current_rows(con, "expenditure", "district_code, date, amount")})
            group by all
        ),
        budgeted as (
            select district_code, fiscal_year, sum(amount) as budget
            from ({current_rows(con, "budget", "district_code, fiscal_year, amount")})
            group by all
        ),
        names as ({current_rows(con, "districts", "district_code, district_name")})
        select
            t.district_code, n.district_name, t.fiscal_year,
            cast(coalesce(s.spent, 0) as double) as spent,
            cast(b.budget as double) as budget,
            case when b.budget > 0 then cast(coalesce(s.spent, 0) as double) / cast(b.budget as double)
            end as spent_per_budget,
            case when coalesce(s.spent, 0) > 0 then b.budget is not null end as has_budget
        from touched t
        left join spent s using (district_code, fiscal_year)
        left join budgeted b using (district_code, fiscal_year)
        left join names n using (district_code)
        where t.district_code is not null and t.fiscal_year is not null
        order by t.district_code, t.fiscal_year
    """
    limit = 1.0 + t.SPENDING_OVER_BUDGET_MARGIN
    margin = t.SPENDING_OVER_BUDGET_MARGIN
    checks = [
        between(
            "spent_per_budget",
            f"区县年度支出不超过预算的 {limit:.0%} / a district's spending in a fiscal year is at "
            f"most its budget + {margin:.0%}",
            max_value=limit,
            severity=WARNING,
        ),
        is_true(
            "has_budget",
            "有支出的区县年度已下达预算 / a district-year with spending has a budget",
            severity=WARNING,
        ),
    ]
    examples = ("district_code", "district_name", "fiscal_year", "spent", "budget")
    return SuiteSpec(
        name="raw.expenditure.budget",
        target="raw.expenditure",
        frame=fetch_frame(con, sql, {"load_id": load_id}),
        checks=checks,
        examples=examples,
    )


def survey(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["survey"]
    sql = f"""
        with reg as ({current_rows(con, "schools", "school_code")})
        select {_batch_columns(src)},
            b.school_code in (select school_code from reg) as school_in_registry
        from {raw_relation(con, "survey")} b
        where b._load_id = $load_id
    """
    lo, hi = t.SURVEY_MEAN_RANGE
    checks = [
        *contract_checks(src),
        aggregate(
            "ExpectColumnMeanToBeBetween",
            f"总体满意度均值在 {lo:g}–{hi:g} 之间 / mean overall score between {lo:g} and {hi:g} "
            "(a lower mean suggests a reversed or different scale)",
            column="overall",
            min_value=lo,
            max_value=hi,
        ),
        _known_school(),
    ]
    ex = ("response_id", "school_code", "date", "overall", *META)
    return [_suite(con, "survey", sql, load_id, checks, ex)]


def issues(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["issues"]
    sql = f"""
        with reg as ({current_rows(con, "schools", "school_code")})
        select {_batch_columns(src)},
            b.school_code in (select school_code from reg) as school_in_registry,
            (b.status = 'closed') = (b.closed_date is not null) as closed_date_matches_status,
            date_diff('day', b.found_date, b.closed_date) as days_to_close
        from {raw_relation(con, "issues")} b
        where b._load_id = $load_id
    """
    ex = ("issue_id", "school_code", "found_date", "deadline", "status", "closed_date", *META)
    checks = [
        *contract_checks(src),
        pair_at_least(
            "deadline",
            "found_date",
            "整改期限不早于发现日期 / deadline ≥ found_date",
            examples=ex,
        ),
        pair_at_least(
            "closed_date",
            "found_date",
            "整改完成日期不早于发现日期 / closed_date ≥ found_date",
            examples=ex,
        ),
        is_true(
            "closed_date_matches_status",
            "已整改的问题有完成日期，其他没有 / closed_date is filled exactly when status = closed",
            examples=ex,
        ),
        between(
            "days_to_close",
            f"整改用时不超过 {t.MAX_DAYS_TO_CLOSE} 天 / closed within {t.MAX_DAYS_TO_CLOSE} days "
            "of being found (more is usually a wrong year)",
            max_value=t.MAX_DAYS_TO_CLOSE,
            severity=WARNING,
            examples=(*ex, "days_to_close"),
        ),
        _known_school(),
    ]
    return [_suite(con, "issues", sql, load_id, checks, ex)]


# --- supervision (docs/contract.md#meal_companions and the sources after it) ----------------

_KITCHEN_MODES = "(" + ", ".join(f"'{m}'" for m in KITCHEN_MODES) + ")"


def _school_facts(con: duckdb.DuckDBPyConnection, source: str, extra: str = "") -> str:
    """The batch of a source of school facts with the school's registry row (`r`)."""
    src = SOURCES[source]
    batch_keys = "school_code in (select school_code from batch)"
    return f"""
        with batch as (
            select {_batch_columns(src)} from {raw_relation(con, source)} b
            where b._load_id = $load_id
        ),
        reg as ({current_rows(con, "schools", "school_code, lunch_mode", batch_keys)})
        {extra}
    """


def _kitchen_school() -> Check:
    return is_true(
        "kitchen_school",
        "学校为自办食堂或中央厨房学校 / the school cooks (lunch_mode self_run or "
        "central_kitchen): a catering school has no kitchen to watch",
        severity=WARNING,
    )


def meal_companions(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["meal_companions"]
    # the participation days of the batch's schools in the batch's months (both key columns)
    batch_keys = (
        "school_code in (select school_code from batch) and date between "
        "(select date_trunc('month', min(date)) from batch) and "
        "(select last_day(max(date)) from batch)"
    )
    days = current_rows(con, "participation", "school_code, date, lunch_students", batch_keys)
    sql = _school_facts(
        con,
        "meal_companions",
        f""",
        days as ({days}),
        reported as (
            select distinct school_code, date_trunc('month', date) as month from days
        )
        select b.*,
            r.school_code is not null as school_in_registry,
            case when m.school_code is not null then coalesce(d.lunch_students, 0) > 0 end
                as on_serving_day
        from batch b
        left join reg r on r.school_code = b.school_code
        left join days d on d.school_code = b.school_code and d.date = b.date
        left join reported m
            on m.school_code = b.school_code and m.month = date_trunc('month', b.date)
        """,
    )
    ex = ("record_id", "school_code", "date", "role", *META)
    checks = [
        *contract_checks(src),
        _known_school(),
        is_true(
            "on_serving_day",
            "陪餐日期为该校供餐日（当日就餐人数大于 0）/ the date is a serving day of the school "
            "(its participation row has lunch_students > 0; checked where the school reported "
            "that month)",
            severity=WARNING,
            examples=ex,
        ),
    ]
    return [_suite(con, "meal_companions", sql, load_id, checks, ex)]


def menus(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["menus"]
    sql = _school_facts(
        con,
        "menus",
        """
        select b.*,
            r.school_code is not null as school_in_registry,
            case when r.school_code is not null then r.lunch_mode <> 'none' end
                as school_serves_lunch
        from batch b
        left join reg r on r.school_code = b.school_code
        """,
    )
    ex = ("school_code", "date", "dishes", "price", *META)
    lo, hi = t.MENU_PRICE_RANGE
    checks = [
        *contract_checks(src),
        _known_school(),
        is_true(
            "school_serves_lunch",
            "有食谱的学校提供午餐 / a school with a menu serves lunch (lunch_mode ≠ none)",
            severity=WARNING,
            examples=ex,
        ),
        between(
            "price",
            f"每餐价格在 {lo:g}–{hi:g} 元之间 / price per meal between {lo:g} and {hi:g} yuan "
            "(else a monthly fee or another unit)",
            min_value=lo,
            max_value=hi,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_price",
        ),
        between(
            "dishes",
            f"菜品数不超过 {t.MAX_DISHES} / dishes ≤ {t.MAX_DISHES} (more is a week on one row)",
            max_value=t.MAX_DISHES,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_dishes",
        ),
    ]
    return [_suite(con, "menus", sql, load_id, checks, ex)]


def kitchen_cameras(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["kitchen_cameras"]
    sql = _school_facts(
        con,
        "kitchen_cameras",
        f"""
        select b.*,
            r.school_code is not null as school_in_registry,
            case when r.school_code is not null then r.lunch_mode in {_KITCHEN_MODES} end
                as kitchen_school
        from batch b
        left join reg r on r.school_code = b.school_code
        """,
    )
    ex = ("school_code", "date", "cameras", "online", *META)
    top = t.MAX_CAMERAS_PER_SCHOOL
    checks = [
        *contract_checks(src),
        _known_school(),
        _kitchen_school(),
        between(
            "cameras",
            f"单校摄像头数不超过 {top} / cameras ≤ {top} per school (more is a district total)",
            max_value=top,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_size",
        ),
    ]
    return [_suite(con, "kitchen_cameras", sql, load_id, checks, ex)]


def canteen_checks(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["canteen_checks"]
    sql = _school_facts(
        con,
        "canteen_checks",
        """
        select b.*,
            r.school_code is not null as school_in_registry,
            case when r.school_code is not null then r.lunch_mode <> 'none' end
                as school_serves_lunch
        from batch b
        left join reg r on r.school_code = b.school_code
        """,
    )
    ex = ("check_id", "school_code", "date", "kind", "result", *META)
    checks = [
        *contract_checks(src),
        _known_school(),
        is_true(
            "school_serves_lunch",
            "被检查的学校提供午餐 / a checked school serves lunch (lunch_mode ≠ none)",
            severity=WARNING,
            examples=ex,
        ),
    ]
    return [_suite(con, "canteen_checks", sql, load_id, checks, ex)]


def suppliers(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["suppliers"]
    sql = f"""
        with dist as ({current_rows(con, "districts", "district_code")}),
        names as (
            select supplier_name, count(*) as ids_with_name
            from ({current_rows(con, "suppliers", "supplier_id, supplier_name")})
            group by supplier_name
        )
        select {_batch_columns(src)},
            case when b.district_code is not null
                then b.district_code in (select district_code from dist) end
                as district_in_registry,
            coalesce(n.ids_with_name, 1) = 1 as supplier_name_unique
        from {raw_relation(con, "suppliers")} b
        left join names n on n.supplier_name = b.supplier_name
        where b._load_id = $load_id
    """
    ex = ("supplier_id", "supplier_name", "district_code", "admitted_date", "exited_date", *META)
    checks = [
        *contract_checks(src),
        pair_at_least(
            "exited_date",
            "admitted_date",
            "清退日期不早于准入日期 / exited_date ≥ admitted_date",
            examples=ex,
        ),
        _known_district(),
        is_true(
            "supplier_name_unique",
            "供应商名称不与其他供应商编号重复 / no other supplier_id carries the same name "
            "(one company under two codes counts twice)",
            severity=WARNING,
            examples=ex,
        ),
    ]
    return [_suite(con, "suppliers", sql, load_id, checks, ex)]


def deliveries(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["deliveries"]
    supplier_keys = "supplier_id in (select supplier_id from batch)"
    registry = current_rows(
        con, "suppliers", "supplier_id, admitted_date, exited_date", supplier_keys
    )
    sql = _school_facts(
        con,
        "deliveries",
        f""",
        sup as ({registry})
        select b.*,
            r.school_code is not null as school_in_registry,
            s.supplier_id is not null as supplier_in_registry,
            case when s.supplier_id is not null then
                s.admitted_date <= b.date and (s.exited_date is null or b.date < s.exited_date)
            end as supplier_active_on_date
        from batch b
        left join reg r on r.school_code = b.school_code
        left join sup s on s.supplier_id = b.supplier_id
        """,
    )
    ex = ("delivery_id", "school_code", "date", "supplier_id", "category", "amount", *META)
    top = t.MAX_DELIVERY_AMOUNT
    checks = [
        *contract_checks(src),
        _known_school(),
        is_true(
            "supplier_in_registry",
            "供应商在供应商名录中 / the supplier is in the supplier registry (a delivery from "
            "a supplier the registry lacks lands and counts as not certified)",
            severity=WARNING,
            examples=ex,
        ),
        is_true(
            "supplier_active_on_date",
            "配送日期在供应商准入之后、清退之前 / the delivery date lies between the supplier's "
            "admission and its exit (otherwise it counts as not certified)",
            severity=WARNING,
            examples=ex,
        ),
        between(
            "amount",
            f"单笔配送金额不超过 {top:,} 元 / one delivery ≤ {top:,} yuan (more is usually a "
            "unit mistake)",
            max_value=top,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_amount",
        ),
    ]
    return [_suite(con, "deliveries", sql, load_id, checks, ex)]


def training(con: duckdb.DuckDBPyConnection, load_id: int) -> list[SuiteSpec]:
    src = SOURCES["training"]
    sql = f"""
        with dist as ({current_rows(con, "districts", "district_code")})
        select {_batch_columns(src)},
            b.district_code in (select district_code from dist) as district_in_registry
        from {raw_relation(con, "training")} b
        where b._load_id = $load_id
    """
    ex = ("training_id", "date", "district_code", "person_times", *META)
    top = t.MAX_TRAINING_PERSON_TIMES
    checks = [
        *contract_checks(src),
        _known_district(),
        between(
            "person_times",
            f"单期培训人次不超过 {top:,} / person_times ≤ {top:,} per session (more is a "
            "year's total)",
            max_value=top,
            severity=WARNING,
            examples=ex,
            qualifier="plausible_size",
        ),
    ]
    return [_suite(con, "training", sql, load_id, checks, ex)]


BUILDERS: dict[str, Callable[[duckdb.DuckDBPyConnection, int], list[SuiteSpec]]] = {
    "districts": districts,
    "schools": schools,
    "enrollment": enrollment,
    "participation": participation,
    "budget": budget,
    "expenditure": expenditure,
    "survey": survey,
    "issues": issues,
    "meal_companions": meal_companions,
    "menus": menus,
    "kitchen_cameras": kitchen_cameras,
    "canteen_checks": canteen_checks,
    "suppliers": suppliers,
    "deliveries": deliveries,
    "training": training,
}
