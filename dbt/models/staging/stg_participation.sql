{#
    The largest source. Read it once: int_participation_days_scoped materialises the
    current rows as a table that every later step reads.
#}
with

source as (

    select * from {{ source('raw', 'participation') }}

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
        date as participation_date,
        cast(lunch_students as {{ dbt.type_bigint() }}) as lunch_students,
        -- empty = not reported (not 0): kept null
        cast(after_school_students as {{ dbt.type_bigint() }}) as after_school_students,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
