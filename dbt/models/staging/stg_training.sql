{# topic is free text: it stops here (raw only). #}
with

source as (

    select * from {{ source('raw', 'training') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where training_id is not null
    qualify
        row_number() over (
            partition by training_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        training_id,
        district_code,
        date as training_date,
        audience,
        cast(person_times as {{ dbt.type_bigint() }}) as person_times,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
