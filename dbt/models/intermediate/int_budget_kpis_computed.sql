{#
    budget_execution per fiscal year and per month, by district and overall:
    expenditure dated in the fiscal year up to the period's last day (year to date)
    / the fiscal year's budget. Funding rows belong to the district they name, whatever
    school they mention. Months run from January to the as-of month (or December for a
    past year); a fiscal year appears when any district has budget or spending in it.
#}

with

budget as (

    select
        district_code,
        fiscal_year,
        sum(amount) as budget_amount
    from {{ ref('stg_budget') }}
    group by district_code, fiscal_year

),

spending as (

    select
        district_code,
        cast(extract(year from expenditure_date) as {{ dbt.type_int() }}) as fiscal_year,
        cast(extract(month from expenditure_date) as {{ dbt.type_int() }}) as month_of_year,
        sum(amount) as spent_amount
    from {{ ref('stg_expenditure') }}
    group by
        district_code,
        cast(extract(year from expenditure_date) as {{ dbt.type_int() }}),
        cast(extract(month from expenditure_date) as {{ dbt.type_int() }})

),

fact_dates as (

    select as_of_date from {{ ref('int_fact_dates_summarised') }}

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}
    where period_type in ('year', 'month')

),

district_years as (

    select
        district_code,
        fiscal_year
    from budget
    union
    select
        district_code,
        fiscal_year
    from spending

),

periods as (

    select calendar.*
    from calendar
    cross join fact_dates
    where calendar.period_type = 'year'
        or calendar.period_start_date <= fact_dates.as_of_date

),

district_periods as (

    select
        district_years.district_code,
        periods.fiscal_year,
        periods.period_type,
        periods.period,
        periods.months_elapsed
    from district_years
    inner join periods
        on district_years.fiscal_year = periods.fiscal_year

),

year_to_date as (

    select
        district_periods.district_code,
        district_periods.period_type,
        district_periods.period,
        max(budget.budget_amount) as budget_amount,
        coalesce(sum(spending.spent_amount), 0) as spent_amount
    from district_periods
    left join spending
        on district_periods.district_code = spending.district_code
        and district_periods.fiscal_year = spending.fiscal_year
        and district_periods.months_elapsed >= spending.month_of_year
    left join budget
        on district_periods.district_code = budget.district_code
        and district_periods.fiscal_year = budget.fiscal_year
    group by
        district_periods.district_code,
        district_periods.period_type,
        district_periods.period

),

aggregated as (

    select
        {{ kpi_scope() }} as scope,
        district_code,
        period_type,
        period,
        cast(sum(spent_amount) as double) as numerator,
        cast(sum(budget_amount) as double) as denominator
    from year_to_date
    group by {{ kpi_grouping_sets() }}

),

final as (

    select
        scope,
        district_code,
        'budget_execution' as kpi,
        period_type,
        period,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} as value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from aggregated

)

select * from final
