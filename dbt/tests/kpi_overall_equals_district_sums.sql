{#
    What: for every ratio KPI and period, kpi_overall's numerator and denominator equal
    the sums over kpi_district (overall = summed numerators / summed denominators, never
    an average of district ratios).
    When it matters: a mismatch means a district's data is counted twice, dropped, or
    rolled up by averaging; the jurisdiction figures would not add up.
    How to resolve: compare the KPI's component model in intermediate/ for the period
    returned; overall rows must come from the same rows as the district rows.
#}

with

districts as (

    select
        kpi,
        period_type,
        period,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('kpi_district') }}
    where kpi <> 'median_days_to_close'
    group by kpi, period_type, period

),

overall as (

    select * from {{ ref('kpi_overall') }}
    where kpi <> 'median_days_to_close'

),

final as (

    select
        overall.kpi,
        overall.period_type,
        overall.period,
        overall.numerator as overall_numerator,
        districts.numerator as district_numerator,
        overall.denominator as overall_denominator,
        districts.denominator as district_denominator
    from overall
    left join districts
        on overall.kpi = districts.kpi
        and overall.period_type = districts.period_type
        and overall.period = districts.period
    -- relative to the size of the figure: sums of doubles taken in another order (another
    -- engine, another plan) differ in their last bits, which is far more than 1e-6 yuan
    -- on a budget of billions
    where abs(coalesce(overall.numerator, 0) - coalesce(districts.numerator, 0))
        > 1e-9 * greatest(1, abs(coalesce(overall.numerator, 0)))
        or abs(coalesce(overall.denominator, 0) - coalesce(districts.denominator, 0))
        > 1e-9 * greatest(1, abs(coalesce(overall.denominator, 0)))

)

select * from final
