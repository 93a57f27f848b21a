{#
    One row: the as-of date of the build = the latest date in any loaded fact
    (participation date, expenditure date, survey date, issue found or closed date),
    and the earliest. Nothing depends on the machine clock.
#}

with

participation as (

    select
        min(participation_date) as first_date,
        max(participation_date) as last_date
    from {{ ref('int_participation_days_scoped') }}

),

expenditure as (

    select
        min(expenditure_date) as first_date,
        max(expenditure_date) as last_date
    from {{ ref('stg_expenditure') }}

),

survey as (

    select
        min(survey_date) as first_date,
        max(survey_date) as last_date
    from {{ ref('stg_survey') }}

),

issues as (

    select
        min(found_date) as first_date,
        max(case when closed_date > found_date then closed_date else found_date end) as last_date
    from {{ ref('stg_issues') }}

),

fact_dates as (

    select
        first_date,
        last_date
    from participation
    union all
    select
        first_date,
        last_date
    from expenditure
    union all
    select
        first_date,
        last_date
    from survey
    union all
    select
        first_date,
        last_date
    from issues

),

final as (

    select
        max(last_date) as as_of_date,
        min(first_date) as first_fact_date
    from fact_dates

)

select * from final
