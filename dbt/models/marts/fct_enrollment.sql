with

enrollment as (

    select * from {{ ref('stg_enrollment') }}

),

schools as (

    select * from {{ ref('stg_schools') }}
    where active

),

final as (

    select
        enrollment.school_code,
        schools.district_code,
        enrollment.term,
        enrollment.enrolled,
        enrollment.lunch_need,
        enrollment.after_school_need,
        enrollment.left_behind,
        enrollment.migrant,
        enrollment.disabled
    from enrollment
    inner join schools
        on enrollment.school_code = schools.school_code

)

select * from final
