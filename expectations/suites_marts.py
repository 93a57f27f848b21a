"""Suites on the built marts, run after `dbt build` and before the publish.

The KPI tables are small (districts × periods × KPIs), so each suite reads its whole
table. Derived columns computed in DuckDB put each rule on one column GX can check:
e.g. `true_ratio_value` holds `value` only for KPIs that are true ratios, so one
between-0-and-1 expectation covers exactly them.

A fresh warehouse holding only registry data may have no marts, or empty ones: that is
reported as a warning, never an error.
"""

from __future__ import annotations

import re

import duckdb

from expectations import thresholds as t
from expectations.spec import (
    CRITICAL,
    WARNING,
    SuiteSpec,
    aggregate,
    between,
    in_set,
    is_true,
    not_null,
    unique,
)
from expectations.sql import fetch_frame, relation_columns, relation_exists
from schoolwh.core.audit import CheckResult

STAGE = "marts"

# KPI ids of kpis.md. A true ratio counts a subset of its denominator: it cannot leave [0, 1].
TRUE_RATIO_KPIS = (
    "lunch_coverage",
    "after_school_coverage",
    "satisfaction_rate",
    "issue_closure_rate",
    "issue_on_time_rate",
    "reporting_completeness",
)
# Average daily head counts over a once-a-term enrolment or need count: may pass 1 a little.
SOFT_RATIO_KPIS = (
    "eating_share",
    "lunch_demand_met",
    "after_school_share",
    "after_school_demand_met",
)
BUDGET_KPI = "budget_execution"
MEDIAN_KPI = "median_days_to_close"  # a number of days, no numerator or denominator
KNOWN_KPIS = (*TRUE_RATIO_KPIS, *SOFT_RATIO_KPIS, BUDGET_KPI, MEDIAN_KPI)
# Every KPI with a target is higher-is-better (kpis.md); the median has no target.
HIGHER_IS_BETTER_KPIS = (*TRUE_RATIO_KPIS, *SOFT_RATIO_KPIS, BUDGET_KPI)

STATUSES = ("met", "near", "missed", "no_data", "insufficient_sample")
PERIOD_TYPES = ("term", "month", "year")
PERIOD_REGEX = {
    "term": r"\d{4}-(autumn|spring)",
    "month": r"\d{4}-(0[1-9]|1[0-2])",
    "year": r"\d{4}",
}
KPI_TABLES = ("kpi_district", "kpi_overall")
# Interval bound columns of satisfaction_rate: the first lower/upper pair found is checked.
LOWER_BOUND = re.compile(r"^(?P<stem>.*?)(lower|low|lo)(?P<tail>(_bound)?)$")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _close(a: str, b: str) -> str:
    """SQL: a and b equal within the float tolerances of thresholds.py."""
    return f"abs(({a}) - ({b})) <= {t.ABS_TOLERANCE} + {t.REL_TOLERANCE} * greatest(abs({a}), abs({b}))"


def bound_columns(columns: list[str]) -> tuple[str, str] | None:
    """The (lower, upper) interval columns of a KPI table, e.g. value_lower / value_upper."""
    names = set(columns)
    for col in columns:
        m = LOWER_BOUND.match(col)
        if not m:
            continue
        for upper in ("upper", "high", "hi", "up"):
            partner = f"{m['stem']}{upper}{m['tail']}"
            if partner in names:
                return col, partner
    return None


