{#
    A district's serving days in a period: the distinct dates on which any active school
    of the district reported participation (the denominator basis of
    reporting_completeness). Terms roll up from months (dates in different months are
    different dates).
#}

with

school_days as (

    select * from {{ ref('int_participation_days_scoped') }}
    where is_in_scope

),

district_dates as (

    select distinct
        district_code,
        participation_date
    from school_days

),

district_days as (

    select
        district_code,
        {{ format_month('participation_date') }} as month,
        {{ term_of_date('participation_date') }} as term,
        participation_date
    from district_dates

),

months as (

    select
        district_code,
        'month' as period_type,
        month as period,
        term,
        cast(count(*) as {{ dbt.type_bigint() }}) as serving_days
    from district_days
    group by district_code, month, term

),

terms as (

    select
        district_code,
        'term' as period_type,
        term as period,
        term,
        cast(sum(serving_days) as {{ dbt.type_bigint() }}) as serving_days
    from months
    group by district_code, term

),

final as (

    select * from months
    union all
    select * from terms

)

select * from final
