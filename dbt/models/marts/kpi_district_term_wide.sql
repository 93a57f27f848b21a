{{ config(materialized='view') }}

{% set term_kpis = [
    'lunch_coverage', 'after_school_coverage', 'eating_share', 'lunch_demand_met',
    'after_school_share', 'after_school_demand_met', 'reporting_completeness',
    'satisfaction_rate', 'issue_closure_rate', 'issue_on_time_rate', 'median_days_to_close',
    'leader_meal_rate', 'menu_standard_rate', 'menu_disclosure_rate', 'camera_coverage',
    'camera_online_rate', 'weekly_check_rate', 'canteen_standard_rate',
    'unified_delivery_rate', 'certified_supply_rate', 'training_person_times',
] %}

with

kpis as (

    select * from {{ ref('kpi_district') }}
    where period_type = 'term'

),

final as (

    select
        district_code,
        district_name,
        period as term,
        {{ kpi_wide_columns(term_kpis) }}
    from kpis
    group by district_code, district_name, period

)

select * from final