def _kpi_sql(table: str, district: bool, bounds: tuple[str, str] | None, has_dim: bool) -> str:
    key = "district_code, " if district else ""
    period_ok = " ".join(
        f"when '{ptype}' then regexp_full_match(k.period, '{rx}')"
        for ptype, rx in PERIOD_REGEX.items()
    )
    hib = _sql_list(HIGHER_IS_BETTER_KPIS)
    tol = f"{t.ABS_TOLERANCE} + {t.REL_TOLERANCE} * abs(k.target)"
    if bounds:
        lo, hi = bounds
        btol = t.ABS_TOLERANCE  # an interval of 37/37 ends at 1 + 2e-16 in floating point
        bounds_sql = f""",
            cast(k.{lo} as double) as value_lower_bound,
            cast(k.{hi} as double) as value_upper_bound,
            case when k.kpi = 'satisfaction_rate' and k.value is not null then
                k.{lo} is not null and k.{hi} is not null
                and -{btol} <= k.{lo} and k.{lo} <= k.value + {btol}
                and k.value <= k.{hi} + {btol} and k.{hi} <= 1 + {btol}
            end as interval_ordered"""
    else:
        bounds_sql = ""
    district_sql = (
        ", k.district_code in (select district_code from marts.dim_district) as district_in_dim"
        if district and has_dim
        else ""
    )
    return f"""
        select
            {key}k.period_type, k.period, k.kpi,
            cast(k.numerator as double) as numerator,
            cast(k.denominator as double) as denominator,
            cast(k.value as double) as value,
            cast(k.target as double) as target,
            k.status,
            case when k.kpi in ({_sql_list(TRUE_RATIO_KPIS)}) then k.value end
                as true_ratio_value,
            case when k.kpi in ({_sql_list(SOFT_RATIO_KPIS)}) then k.value end
                as share_ratio_value,
            case when k.kpi = '{BUDGET_KPI}' then k.value end as budget_execution_value,
            case when k.kpi = '{MEDIAN_KPI}' then k.value end as median_days_value,
            case when k.kpi <> '{BUDGET_KPI}' then cast(k.numerator as double) end
                as count_numerator,
            case
                when k.kpi = '{MEDIAN_KPI}' or k.kpi not in ({_sql_list(KNOWN_KPIS)}) then null
                when k.denominator is null or k.denominator = 0 then k.value is null
                when k.numerator is null then k.value is null
                else k.value is not null and {_close("k.value", "k.numerator / k.denominator")}
            end as value_is_numerator_over_denominator,
            case
                when k.status is not null and k.status not in ({_sql_list(STATUSES)}) then null
                when k.target is null then k.status is null
                when k.status is null then false
                when k.value is null then k.status = 'no_data'
                when k.status = 'no_data' then false
                when k.kpi in ({hib}) and k.status = 'met' then k.value >= k.target - ({tol})
                when k.kpi in ({hib}) and k.status in ('near', 'missed')
                    then k.value < k.target + ({tol})
                else true
            end as status_agrees_with_value,
            case k.period_type {period_ok} end as period_well_formed
            {bounds_sql}
            {district_sql}
        from {table} k
    """


def _with_district_sums(overall_sql: str) -> str:
    """Adds to kpi_overall's frame the sums of kpi_district's numerators and denominators."""
    additive = _sql_list(tuple(k for k in KNOWN_KPIS if k != MEDIAN_KPI))
    num = _close("coalesce(o.numerator, 0)", "coalesce(d.district_numerator_sum, 0)")
    den = _close("coalesce(o.denominator, 0)", "coalesce(d.district_denominator_sum, 0)")
    return f"""
        with overall as ({overall_sql}),
        districts as (
            select period_type, period, kpi,
                sum(cast(numerator as double)) as district_numerator_sum,
                sum(cast(denominator as double)) as district_denominator_sum
            from marts.kpi_district
            where kpi in ({additive})
            group by period_type, period, kpi
        )
        select o.*, d.district_numerator_sum, d.district_denominator_sum,
            case when d.kpi is not null then ({num}) and ({den}) end
                as overall_is_sum_of_districts
        from overall o
        left join districts d
            on d.period_type = o.period_type and d.period = o.period and d.kpi = o.kpi
    """


