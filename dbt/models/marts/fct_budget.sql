with

budget as (

    select * from {{ ref('stg_budget') }}

),

final as (

    select
        budget_id,
        district_code,
        school_code,
        program,
        funding_source,
        fiscal_year,
        amount,
        allocated_date
    from budget

)

select * from final
