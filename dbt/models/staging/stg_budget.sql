with

source as (

    select * from {{ source('raw', 'budget') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where budget_id is not null
    qualify
        row_number() over (
            partition by budget_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        budget_id,
        district_code,
        school_code,
        program,
        funding_source,
        cast(fiscal_year as {{ dbt.type_int() }}) as fiscal_year,
        amount,
        allocated_date,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
