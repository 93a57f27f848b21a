{{ config(materialized='view') }}

{% set month_kpis = [
    'eating_share', 'lunch_demand_met', 'after_school_share', 'after_school_demand_met',
    'reporting_completeness', 'budget_execution', 'issue_closure_rate',
    'issue_on_time_rate', 'median_days_to_close', 'leader_meal_rate', 'menu_standard_rate',
    'menu_disclosure_rate', 'camera_online_rate', 'weekly_check_rate',
    'unified_delivery_rate', 'certified_supply_rate',
] %}

with

kpis as (

    select * from {{ ref('kpi_district') }}
    where period_type = 'month'

),

final as (

    select
        district_code,
        district_name,
        period as month,
        {{ kpi_wide_columns(month_kpis) }}
    from kpis
    group by district_code, district_name, period

)

select * from final
