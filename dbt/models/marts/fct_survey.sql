{# No comment column: free text that may hold personal data never reaches a mart. #}

with

responses as (

    select * from {{ ref('int_survey_responses_scoped') }}
    where is_in_scope

),

final as (

    select
        response_id,
        school_code,
        district_code,
        respondent,
        term,
        year,
        overall,
        taste,
        portion,
        hygiene,
        price,
        service,
        is_satisfied,
        survey_date
    from responses

)

select * from final
