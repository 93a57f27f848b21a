with

evaluated as (

    select * from {{ ref('int_kpis_evaluated') }}
    where scope = 'district'

),

districts as (

    select * from {{ ref('dim_district') }}

),

final as (

    select
        evaluated.district_code,
        evaluated.period_type,
        evaluated.period,
        evaluated.kpi,
        evaluated.numerator,
        evaluated.denominator,
        evaluated.value,
        evaluated.target,
        evaluated.status,
        evaluated.kpi_name_zh,
        evaluated.kpi_name_en,
        evaluated.unit,
        evaluated.direction,
        evaluated.near_band,
        evaluated.ci_lower,
        evaluated.ci_upper,
        evaluated.responses,
        districts.district_name,
        evaluated.kpi_sort_order,
        evaluated.period_start_date,
        evaluated.period_end_date
    from evaluated
    left join districts
        on evaluated.district_code = districts.district_code

)

select * from final
