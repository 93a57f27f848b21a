"""Suites on the built marts, run after `dbt build` and before the publish.

dbt owns keys and relationships: unique and filled keys, known KPIs and districts,
accepted statuses and period types, overall = Σ districts
(dbt/tests/kpi_overall_equals_district_sums.sql), a row for every district
(dbt/tests/kpi_rows_cover_every_district.sql), the status rule (unit tests of
int_kpis_evaluated) and build_info's single row. These suites check what dbt does not:
that the published figures are plausible.

The KPI tables are small (districts × periods × KPIs), so each suite reads its whole
table. What a KPI's value can be comes from the warehouse's `marts.kpi_definitions`
(the seed's `value_kind`): derived columns put each rule on one column GX can check, e.g.
`true_ratio_value` holds `value` only for proportions, so one between-0-and-1
expectation covers exactly them.

A fresh warehouse holding only registry data may have no marts, or empty ones: that is
reported as a warning, never an error.
"""

from __future__ import annotations

import duckdb

from expectations import thresholds as t
from expectations.spec import CRITICAL, WARNING, SuiteSpec, between, is_true, not_null
from expectations.sql import fetch_frame, relation_columns, relation_exists
from schoolwh.core.audit import CheckResult

STAGE = "marts"

PERIOD_REGEX = {
    "term": r"\d{4}-(autumn|spring)",
    "month": r"\d{4}-(0[1-9]|1[0-2])",
    "year": r"\d{4}",
}
KPI_TABLES = ("kpi_district", "kpi_overall")
# dbt publishes every KPI figure rounded to 6 decimals (macros/kpi_rules.sql kpi_round):
# a value and its numerator / denominator each carry up to half a unit of the last digit.
ROUNDING_TOLERANCE = 1e-6


def _close(a: str, b: str) -> str:
    """SQL: a and b equal within the rounding of the marts and the float tolerances."""
    return (
        f"abs(({a}) - ({b})) <= {ROUNDING_TOLERANCE} + {t.ABS_TOLERANCE} "
        f"+ {t.REL_TOLERANCE} * greatest(abs({a}), abs({b}))"
    )


def _kpi_sql(table: str, district: bool) -> str:
    key = "k.district_code, " if district else ""
    period_ok = " ".join(
        f"when '{ptype}' then regexp_full_match(k.period, '{rx}')"
        for ptype, rx in PERIOD_REGEX.items()
    )
    btol = t.ABS_TOLERANCE  # an interval of 37/37 ends at 1 + 2e-16 in floating point
    return f"""
        select
            {key}k.period_type, k.period, k.kpi,
            cast(k.numerator as double) as numerator,
            cast(k.denominator as double) as denominator,
            cast(k.value as double) as value,
            cast(k.target as double) as target,
            k.status,
            d.value_kind,
            case when d.value_kind = 'proportion' then k.value end as true_ratio_value,
            case when d.value_kind = 'share' then k.value end as share_ratio_value,
            case when d.value_kind = 'execution' then k.value end as budget_execution_value,
            case when d.value_kind = 'days' then k.value end as median_days_value,
            case when d.value_kind = 'count' then k.value end as count_value,
            case when d.value_kind <> 'execution' then cast(k.numerator as double) end
                as count_numerator,
            case
                when d.value_kind is null or d.value_kind = 'days' then null
                when d.value_kind = 'count' then
                    k.denominator is null and k.value is not null
                    and {_close("k.value", "k.numerator")}
                when k.denominator is null or k.denominator = 0 then k.value is null
                when k.numerator is null then k.value is null
                else k.value is not null and {_close("k.value", "k.numerator / k.denominator")}
            end as value_is_numerator_over_denominator,
            case k.period_type {period_ok} end as period_well_formed,
            cast(k.ci_lower as double) as ci_lower,
            cast(k.ci_upper as double) as ci_upper,
            case when d.interval_method is not null and k.value is not null then
                k.ci_lower is not null and k.ci_upper is not null
                and -{btol} <= k.ci_lower and k.ci_lower <= k.value + {btol}
                and k.value <= k.ci_upper + {btol} and k.ci_upper <= 1 + {btol}
            end as interval_ordered
        from {table} k
        left join marts.kpi_definitions d on d.kpi = k.kpi
    """


def kpi_suite(con: duckdb.DuckDBPyConnection, name: str) -> SuiteSpec:
    """The suite of marts.kpi_district or marts.kpi_overall."""
    district = name == "kpi_district"
    table = f"marts.{name}"
    frame = fetch_frame(con, _kpi_sql(table, district))
    keys = (
        ["district_code", "period_type", "period", "kpi"]
        if district
        else ["period_type", "period", "kpi"]
    )
    ex = (*keys, "value", "numerator", "denominator", "target", "status")
    checks = [
        is_true(
            "period_well_formed",
            "周期格式与类型一致（2025-autumn、2025-09、2025）/ period matches its period_type",
            examples=ex,
        ),
        between(
            "true_ratio_value",
            "覆盖率、满意率、整改率、完整率等比例在 0–1 之间 / proportions (value_kind "
            "proportion: coverage, satisfaction, closure, on-time, completeness) lie in [0, 1]",
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
            "count_value",
            "培训人次等计数不为负 / counts (value_kind count, e.g. training person-times) ≥ 0",
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
            "指标值 = 分子 ÷ 分母，分母为 0 或缺失时为空；计数指标的值 = 分子、无分母 / "
            "value = numerator ÷ denominator, null when the denominator is 0 or absent; a "
            "count's value = its numerator, without a denominator",
            examples=ex,
        ),
        is_true(
            "interval_ordered",
            "满意率的 Wilson 区间有序：0 ≤ 下限 ≤ 值 ≤ 上限 ≤ 1 / satisfaction Wilson "
            "interval is ordered: 0 ≤ lower ≤ value ≤ upper ≤ 1",
            examples=(*ex, "ci_lower", "ci_upper"),
        ),
    ]
    return SuiteSpec(name=table, target=table, frame=frame, checks=checks, examples=ex)


def build_info_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    frame = fetch_frame(con, "select * from marts.build_info")
    checks = [
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


# Contract columns (docs/contract.md#outputs) each mart must have before its suite can run.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpi_definitions": ("kpi", "value_kind", "interval_method"),
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
        "ci_lower",
        "ci_upper",
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
        "ci_lower",
        "ci_upper",
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
    for table in KPI_TABLES:
        if table in usable and "kpi_definitions" in usable:
            specs.append(kpi_suite(con, table))
    if "build_info" in usable:
        specs.append(build_info_suite(con))
    return specs, notes
