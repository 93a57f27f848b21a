{#
    Schemas are exactly the folder's custom schema (staging, intermediate, marts), not
    dbt's default "<target schema>_<custom schema>": analysts and the dashboard read
    marts.kpi_district, whatever the target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
