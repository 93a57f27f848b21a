{#
    Issues (latest status) with their school's district, the periods of their found
    date, and their rectification measures against the as-of date of the build:
      - days_to_close        closed_date - found_date, closed issues only
      - is_closed_on_time    closed on or before a deadline
      - is_on_time_eligible  in the on-time denominator: has a deadline and is closed,
                             or is not closed with the deadline before the as-of date
      - is_overdue           not closed and the deadline is before the as-of date
#}

with

issues as (

    select * from {{ ref('stg_issues') }}

),

schools as (

    select
        school_code,
        district_code,
        active
    from {{ ref('stg_schools') }}

),

fact_dates as (

    select as_of_date from {{ ref('int_fact_dates_summarised') }}

),

final as (

    select
        issues.issue_id,
        issues.school_code,
        schools.district_code,
        issues.issue_source,
        issues.category,
        issues.severity,
        issues.status,
        issues.description,
        {{ term_of_date('issues.found_date') }} as term,
        {{ format_month('issues.found_date') }} as month,
        {{ format_year('issues.found_date') }} as year,
        case
            when issues.is_closed then {{ days_between('issues.found_date', 'issues.closed_date') }}
        end as days_to_close,
        {{ days_between('issues.found_date', 'coalesce(issues.closed_date, fact_dates.as_of_date)') }} as days_open,
        case
            when not issues.is_closed and issues.deadline_date < fact_dates.as_of_date
                then {{ days_between('issues.deadline_date', 'fact_dates.as_of_date') }}
            else 0
        end as days_overdue,
        issues.is_closed,
        coalesce(
            issues.is_closed and issues.closed_date <= issues.deadline_date, false
        ) as is_closed_on_time,
        coalesce(
            issues.deadline_date is not null
            and (issues.is_closed or issues.deadline_date < fact_dates.as_of_date),
            false
        ) as is_on_time_eligible,
        coalesce(
            not issues.is_closed and issues.deadline_date < fact_dates.as_of_date, false
        ) as is_overdue,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason,
        issues.found_date,
        issues.deadline_date,
        issues.closed_date,
        fact_dates.as_of_date
    from issues
    cross join fact_dates
    left join schools
        on issues.school_code = schools.school_code

)

select * from final
