{# companion_name and feedback are personal or free text: they stop here (raw only). #}
with

source as (

    select * from {{ source('raw', 'meal_companions') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where record_id is not null
    qualify
        row_number() over (
            partition by record_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        record_id,
        school_code,
        date as meal_date,
        role,
        cast(coalesce(people, 1) as {{ dbt.type_bigint() }}) as people,
        cast(rating as {{ dbt.type_int() }}) as rating,
        coalesce(role = 'school_leader', false) as is_school_leader,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
