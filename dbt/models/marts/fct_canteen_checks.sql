{# Canteen checks of registered, in-scope schools; the inspector's name never reaches a mart. #}

with

facts as (

    select * from {{ ref('int_canteen_checks_scoped') }}
    where is_in_scope

),

final as (

    select
        check_id,
        school_code,
        district_code,
        check_date,
        month,
        term,
        year,
        kind,
        result,
        score
    from facts

)

select * from final
