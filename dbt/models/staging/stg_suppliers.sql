{# The supplier registry: the latest row of a supplier is its truth. #}
with

source as (

    select * from {{ source('raw', 'suppliers') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where supplier_id is not null
    qualify
        row_number() over (
            partition by supplier_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        supplier_id,
        supplier_name,
        district_code,
        coalesce(certified, false) as certified,
        admitted_date,
        exited_date,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
