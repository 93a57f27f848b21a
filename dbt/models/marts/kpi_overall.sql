with

evaluated as (

    select * from {{ ref('int_kpis_evaluated') }}
    where scope = 'overall'

),

final as (

    select
        period_type,
        period,
        kpi,
        numerator,
        denominator,
        value,
        target,
        status,
        kpi_name_zh,
        kpi_name_en,
        unit,
        direction,
        near_band,
        ci_lower,
        ci_upper,
        responses,
        kpi_sort_order,
        period_start_date,
        period_end_date
    from evaluated

)

select * from final