def kpi_suite(
    con: duckdb.DuckDBPyConnection, name: str, usable: set[str]
) -> tuple[SuiteSpec, list[CheckResult]]:
    """The suite of marts.kpi_district or marts.kpi_overall, and notes about it.

    `usable` names the marts that exist with their contract columns and rows: the
    cross-table columns (district known, overall = sum of districts) need them.
    """
    district = name == "kpi_district"
    table = f"marts.{name}"
    notes: list[CheckResult] = []
    columns = relation_columns(con, "marts", name)
    bounds = bound_columns(columns)
    has_dim = "dim_district" in usable
    sql = _kpi_sql(table, district, bounds, has_dim)
    sums = not district and "kpi_district" in usable
    if sums:
        sql = _with_district_sums(sql)
    frame = fetch_frame(con, sql)
    keys = (
        ["district_code", "period_type", "period", "kpi"]
        if district
        else ["period_type", "period", "kpi"]
    )
    ex = (*keys, "value", "numerator", "denominator", "target", "status")
    checks = [
        *(not_null(k, f"键列 {k} 不为空 / key column {k} is filled") for k in keys),
        unique(keys, "每个区县×周期×指标只有一行 / one row per " + " × ".join(keys)),
        in_set(
            "period_type",
            PERIOD_TYPES,
            "周期类型为 term / month / year / period_type is term, month or year",
        ),
        is_true(
            "period_well_formed",
            "周期格式与类型一致（2025-autumn、2025-09、2025）/ period matches its period_type",
            examples=ex,
        ),
        in_set(
            "kpi",
            KNOWN_KPIS,
            "指标编号见指标字典 / kpi is an id of kpis.md (an unknown KPI is not range-checked)",
            severity=WARNING,
            examples=ex,
        ),
        in_set(
            "status",
            STATUSES,
            "状态取值合法 / status is met, near, missed, no_data or insufficient_sample",
            examples=ex,
        ),
        between(
            "true_ratio_value",
            "覆盖率、满意率、整改率、完整率在 0–1 之间 / coverage, satisfaction, closure, on-time "
            "and completeness ratios lie in [0, 1]",
            min_value=0,
            max_value=1,
            examples=ex,
        ),
        between(
            "share_ratio_value",
            f"占比与需求满足率不超过 {t.SOFT_RATIO_MAX:g} / share and demand-met KPIs ≤ "
            f"{t.SOFT_RATIO_MAX:g} (average head counts over a once-a-term count)",
            min_value=0,
            max_value=t.SOFT_RATIO_MAX,
            severity=WARNING,
            examples=ex,
        ),
        between(
            "budget_execution_value",
            f"预算执行率不超过 {t.BUDGET_EXECUTION_MAX:.0%} / budget execution ≤ "
            f"{t.BUDGET_EXECUTION_MAX:.0%} (more is over-spending)",
            max_value=t.BUDGET_EXECUTION_MAX,
            severity=WARNING,
            examples=ex,
        ),
        between(
            "median_days_value",
            "整改天数中位数不为负 / median days to close ≥ 0",
            min_value=0,
            examples=ex,
        ),
        between(
            "count_numerator",
            "分子不为负（预算执行率除外）/ numerator ≥ 0 (budget execution may net refunds)",
            min_value=0,
            examples=ex,
        ),
        between("denominator", "分母不为负 / denominator ≥ 0", min_value=0, examples=ex),
        is_true(
            "value_is_numerator_over_denominator",
            "指标值 = 分子 ÷ 分母，分母为 0 或缺失时为空 / value = numerator ÷ denominator, "
            "null when the denominator is 0 or absent",
            examples=ex,
        ),
        is_true(
            "status_agrees_with_value",
            "状态与指标值、目标值一致 / status agrees with value and target (no target → no "
            "status; no value → no_data; met only when value ≥ target)",
            examples=ex,
        ),
    ]
    if bounds:
        checks.append(
            is_true(
                "interval_ordered",
                "满意率的 Wilson 区间有序：0 ≤ 下限 ≤ 值 ≤ 上限 ≤ 1 / satisfaction Wilson "
                "interval is ordered: 0 ≤ lower ≤ value ≤ upper ≤ 1",
                examples=(*ex, "value_lower_bound", "value_upper_bound"),
            )
        )
    else:
        notes.append(
            CheckResult(
                stage=STAGE,
                suite=f"marts.{name}",
                check_name="interval_columns_present",
                target=table,
                success=False,
                severity=WARNING,
                message=(
                    f"{table} 没有满意率区间列，未检查区间 / {table} has no lower/upper interval "
                    f"columns (looked for e.g. value_lower/value_upper among {', '.join(columns)})"
                ),
            )
        )
    if sums:
        checks.append(
            is_true(
                "overall_is_sum_of_districts",
                "全域分子、分母等于各区县之和 / overall numerator and denominator equal the sums "
                "over districts (differs when facts name a district missing from the list)",
                severity=WARNING,
                examples=(
                    *keys,
                    "numerator",
                    "district_numerator_sum",
                    "denominator",
                    "district_denominator_sum",
                ),
            )
        )
    if district and has_dim:
        checks.append(
            is_true(
                "district_in_dim",
                "区县在 dim_district 中 / district_code is in marts.dim_district",
                severity=WARNING,
                examples=ex,
            )
        )
    return SuiteSpec(
        name=f"marts.{name}", target=table, frame=frame, checks=checks, examples=ex
    ), notes


def completeness_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    """Every district of dim_district has a kpi_district row for each period × kpi present."""
    frame = fetch_frame(
        con,
        """
        with combos as (select distinct period_type, period, kpi from marts.kpi_district),
        present as (
            select distinct district_code, period_type, period, kpi from marts.kpi_district
        )
        select d.district_code, d.district_name, c.period_type, c.period, c.kpi,
            p.district_code is not null as district_row_present
        from marts.dim_district d
        cross join combos c
        left join present p
            on p.district_code = d.district_code and p.period_type = c.period_type
            and p.period = c.period and p.kpi = c.kpi
        order by c.kpi, c.period_type, c.period, d.district_code
        """,
    )
    checks = [
        is_true(
            "district_row_present",
            "每个区县在每个周期×指标都有一行（无数据时为 no_data）/ every district of "
            "dim_district has a row for each period × kpi (status no_data when it has no data)",
        )
    ]
    examples = ("district_code", "district_name", "period_type", "period", "kpi")
    return SuiteSpec(
        name="marts.kpi_district.completeness",
        target="marts.kpi_district",
        frame=frame,
        checks=checks,
        examples=examples,
    )


