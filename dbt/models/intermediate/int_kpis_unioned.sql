{{ config(materialized='table') }}

{# Every KPI component (district and overall rows) in one long table. #}

with

{% set families = [
    'int_coverage_kpis_computed',
    'int_participation_kpis_computed',
    'int_budget_kpis_computed',
    'int_survey_kpis_computed',
    'int_issue_kpis_computed',
    'int_meal_kpis_computed',
    'int_kitchen_kpis_computed',
    'int_supply_kpis_computed',
    'int_training_kpis_computed',
] %}
{% for family in families %}
{{ family }} as (

    select * from {{ ref(family) }}

),
{% endfor %}

unioned as (

    {% for family in families -%}
    select
        scope,
        district_code,
        kpi,
        period_type,
        period,
        numerator,
        denominator,
        value,
        sample_size
    from {{ family }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from unioned

)

select * from final
