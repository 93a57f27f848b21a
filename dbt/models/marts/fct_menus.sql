{# Menus of registered, in-scope schools, including days published ahead of the as-of date. #}

with

facts as (

    select * from {{ ref('int_menus_scoped') }}
    where is_in_scope

),

final as (

    select
        school_code,
        district_code,
        menu_date,
        month,
        term,
        year,
        dishes,
        meat_dishes,
        has_fruit,
        has_staple,
        meets_standard,
        price,
        published_date,
        menu_text
    from facts

)

select * from final
