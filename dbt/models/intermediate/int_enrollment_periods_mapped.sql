{#
    Enrolment and needs of in-scope schools per term and per month. A school's
    enrolment for a month is its enrolment for the term containing the month's first day.
#}

with

enrollment as (

    select * from {{ ref('stg_enrollment') }}

),

schools as (

    select * from {{ ref('stg_schools') }}
    where active

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}
    where period_type in ('term', 'month')

),

in_scope as (

    select
        enrollment.school_code,
        schools.district_code,
        enrollment.term,
        enrollment.enrolled,
        enrollment.lunch_need,
        enrollment.after_school_need
    from enrollment
    inner join schools
        on enrollment.school_code = schools.school_code

),

final as (

    select
        in_scope.school_code,
        in_scope.district_code,
        calendar.period_type,
        calendar.period,
        in_scope.term,
        in_scope.enrolled,
        in_scope.lunch_need,
        in_scope.after_school_need
    from in_scope
    inner join calendar
        on in_scope.term = calendar.term

)

select * from final
