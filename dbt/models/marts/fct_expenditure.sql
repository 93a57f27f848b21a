with

expenditure as (

    select * from {{ ref('stg_expenditure') }}

),

final as (

    select
        expenditure_id,
        district_code,
        school_code,
        program,
        category,
        cast(extract(year from expenditure_date) as {{ dbt.type_int() }}) as fiscal_year,
        {{ format_month('expenditure_date') }} as month,
        amount,
        is_refund,
        expenditure_date
    from expenditure

)

select * from final
