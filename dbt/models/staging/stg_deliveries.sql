with

source as (

    select * from {{ source('raw', 'deliveries') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where delivery_id is not null
    qualify
        row_number() over (
            partition by delivery_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        delivery_id,
        school_code,
        date as delivery_date,
        supplier_id,
        category,
        -- 大宗食材 (schoolwh/core/sources.py BULK_CATEGORIES, the var bulk_categories)
        coalesce(category in ('{{ var("bulk_categories") | join("', '") }}'), false) as is_bulk,
        coalesce(unified, false) as unified,
        amount,
        inspected,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
