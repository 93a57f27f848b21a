with

schools as (

    select * from {{ ref('stg_schools') }}

),

districts as (

    select * from {{ ref('stg_districts') }}

),

fact_dates as (

    select as_of_date from {{ ref('int_fact_dates_summarised') }}

),

final as (

    select
        schools.school_code,
        schools.district_code,
        schools.school_name,
        districts.district_name,
        schools.stage,
        schools.ownership,
        schools.location,
        schools.lunch_mode,
        schools.has_lunch_service,
        schools.has_after_school,
        schools.nutrition_plan,
        schools.active,
        schools.lunch_start_date,
        schools.after_school_start_date,
        -- a kitchen school as of the as-of date: the KPIs judge each period at its last day
        coalesce(
            schools.active
            and {{ is_kitchen_school('schools.lunch_mode', 'schools.lunch_start_date', 'fact_dates.as_of_date') }},
            false
        ) as is_kitchen_school
    from schools
    cross join fact_dates
    left join districts
        on schools.district_code = districts.district_code

)

select * from final
