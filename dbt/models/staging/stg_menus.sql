{#
    Menus are published ahead: a date may lie after the as-of date. menu_text (dish
    names) is the one free text that reaches a mart, always shown as text.
#}
with

source as (

    select * from {{ source('raw', 'menus') }}

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
        date as menu_date,
        cast(dishes as {{ dbt.type_bigint() }}) as dishes,
        cast(meat_dishes as {{ dbt.type_bigint() }}) as meat_dishes,
        coalesce(has_fruit, false) as has_fruit,
        coalesce(has_staple, false) as has_staple,
        -- 两菜一水果加主食: at least two hot dishes, fruit and a staple
        coalesce(dishes >= 2 and has_fruit and has_staple, false) as meets_standard,
        price,
        published_date,
        menu_text,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
