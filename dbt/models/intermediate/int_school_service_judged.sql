{#
    Every active registry school in every calendar period (month, term, year), judged at
    the period's last day (docs/kpis.md#supervision): lunch-serving (lunch_mode <> none and
    lunch started by then) and kitchen school (a lunch-serving school that cooks:
    self_run or central_kitchen). The supervision KPIs count serving days, menus,
    snapshots, school-weeks and standardisation checks of the schools judged so.
#}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where active

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}

),

final as (

    select
        schools.school_code,
        schools.district_code,
        calendar.period_type,
        calendar.period,
        calendar.period_end_date,
        {{ is_lunch_serving('schools.lunch_mode', 'schools.lunch_start_date', 'calendar.period_end_date') }} as is_lunch_serving,
        {{ is_kitchen_school('schools.lunch_mode', 'schools.lunch_start_date', 'calendar.period_end_date') }} as is_kitchen_school
    from schools
    cross join calendar

)

select * from final
