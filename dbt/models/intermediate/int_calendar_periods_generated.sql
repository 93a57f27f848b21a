{{ config(materialized='table') }}

{#
    The calendar: every year that holds data, with its 12 months, its two terms and
    itself (the supervision facts' dates included: menus published ahead add their year
    to the calendar, never to the as-of date). Terms (docs/kpis.md#periods): 'YYYY-autumn' runs 1 Sep YYYY - 31 Jan YYYY+1 and
    'YYYY-spring' 1 Feb - 31 Aug YYYY; every month lies wholly in one term, so a month's
    term is the term containing its first day. The fiscal year is the calendar year.
    Only the years of landed rows are listed - never a range between the earliest and
    the latest of them - so one stray year adds its own periods and removes none.
#}

with

participation as (

    select participation_date as fact_date from {{ ref('int_participation_days_scoped') }}

),

expenditure as (

    select expenditure_date as fact_date from {{ ref('stg_expenditure') }}

),

survey as (

    select survey_date as fact_date from {{ ref('stg_survey') }}

),

issues as (

    select found_date as fact_date from {{ ref('stg_issues') }}
    union all
    select closed_date from {{ ref('stg_issues') }}
    where closed_date is not null

),

supervision as (

    select meal_date as fact_date from {{ ref('stg_meal_companions') }}
    union all
    select menu_date as fact_date from {{ ref('stg_menus') }}
    union all
    select snapshot_date as fact_date from {{ ref('stg_kitchen_cameras') }}
    union all
    select check_date as fact_date from {{ ref('stg_canteen_checks') }}
    union all
    select delivery_date as fact_date from {{ ref('stg_deliveries') }}
    union all
    select training_date as fact_date from {{ ref('stg_training') }}

),

enrollment as (

    select term_year from {{ ref('stg_enrollment') }}

),

budget as (

    select fiscal_year from {{ ref('stg_budget') }}

),

fact_dates as (

    select fact_date from participation
    union all
    select fact_date from expenditure
    union all
    select fact_date from survey
    union all
    select fact_date from issues
    union all
    select fact_date from supervision

),

known_years as (

    select distinct cast(extract(year from fact_date) as {{ dbt.type_int() }}) as year_number
    from fact_dates
    where fact_date is not null
    union
    select term_year from enrollment
    union
    -- an autumn term ends in January of the next year
    select term_year + 1 from enrollment
    union
    select fiscal_year from budget

),

years as (

    select year_number from known_years
    where year_number is not null

),

digits as (

    {% for digit in range(10) -%}
    select {{ digit }} as digit
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

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
