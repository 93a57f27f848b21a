{#
    What: every KPI x period of kpi_overall has a row for every district of dim_district
    (a district without data shows as no_data instead of vanishing, docs/kpis.md#which-rows-exist).
    When it matters: a missing row hides a gap on the dashboard's district map.
    How to resolve: check the spine in int_kpis_evaluated.
#}

with

kpi_periods as (

    select
        kpi,
        period_type,
        period
    from {{ ref('kpi_overall') }}

),

districts as (

    select district_code from {{ ref('dim_district') }}

),

expected as (

    select
        districts.district_code,
        kpi_periods.kpi,
        kpi_periods.period_type,
        kpi_periods.period
    from kpi_periods
    cross join districts

),

final as (

    select expected.*
    from expected
    left join {{ ref('kpi_district') }} as actual
        on expected.district_code = actual.district_code
        and expected.kpi = actual.kpi
        and expected.period_type = actual.period_type
        and expected.period = actual.period
    where actual.kpi is null

)

select * from final
