{{ config(materialized='table') }}

{#
    KPI rows with targets and statuses, for both scopes.
    Spine: for every KPI x period in which the jurisdiction has data of that KPI's kind
    (an 'overall' component row), one overall row and one row per district (the
    registry's districts plus any district named by the data), so that a district
    without data shows as no_data instead of vanishing.
    Targets and near bands come from the kpi_definitions seed; a 'year_to_date' target
    (budget_execution) is prorated for a month: target x months elapsed / 12.
    Every figure is rounded once (kpi_round, 6 decimals) before the status is taken, so
    the status always agrees with the value shown and the same inputs give the same digits.
#}

with

components as (

    select * from {{ ref('int_kpis_unioned') }}

),

definitions as (

    select * from {{ ref('kpi_definitions') }}

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}

),

kpi_periods as (

    select
        kpi,
        period_type,
        period
    from components
    where scope = 'overall'

),

districts as (

    select district_code from registered_districts
    union
    select district_code from components
    where scope = 'district' and district_code is not null

),

spine as (

    select
        'overall' as scope,
        cast(null as {{ dbt.type_string() }}) as district_code,
        kpi,
        period_type,
        period
    from kpi_periods
    union all
    select
        'district' as scope,
        districts.district_code,
        kpi_periods.kpi,
        kpi_periods.period_type,
        kpi_periods.period
    from kpi_periods
    cross join districts

),

joined as (

    select
        spine.scope,
        spine.district_code,
        spine.period_type,
        spine.period,
        spine.kpi,
        components.numerator,
        components.denominator,
        components.value,
        components.sample_size,
        definitions.name_zh as kpi_name_zh,
        definitions.name_en as kpi_name_en,
        definitions.unit,
        definitions.direction,
        definitions.near_band,
        definitions.min_sample,
        definitions.interval_method,
        definitions.sort_order as kpi_sort_order,
        case
            when definitions.target_basis = 'year_to_date' and spine.period_type = 'month'
                then definitions.target * calendar.months_elapsed / 12.0
            else definitions.target
        end as target,
        calendar.period_start_date,
        calendar.period_end_date
    from spine
    inner join definitions
        on spine.kpi = definitions.kpi
    left join calendar
        on spine.period_type = calendar.period_type
        and spine.period = calendar.period
    left join components
        on spine.scope = components.scope
        and spine.kpi = components.kpi
        and spine.period_type = components.period_type
        and spine.period = components.period
        -- overall rows have no district: compare codes with NULL as '' (a hash join)
        and coalesce(spine.district_code, '') = coalesce(components.district_code, '')

),

rounded as (

    select
        scope,
        district_code,
        period_type,
        period,
        kpi,
        {{ kpi_round('numerator') }} as numerator,
        {{ kpi_round('denominator') }} as denominator,
        {{ kpi_round('value') }} as value,
        {{ kpi_round('target') }} as target,
        case
            when interval_method = 'wilson' then {{ kpi_round(wilson_bound('numerator', 'denominator', 'lower')) }}
        end as ci_lower,
        case
            when interval_method = 'wilson' then {{ kpi_round(wilson_bound('numerator', 'denominator', 'upper')) }}
        end as ci_upper,
        sample_size,
        min_sample,
        kpi_name_zh,
        kpi_name_en,
        unit,
        direction,
        near_band,
        kpi_sort_order,
        period_start_date,
        period_end_date
    from joined

),

final as (

    select
        scope,
        district_code,
        period_type,
        period,
        kpi,
        numerator,
        denominator,
        value,
        target,
        {{ kpi_status('value', 'target', 'near_band', 'direction', 'sample_size', 'min_sample') }} as status,
        kpi_name_zh,
        kpi_name_en,
        unit,
        direction,
        cast(near_band as double) as near_band,
        ci_lower,
        ci_upper,
        sample_size as responses,
        kpi_sort_order,
        period_start_date,
        period_end_date
    from rounded

)

select * from final
