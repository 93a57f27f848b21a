{#
    lunch_coverage and after_school_coverage per term, by district and overall.
      lunch_coverage         active schools with lunch_mode <> none and lunch_start_date
                             <= term end / active schools
      after_school_coverage  active schools with has_after_school and (no start date or
                             start <= term end) / active schools
    Terms: those in which any active school reported participation or has an enrolment row.
#}

with

schools as (

    select * from {{ ref('stg_schools') }}
    where active

),

school_periods as (

    select * from {{ ref('int_school_periods_aggregated') }}

),

enrollment as (

    select * from {{ ref('int_enrollment_periods_mapped') }}

),

calendar as (

    select * from {{ ref('int_calendar_periods_generated') }}
    where period_type = 'term'

),

terms_with_data as (

    select period from school_periods
    where period_type = 'term'
    union
    select period from enrollment
    where period_type = 'term'

),

school_terms as (

    select
        schools.district_code,
        calendar.period_type,
        calendar.period,
        {{ is_lunch_serving('schools.lunch_mode', 'schools.lunch_start_date', 'calendar.period_end_date') }} as is_lunch_serving,
        {{ is_after_school_serving('schools.has_after_school', 'schools.after_school_start_date', 'calendar.period_end_date') }} as is_after_school_serving
    from schools
    cross join terms_with_data
    inner join calendar
        on terms_with_data.period = calendar.period

),

aggregated as (

    select
        {{ kpi_scope() }} as scope,
        district_code,
        period_type,
        period,
        cast(sum(case when is_lunch_serving then 1 else 0 end) as {{ dbt.type_bigint() }}) as lunch_serving_schools,
        cast(sum(case when is_after_school_serving then 1 else 0 end) as {{ dbt.type_bigint() }}) as after_school_serving_schools,
        cast(count(*) as {{ dbt.type_bigint() }}) as active_schools
    from school_terms
    group by {{ kpi_grouping_sets() }}

),

unpivoted as (

    select
        scope,
        district_code,
        'lunch_coverage' as kpi,
        period_type,
        period,
        lunch_serving_schools as numerator,
        active_schools as denominator
    from aggregated
    union all
    select
        scope,
        district_code,
        'after_school_coverage' as kpi,
        period_type,
        period,
        after_school_serving_schools as numerator,
        active_schools as denominator
    from aggregated

),

final as (

    select
        scope,
        district_code,
        kpi,
        period_type,
        period,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        {{ safe_divide('numerator', 'denominator') }} as value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from unpivoted

)

select * from final
