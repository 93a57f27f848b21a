{#
    Survey responses with their school's district, term and year, flagged in or out of
    scope (the registry's active schools). No comment column: it never leaves staging.
#}

with

responses as (

    select * from {{ ref('stg_survey') }}

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
        responses.response_id,
        responses.school_code,
        schools.district_code,
        responses.respondent,
        {{ term_of_date('responses.survey_date') }} as term,
        {{ format_year('responses.survey_date') }} as year,
        responses.overall,
        responses.taste,
        responses.portion,
        responses.hygiene,
        responses.price,
        responses.service,
        responses.is_satisfied,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason,
        responses.survey_date
    from responses
    left join schools
        on responses.school_code = schools.school_code

)

select * from final
