{#
    One row: the as-of date of the build = the latest date in any loaded fact
    (participation date, expenditure date, survey date, issue found or closed date, and
    the supervision events: 陪餐, camera snapshot, canteen check, delivery and training
    dates), and the earliest. Menu dates (published ahead), publication dates and the
    supplier registry's dates do not count. Nothing depends on the machine clock.
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

meal_companions as (

    select
        min(meal_date) as first_date,
        max(meal_date) as last_date
    from {{ ref('stg_meal_companions') }}

),

kitchen_cameras as (

    select
        min(snapshot_date) as first_date,
        max(snapshot_date) as last_date
    from {{ ref('stg_kitchen_cameras') }}

),

canteen_checks as (

    select
        min(check_date) as first_date,
        max(check_date) as last_date
    from {{ ref('stg_canteen_checks') }}

),

deliveries as (

    select
        min(delivery_date) as first_date,
        max(delivery_date) as last_date
    from {{ ref('stg_deliveries') }}

),

training as (

    select
        min(training_date) as first_date,
        max(training_date) as last_date
    from {{ ref('stg_training') }}

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
    union all
    select
        first_date,
        last_date
    from meal_companions
    union all
    select
        first_date,
        last_date
    from kitchen_cameras
    union all
    select
        first_date,
        last_date
    from canteen_checks
    union all
    select
        first_date,
        last_date
    from deliveries
    union all
    select
        first_date,
        last_date
    from training

),

final as (

    select
        max(last_date) as as_of_date,
        min(first_date) as first_fact_date
    from fact_dates

)

select * from final
