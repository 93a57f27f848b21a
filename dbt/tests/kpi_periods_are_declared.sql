{#
    What: every KPI row's period type is one the kpi_definitions seed declares for that
    KPI (its `periods` column, e.g. term|month), and every KPI of the seed that has rows
    uses only those.
    When it matters: a KPI at a period type docs/kpis.md does not define (e.g. coverage by
    month) would reach the dashboard unnoticed.
    How to resolve: fix the component model in intermediate/, or the seed if docs/kpis.md#the-kpis changed.
#}

with

kpis as (

    select distinct
        kpi,
        period_type
    from {{ ref('kpi_overall') }}

),

definitions as (

    select
        kpi,
        periods
    from {{ ref('kpi_definitions') }}

),

final as (

    select
        kpis.kpi,
        kpis.period_type,
        definitions.periods
    from kpis
    left join definitions
        on kpis.kpi = definitions.kpi
    where definitions.kpi is null
        or {{ dbt.position(
            dbt.concat(["'|'", "kpis.period_type", "'|'"]),
            dbt.concat(["'|'", "definitions.periods", "'|'"]),
        ) }} = 0

)

select * from final
