with

source as (

    select * from {{ source('raw', 'enrollment') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where school_code is not null and term is not null
    qualify
        row_number() over (
            partition by school_code, term
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        school_code,
        term,
        {{ try_cast('substr(term, 1, 4)', dbt.type_int()) }} as term_year,
        case
            when term like '%-autumn' then 'autumn'
            when term like '%-spring' then 'spring'
        end as term_season,
        cast(enrolled as {{ dbt.type_bigint() }}) as enrolled,
        cast(lunch_need as {{ dbt.type_bigint() }}) as lunch_need,
        cast(after_school_need as {{ dbt.type_bigint() }}) as after_school_need,
        cast(left_behind as {{ dbt.type_bigint() }}) as left_behind,
        cast(migrant as {{ dbt.type_bigint() }}) as migrant,
        cast(disabled as {{ dbt.type_bigint() }}) as disabled,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
