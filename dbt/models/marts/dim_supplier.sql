{# The supplier registry (大宗食材配送企业名录), the latest row of each supplier. #}

with

suppliers as (

    select * from {{ ref('stg_suppliers') }}

),

final as (

    select
        supplier_id,
        supplier_name,
        district_code,
        certified,
        admitted_date,
        exited_date
    from suppliers

)

select * from final
