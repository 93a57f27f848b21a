{#
    Service rules shared by the coverage and completeness KPIs (docs/kpis.md#building-blocks), so that one
    definition of "lunch-serving" and "after-school-serving" holds everywhere.
#}

{# Lunch-serving school in a period: lunch_mode <> none and lunch_start_date <= the period's last day. #}
{% macro is_lunch_serving(lunch_mode, lunch_start_date, period_end_date) -%}
    coalesce({{ lunch_mode }} <> 'none' and {{ lunch_start_date }} <= {{ period_end_date }}, false)
{%- endmacro %}

{# After-school-serving school in a period: has_after_school and (no start date or start <= the period's last day). #}
{% macro is_after_school_serving(has_after_school, after_school_start_date, period_end_date) -%}
    coalesce(
        {{ has_after_school }}
        and ({{ after_school_start_date }} is null or {{ after_school_start_date }} <= {{ period_end_date }}),
        false
    )
{%- endmacro %}


{#
    Why a fact row is out of scope of the KPIs, given the registry row it joined to
    (NULL when it is in scope): the registry's active schools are the scope.
#}
{% macro school_scope_exclusion(registry_school_code, registry_active) -%}
    case
        when {{ registry_school_code }} is null then 'school_not_in_registry'
        when not {{ registry_active }} then 'school_inactive'
    end
{%- endmacro %}


{#
    Kitchen school in a period (docs/kpis.md#supervision): a lunch-serving school that cooks,
    lunch_mode self_run (自办食堂) or central_kitchen (中央厨房) - the var kitchen_lunch_modes,
    a copy of schoolwh/core/sources.py KITCHEN_MODES; catering (企业配餐) does not.
#}
{% macro is_kitchen_school(lunch_mode, lunch_start_date, period_end_date) -%}
    coalesce(
        {{ lunch_mode }} in ('{{ var("kitchen_lunch_modes") | join("', '") }}')
        and {{ lunch_start_date }} <= {{ period_end_date }},
        false
    )
{%- endmacro %}
