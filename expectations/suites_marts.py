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
from expectations.sql import relation_columns, relation_exists
from schoolwh.audit import CheckResult

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
    return (
        f"abs(({a}) - ({b})) <= {t.ABS_TOLERANCE} + {t.REL_TOLERANCE} * greatest(abs({a}), abs({b}))"
    )


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


def _kpi_sql(
    table: str, district: bool, bounds: tuple[str, str] | None, has_dim: bool
) -> str:
    key = "district_code, " if district else ""
    period_ok = " ".join(
        f"when '{ptype}' then regexp_full_match(k.period, '{rx}')"
        for ptype, rx in PERIOD_REGEX.items()
    )
    hib = _sql_list(HIGHER_IS_BETTER_KPIS)
    tol = f"{t.ABS_TOLERANCE} + {t.REL_TOLERANCE} * abs(k.target)"
    if bounds:
        lo, hi = bounds
        bounds_sql = f""",
            cast(k.{lo} as double) as value_lower_bound,
            cast(k.{hi} as double) as value_upper_bound,
            case when k.kpi = 'satisfaction_rate' and k.value is not null then
                k.{lo} is not null and k.{hi} is not null
                and 0 <= k.{lo} and k.{lo} <= k.value + {t.ABS_TOLERANCE}
                and k.value <= k.{hi} + {t.ABS_TOLERANCE} and k.{hi} <= 1
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


def kpi_suite(con: duckdb.DuckDBPyConnection, name: str) -> tuple[SuiteSpec, list[CheckResult]]:
    """The suite of marts.kpi_district or marts.kpi_overall, and notes about it."""
    district = name == "kpi_district"
    table = f"marts.{name}"
    notes: list[CheckResult] = []
    columns = relation_columns(con, "marts", name)
    bounds = bound_columns(columns)
    has_dim = relation_exists(con, "marts", "dim_district")
    frame = con.execute(_kpi_sql(table, district, bounds, has_dim)).df()
    keys = ["district_code", "period_type", "period", "kpi"] if district else ["period_type", "period", "kpi"]
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
    if district and has_dim:
        checks.append(
            is_true(
                "district_in_dim",
                "区县在 dim_district 中 / district_code is in marts.dim_district",
                severity=WARNING,
                examples=ex,
            )
        )
    return SuiteSpec(name=f"marts.{name}", target=table, frame=frame, checks=checks, examples=ex), notes
