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
