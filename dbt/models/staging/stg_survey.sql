{# `comment` is free text that may hold personal data: it stops here. #}
with

source as (

    select * from {{ source('raw', 'survey') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where response_id is not null
    qualify
        row_number() over (
            partition by response_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        response_id,
        school_code,
        respondent,
        cast(overall as {{ dbt.type_int() }}) as overall,
        cast(taste as {{ dbt.type_int() }}) as taste,
        cast(portion as {{ dbt.type_int() }}) as portion,
        cast(hygiene as {{ dbt.type_int() }}) as hygiene,
        cast(price as {{ dbt.type_int() }}) as price,
        cast(service as {{ dbt.type_int() }}) as service,
        coalesce(overall >= {{ var('satisfied_min_score') }}, false) as is_satisfied,
        date as survey_date,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
