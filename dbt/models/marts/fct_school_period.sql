with

school_periods as (

    select * from {{ ref('int_school_periods_joined') }}

),

final as (

    select
        school_code,
        district_code,
        period_type,
        period,
        term,
        days_reported,
        district_serving_days,
        lunch_students_total,
        avg_daily_lunch_students,
        after_school_days_reported,
        after_school_students_total,
        avg_daily_after_school_students,
        enrolled,
        lunch_need,
        after_school_need,
        has_enrollment,
        is_lunch_serving,
        is_after_school_serving,
        period_start_date,
        period_end_date
    from school_periods

)

select * from final
