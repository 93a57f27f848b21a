{#
    KPI components are computed once per district and once for the whole jurisdiction in
    a single pass: `group by grouping sets` over (district, period) and (period). Ratio
    KPIs sum numerators and denominators at either level and divide once, so a roll-up
    is never an average of ratios; a median is taken over the underlying rows.
#}

{# The scope of a grouping-sets row: 'district' or 'overall'. #}
{% macro kpi_scope(district_column='district_code') -%}
    case when grouping({{ district_column }}) = 1 then 'overall' else 'district' end
{%- endmacro %}

{# The grouping sets of a KPI component query. #}
{% macro kpi_grouping_sets(district_column='district_code', period_columns=['period_type', 'period']) -%}
    grouping sets (
        ({{ district_column }}, {{ period_columns | join(', ') }}),
        ({{ period_columns | join(', ') }})
    )
{%- endmacro %}


{#
    kpi_rows_for_every_district(components, kpi_periods, districts, has_denominator=true):
    the CTEs `district_rows`, `overall_rows` and `counted` of a KPI family whose components
    are summed per district (docs/kpis.md#supervision):
      components   district_code, kpi, period_type, period, numerator, denominator: the
                   districts' sums, only where a district has something to count
      kpi_periods  kpi, period_type, period: where the jurisdiction has rows of the KPI's
                   own source (a KPI has rows only in those periods)
      districts    district_code: the registry's districts and any named by the data
    Every district gets a row for every KPI period: a district with nothing to count has
    numerator 0 and denominator 0 (not null; no_data downstream). The overall row is the
    sum over the districts. Without a denominator (a count KPI) the denominator stays null.
#}
{% macro kpi_rows_for_every_district(components, kpi_periods, districts, has_denominator=true) -%}
district_rows as (

    select
        'district' as scope,
        {{ districts }}.district_code,
        {{ kpi_periods }}.kpi,
        {{ kpi_periods }}.period_type,
        {{ kpi_periods }}.period,
        cast(coalesce({{ components }}.numerator, 0) as double) as numerator,
        {% if has_denominator -%}
        cast(coalesce({{ components }}.denominator, 0) as double) as denominator
        {%- else -%}
        cast(null as double) as denominator
        {%- endif %}
    from {{ kpi_periods }}
    cross join {{ districts }}
    left join {{ components }}
        on {{ districts }}.district_code = {{ components }}.district_code
        and {{ kpi_periods }}.kpi = {{ components }}.kpi
        and {{ kpi_periods }}.period_type = {{ components }}.period_type
        and {{ kpi_periods }}.period = {{ components }}.period

),

overall_rows as (

    select
        'overall' as scope,
        cast(null as {{ dbt.type_string() }}) as district_code,
        kpi,
        period_type,
        period,
        sum(numerator) as numerator,
        {% if has_denominator -%}
        sum(denominator) as denominator
        {%- else -%}
        cast(null as double) as denominator
        {%- endif %}
    from district_rows
    group by kpi, period_type, period

),

counted as (

    select * from district_rows
    union all
    select * from overall_rows

)
{%- endmacro %}