def dim_district_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    frame = fetch_frame(
        con, "select district_code, district_name, district_kind from marts.dim_district"
    )
    checks = [
        not_null("district_code", "区县代码不为空 / district_code is filled"),
        unique(["district_code"], "区县代码唯一 / district_code is unique"),
        not_null("district_name", "区县名称不为空 / district_name is filled", severity=WARNING),
    ]
    return SuiteSpec(
        name="marts.dim_district",
        target="marts.dim_district",
        frame=frame,
        checks=checks,
        examples=("district_code", "district_name"),
    )


def dim_school_suite(con: duckdb.DuckDBPyConnection, has_dim: bool) -> SuiteSpec:
    known = (
        "s.district_code in (select district_code from marts.dim_district)"
        if has_dim
        else "cast(null as boolean)"
    )
    frame = fetch_frame(
        con,
        f"""
        select s.school_code, s.school_name, s.district_code, {known} as district_in_dim
        from marts.dim_school s
        """,
    )
    checks = [
        not_null("school_code", "学校代码不为空 / school_code is filled"),
        unique(["school_code"], "学校代码唯一 / school_code is unique"),
        is_true(
            "district_in_dim",
            "学校所属区县在 dim_district 中 / the school's district is in marts.dim_district",
            severity=WARNING,
        ),
    ]
    return SuiteSpec(
        name="marts.dim_school",
        target="marts.dim_school",
        frame=frame,
        checks=checks,
        examples=("school_code", "school_name", "district_code"),
    )


def build_info_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    frame = fetch_frame(con, "select * from marts.build_info")
    checks = [
        aggregate(
            "ExpectTableRowCountToEqual",
            "build_info 恰有一行 / marts.build_info has exactly one row",
            value=1,
        ),
        not_null(
            "as_of_date",
            "数据截至日期不为空 / as_of_date is set (the dashboard shows 数据截至 …)",
            severity=WARNING,
        ),
    ]
    return SuiteSpec(
        name="marts.build_info",
        target="marts.build_info",
        frame=frame,
        checks=checks,
        examples=("as_of_date",),
    )


# Contract columns (data-contract Part 2) each mart must have before its suite can run.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "dim_district": ("district_code", "district_name", "district_kind"),
    "dim_school": ("school_code", "school_name", "district_code"),
    "kpi_district": (
        "district_code",
        "period_type",
        "period",
        "kpi",
        "numerator",
        "denominator",
        "value",
        "target",
        "status",
    ),
    "kpi_overall": (
        "period_type",
        "period",
        "kpi",
        "numerator",
        "denominator",
        "value",
        "target",
        "status",
    ),
    "build_info": ("as_of_date", "built_at"),
}


def _note(check: str, table: str, success: bool, severity: str, message: str) -> CheckResult:
    return CheckResult(
        stage=STAGE,
        suite=f"marts.{table}",
        check_name=check,
        target=f"marts.{table}",
        success=success,
        severity=severity,
        message=message,
    )


def mart_suites(con: duckdb.DuckDBPyConnection) -> tuple[list[SuiteSpec], list[CheckResult]]:
    """The suites for the marts that exist and have rows, and notes about the others."""
    specs: list[SuiteSpec] = []
    notes: list[CheckResult] = []
    usable: set[str] = set()
    for table, required in CONTRACT_COLUMNS.items():
        if not relation_exists(con, "marts", table):
            notes.append(
                _note(
                    "mart_present",
                    table,
                    False,
                    WARNING,
                    f"marts.{table} 尚未生成（仓库只有名录数据或尚未构建）/ marts.{table} does "
                    "not exist yet (a fresh warehouse with registry data only, or no build)",
                )
            )
            continue
        present = set(relation_columns(con, "marts", table))
        missing = [c for c in required if c not in present]
        if missing:
            notes.append(
                _note(
                    "contract_columns_present",
                    table,
                    False,
                    CRITICAL,
                    f"marts.{table} 缺少约定列 / marts.{table} lacks the contract columns "
                    f"{', '.join(missing)}",
                )
            )
            continue
        rows = con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
        if not rows:
            notes.append(
                _note(
                    "mart_has_rows",
                    table,
                    False,
                    WARNING,
                    f"marts.{table} 为空（尚无相应数据）/ marts.{table} is empty (no data of "
                    "its kind loaded yet)",
                )
            )
            continue
        usable.add(table)
    if "dim_district" in usable:
        specs.append(dim_district_suite(con))
    if "dim_school" in usable:
        specs.append(dim_school_suite(con, "dim_district" in usable))
    for table in KPI_TABLES:
        if table in usable:
            spec, kpi_notes = kpi_suite(con, table, usable)
            specs.append(spec)
            notes.extend(kpi_notes)
    if {"kpi_district", "dim_district"} <= usable:
        specs.append(completeness_suite(con))
    if "build_info" in usable:
        specs.append(build_info_suite(con))
    return specs, notes
