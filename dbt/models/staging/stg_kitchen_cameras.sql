with

source as (

    select * from {{ source('raw', 'kitchen_cameras') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where school_code is not null and date is not null
    qualify
        row_number() over (
            partition by school_code, date
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        school_code,
        date as snapshot_date,
        cast(cameras as {{ dbt.type_bigint() }}) as cameras,
        cast(online as {{ dbt.type_bigint() }}) as online,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
