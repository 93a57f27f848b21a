{#
    Canteen checks (日管控 周排查 月调度, 标准化验收) with their school's district, the
    periods of their date and the Monday of their ISO week.
    Rows of schools outside the active registry are kept, flagged, for the orphan
    listing (dq_orphan_facts); the KPIs and the published fact read only in-scope rows.
#}

with

facts as (

    select * from {{ ref('stg_canteen_checks') }}

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
        facts.check_id,
        facts.school_code,
        schools.district_code,
        facts.check_date,
        {{ format_month('facts.check_date') }} as month,
        {{ term_of_date('facts.check_date') }} as term,
        {{ format_year('facts.check_date') }} as year,
        {{ week_monday('facts.check_date') }} as week_monday,
        facts.kind,
        facts.result,
        facts.score,
        facts.is_passed,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason
    from facts
    left join schools
        on facts.school_code = schools.school_code

)

select * from final
