{#
    kpi_wide_columns(kpis): one column per KPI holding its value, from a long KPI
    relation grouped by everything else (conditional aggregation, no PIVOT: portable).
#}
{% macro kpi_wide_columns(kpis) -%}
    {%- for kpi in kpis %}
        max(case when kpi = '{{ kpi }}' then value end) as {{ kpi }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
