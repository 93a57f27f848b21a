with

schools as (

    select * from {{ ref('stg_schools') }}

),

districts as (

    select * from {{ ref('stg_districts') }}

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
        schools.after_school_start_date
    from schools
    left join districts
        on schools.district_code = districts.district_code

)

select * from final
