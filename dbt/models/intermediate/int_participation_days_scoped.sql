{{ config(materialized='table') }}

{#
    School-day facts: the current participation rows, read once from staging and kept as
    a table for every later step (averages, serving days, the as-of date, orphans).
    Rows of schools outside the active registry are kept, flagged, for the orphan listing.
#}

with

participation as (

    select * from {{ ref('stg_participation') }}

),

schools as (

    select
        school_code,
        district_code,
        active
    from {{ ref('stg_schools') }}

),

joined as (

    select
        participation.school_code,
        schools.district_code,
        participation.lunch_students,
        participation.after_school_students,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason,
        participation.participation_date
    from participation
    left join schools
        on participation.school_code = schools.school_code

),

final as (

    select * from joined

)

select * from final
