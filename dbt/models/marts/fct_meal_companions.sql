{# 陪餐 records of registered, in-scope schools; names and feedback never reach a mart. #}

with

facts as (

    select * from {{ ref('int_meal_companions_scoped') }}
    where is_in_scope

),

final as (

    select
        record_id,
        school_code,
        district_code,
        meal_date,
        month,
        term,
        year,
        role,
        people,
        rating
    from facts

)

select * from final
