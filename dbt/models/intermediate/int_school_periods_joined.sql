{{ config(materialized='table') }}

{#
    School x period facts (term and month) for every active school and every period in
    which any active school reported participation: average daily lunch and after-school
    students, days reported, enrolment and needs for the period, whether the school is
    lunch- / after-school-serving in the period, and its district's serving days.
    Schools that did not report in the period keep a row (days_reported = 0), so that
    their enrolment still counts in the share denominators (docs/kpis.md#worked-example, school C).
#}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where active

),

participation as (

    select * from {{ ref('int_school_periods_aggregated') }}

),

enrollment as (

    select * from {{ ref('int_enrollment_periods_mapped') }}

),

serving_days as (

    select * from {{ ref('int_district_serving_days_counted') }}

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}

),

reported_periods as (

    select distinct
        period_type,
        period
    from participation

),

spine as (

    select
        schools.school_code,
        schools.district_code,
        schools.lunch_mode,
        schools.lunch_start_date,
        schools.has_after_school,
        schools.after_school_start_date,
        calendar.period_type,
        calendar.period,
        calendar.term,
        calendar.period_start_date,
        calendar.period_end_date
    from schools
    cross join reported_periods
    inner join calendar
        on reported_periods.period_type = calendar.period_type
        and reported_periods.period = calendar.period

),

final as (

    select
        spine.school_code,
        spine.district_code,
        spine.period_type,
        spine.period,
        spine.term,
        coalesce(participation.days_reported, 0) as days_reported,
        coalesce(participation.lunch_students_total, 0) as lunch_students_total,
        coalesce(participation.after_school_days_reported, 0) as after_school_days_reported,
        coalesce(participation.after_school_students_total, 0) as after_school_students_total,
        participation.avg_daily_lunch_students,
        participation.avg_daily_after_school_students,
        enrollment.enrolled,
        enrollment.lunch_need,
        enrollment.after_school_need,
        coalesce(serving_days.serving_days, 0) as district_serving_days,
        enrollment.school_code is not null as has_enrollment,
        {{ is_lunch_serving('spine.lunch_mode', 'spine.lunch_start_date', 'spine.period_end_date') }} as is_lunch_serving,
        {{ is_after_school_serving('spine.has_after_school', 'spine.after_school_start_date', 'spine.period_end_date') }} as is_after_school_serving,
        spine.period_start_date,
        spine.period_end_date
    from spine
    left join participation
        on spine.school_code = participation.school_code
        and spine.period_type = participation.period_type
        and spine.period = participation.period
    left join enrollment
        on spine.school_code = enrollment.school_code
        and spine.period_type = enrollment.period_type
        and spine.period = enrollment.period
    left join serving_days
        on spine.district_code = serving_days.district_code
        and spine.period_type = serving_days.period_type
        and spine.period = serving_days.period

)

select * from final
