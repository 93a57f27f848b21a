with

issues as (

    select * from {{ ref('int_issues_scoped') }}
    where is_in_scope

),

final as (

    select
        issue_id,
        school_code,
        district_code,
        issue_source,
        category,
        severity,
        status,
        description,
        term,
        month,
        year,
        days_to_close,
        days_open,
        days_overdue,
        is_closed,
        is_closed_on_time,
        is_on_time_eligible,
        is_overdue,
        found_date,
        deadline_date,
        closed_date,
        as_of_date
    from issues

)

select * from final
