{#
    The supply KPIs per month, term and year, by district and overall
    (docs/kpis.md#supervision), over the bulk-category (大宗食材) deliveries of in-scope
    schools, counted for the district of the school:
      unified_delivery_rate   amount delivered through unified delivery / bulk amount
      certified_supply_rate   amount from a supplier certified and active on the delivery
                              date (int_deliveries_scoped.certified_active; an unknown
                              supplier is not certified) / bulk amount
    The KPIs have rows for the periods in which the jurisdiction has deliveries; a
    district without bulk deliveries in one counts 0 of 0 (no_data).
#}

with

deliveries as (

    select * from {{ ref('int_deliveries_scoped') }}
    where is_in_scope

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

by_period as (

    {% for period_type in ['month', 'term', 'year'] -%}
    select
        district_code,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period,
        is_bulk,
        unified,
        certified_active,
        cast(amount as double) as amount
    from deliveries
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

components as (

    select
        district_code,
        'unified_delivery_rate' as kpi,
        period_type,
        period,
        sum(case when unified then amount else 0 end) as numerator,
        sum(amount) as denominator
    from by_period
    where is_bulk
    group by district_code, period_type, period
    union all
    select
        district_code,
        'certified_supply_rate' as kpi,
        period_type,
        period,
        sum(case when certified_active then amount else 0 end) as numerator,
        sum(amount) as denominator
    from by_period
    where is_bulk
    group by district_code, period_type, period

),

kpi_periods as (

    {% for kpi in ['unified_delivery_rate', 'certified_supply_rate'] -%}
    select distinct
        '{{ kpi }}' as kpi,
        period_type,
        period
    from by_period
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

districts as (

    select district_code from registered_districts
    union
    select district_code from components
    where district_code is not null

),

{{ kpi_rows_for_every_district('components', 'kpi_periods', 'districts') }},

final as (

    select
        scope,
        district_code,
        kpi,
        period_type,
        period,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} as value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from counted

)

select * from final
