{{ config(materialized='table') }}

{#
    The calendar: every year the data touches, with its 12 months, its two terms and
    itself. Terms (kpis.md): 'YYYY-autumn' runs 1 Sep YYYY - 31 Jan YYYY+1 and
    'YYYY-spring' 1 Feb - 31 Aug YYYY; every month lies wholly in one term, so a month's
    term is the term containing its first day. The fiscal year is the calendar year.
#}

with

fact_dates as (

    select * from {{ ref('int_fact_dates_summarised') }}

),

enrollment as (

    select term_year from {{ ref('stg_enrollment') }}

),

budget as (

    select fiscal_year from {{ ref('stg_budget') }}

),

known_years as (

    select cast(extract(year from first_fact_date) as {{ dbt.type_int() }}) as year_number from fact_dates
    union all
    select cast(extract(year from as_of_date) as {{ dbt.type_int() }}) from fact_dates
    union all
    select term_year from enrollment
    union all
    -- an autumn term ends in January of the next year
    select term_year + 1 from enrollment
    union all
    select fiscal_year from budget

),

year_bounds as (

    select
        min(year_number) as first_year,
        max(year_number) as last_year
    from known_years

),

digits as (

    {% for digit in range(10) -%}
    select {{ digit }} as digit
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

years as (

    select year_bounds.first_year + tens.digit * 10 + units.digit as year_number
    from year_bounds
    cross join digits as tens
    cross join digits as units
    where year_bounds.first_year + tens.digit * 10 + units.digit <= year_bounds.last_year

),

months_of_year as (

    select digit + 1 as month_of_year from digits
    union all
    select 11
    union all
    select 12

),

months as (

    select
        'month' as period_type,
        {{ format_month(calendar_date('years.year_number', 'months_of_year.month_of_year', 1)) }} as period,
        years.year_number as fiscal_year,
        months_of_year.month_of_year,
        case
            when months_of_year.month_of_year >= 9
                then {{ dbt.concat(["cast(years.year_number as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }}
            when months_of_year.month_of_year = 1
                then {{ dbt.concat(["cast(years.year_number - 1 as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }}
            else {{ dbt.concat(["cast(years.year_number as " ~ dbt.type_string() ~ ")", "'-spring'"]) }}
        end as term,
        months_of_year.month_of_year as months_elapsed,
        {{ calendar_date('years.year_number', 'months_of_year.month_of_year', 1) }} as period_start_date,
        {{ dbt.last_day(calendar_date('years.year_number', 'months_of_year.month_of_year', 1), 'month') }} as period_end_date
    from years
    cross join months_of_year

),

terms as (

    select
        'term' as period_type,
        {{ dbt.concat(["cast(year_number as " ~ dbt.type_string() ~ ")", "'-spring'"]) }} as period,
        year_number as fiscal_year,
        cast(null as {{ dbt.type_int() }}) as month_of_year,
        {{ dbt.concat(["cast(year_number as " ~ dbt.type_string() ~ ")", "'-spring'"]) }} as term,
        cast(null as {{ dbt.type_int() }}) as months_elapsed,
        {{ calendar_date('year_number', 2, 1) }} as period_start_date,
        {{ calendar_date('year_number', 8, 31) }} as period_end_date
    from years
    union all
    select
        'term' as period_type,
        {{ dbt.concat(["cast(year_number as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }} as period,
        year_number as fiscal_year,
        cast(null as {{ dbt.type_int() }}) as month_of_year,
        {{ dbt.concat(["cast(year_number as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }} as term,
        cast(null as {{ dbt.type_int() }}) as months_elapsed,
        {{ calendar_date('year_number', 9, 1) }} as period_start_date,
        {{ calendar_date('year_number + 1', 1, 31) }} as period_end_date
    from years

),

calendar_years as (

    select
        'year' as period_type,
        cast(year_number as {{ dbt.type_string() }}) as period,
        year_number as fiscal_year,
        cast(null as {{ dbt.type_int() }}) as month_of_year,
        cast(null as {{ dbt.type_string() }}) as term,
        12 as months_elapsed,
        {{ calendar_date('year_number', 1, 1) }} as period_start_date,
        {{ calendar_date('year_number', 12, 31) }} as period_end_date
    from years

),

unioned as (

    select * from months
    union all
    select * from terms
    union all
    select * from calendar_years

),

final as (

    select
        period_type,
        period,
        term,
        cast(fiscal_year as {{ dbt.type_int() }}) as fiscal_year,
        cast(month_of_year as {{ dbt.type_int() }}) as month_of_year,
        cast(months_elapsed as {{ dbt.type_int() }}) as months_elapsed,
        cast(period_start_date as date) as period_start_date,
        cast(period_end_date as date) as period_end_date
    from unioned

)

select * from final
