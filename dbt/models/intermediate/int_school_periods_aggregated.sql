{{ config(materialized='table') }}

{#
    Participation per in-scope school per month and per term. A school's average daily
    figure = the sum over its rows in the period / the number of those rows (days
    reported), whatever their values; the after-school average counts only rows that
    carry an after-school value. Terms roll up from months (every month lies in one term).
#}

with

school_days as (

    select
        school_code,
        district_code,
        cast(extract(year from participation_date) as {{ dbt.type_int() }}) as year_number,
        cast(extract(month from participation_date) as {{ dbt.type_int() }}) as month_number,
        lunch_students,
        after_school_students,
        participation_date
    from {{ ref('int_participation_days_scoped') }}
    where is_in_scope

),

-- group on integers first, label afterwards: formatting 6 million dates costs more
-- than formatting the few hundred thousand school-months
month_totals as (

    select
        school_code,
        district_code,
        year_number,
        month_number,
        cast(count(*) as {{ dbt.type_bigint() }}) as days_reported,
        cast(sum(lunch_students) as {{ dbt.type_bigint() }}) as lunch_students_total,
        cast(count(after_school_students) as {{ dbt.type_bigint() }}) as after_school_days_reported,
        cast(sum(after_school_students) as {{ dbt.type_bigint() }}) as after_school_students_total,
        min(participation_date) as first_reported_date,
        max(participation_date) as last_reported_date
    from school_days
    group by school_code, district_code, year_number, month_number

),

months as (

    select
        school_code,
        district_code,
        'month' as period_type,
        {{ format_month(calendar_date('year_number', 'month_number', 1)) }} as period,
        {{ term_of_date(calendar_date('year_number', 'month_number', 1)) }} as term,
        days_reported,
        lunch_students_total,
        after_school_days_reported,
        after_school_students_total,
        first_reported_date,
        last_reported_date
    from month_totals

),

terms as (

    select
        school_code,
        district_code,
        'term' as period_type,
        term as period,
        term,
        cast(sum(days_reported) as {{ dbt.type_bigint() }}) as days_reported,
        cast(sum(lunch_students_total) as {{ dbt.type_bigint() }}) as lunch_students_total,
        cast(sum(after_school_days_reported) as {{ dbt.type_bigint() }}) as after_school_days_reported,
        cast(sum(after_school_students_total) as {{ dbt.type_bigint() }}) as after_school_students_total,
        min(first_reported_date) as first_reported_date,
        max(last_reported_date) as last_reported_date
    from months
    group by school_code, district_code, term

),

unioned as (

    select * from months
    union all
    select * from terms

),

final as (

    select
        school_code,
        district_code,
        period_type,
        period,
        term,
        days_reported,
        lunch_students_total,
        after_school_days_reported,
        after_school_students_total,
        {{ safe_divide('lunch_students_total', 'days_reported') }} as avg_daily_lunch_students,
        {{ safe_divide('after_school_students_total', 'after_school_days_reported') }} as avg_daily_after_school_students,
        first_reported_date,
        last_reported_date
    from unioned

)

select * from final
