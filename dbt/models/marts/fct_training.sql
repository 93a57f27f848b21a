{# Training sessions, for the district they name; the topic (free text) never reaches a mart. #}

with

training as (

    select * from {{ ref('stg_training') }}

),

final as (

    select
        training_id,
        district_code,
        training_date,
        {{ format_month('training_date') }} as month,
        {{ term_of_date('training_date') }} as term,
        {{ format_year('training_date') }} as year,
        audience,
        person_times
    from training

)

select * from final
