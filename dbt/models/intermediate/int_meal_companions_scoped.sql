{#
    陪餐 records with their school's district and the periods of their date.
    Rows of schools outside the active registry are kept, flagged, for the orphan
    listing (dq_orphan_facts); the KPIs and the published fact read only in-scope rows.
#}

with

facts as (

    select * from {{ ref('stg_meal_companions') }}

),

schools as (

    select
        school_code,
        district_code,
        active
    from {{ ref('stg_schools') }}

),

final as (

    select
        facts.record_id,
        facts.school_code,
        schools.district_code,
        facts.meal_date,
        {{ format_month('facts.meal_date') }} as month,
        {{ term_of_date('facts.meal_date') }} as term,
        {{ format_year('facts.meal_date') }} as year,
        facts.role,
        facts.people,
        facts.rating,
        facts.is_school_leader,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason
    from facts
    left join schools
        on facts.school_code = schools.school_code

)

select * from final
