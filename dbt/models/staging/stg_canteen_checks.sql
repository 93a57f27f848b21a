{# inspector is a personal name: it stops here (raw only). #}
with

source as (

    select * from {{ source('raw', 'canteen_checks') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where check_id is not null
    qualify
        row_number() over (
            partition by check_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        check_id,
        school_code,
        date as check_date,
        kind,
        result,
        cast(score as double) as score,
        coalesce(result = 'pass', false) as is_passed,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
