{#
    明厨亮灶 snapshots with their school's district and the periods of their date.
    Rows of schools outside the active registry are kept, flagged, for the orphan
    listing (dq_orphan_facts); the KPIs and the published fact read only in-scope rows.
#}

with

facts as (

    select * from {{ ref('stg_kitchen_cameras') }}

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
        facts.school_code,
        schools.district_code,
        facts.snapshot_date,
        {{ format_month('facts.snapshot_date') }} as month,
        {{ term_of_date('facts.snapshot_date') }} as term,
        {{ format_year('facts.snapshot_date') }} as year,
        facts.cameras,
        facts.online,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason
    from facts
    left join schools
        on facts.school_code = schools.school_code

)

select * from final
