{# Food deliveries of registered, in-scope schools with their supplier's standing on the delivery date. #}

with

facts as (

    select * from {{ ref('int_deliveries_scoped') }}
    where is_in_scope

),

final as (

    select
        delivery_id,
        school_code,
        district_code,
        delivery_date,
        month,
        term,
        year,
        supplier_id,
        category,
        is_bulk,
        unified,
        amount,
        inspected,
        supplier_known,
        certified_active
    from facts

)

select * from final
