{#
    The participation KPIs per term and month, by district and overall:
      eating_share             sum of schools' average daily lunch students
                               / sum of enrolled            (schools with an enrolment row)
      lunch_demand_met         the same over schools with a lunch_need figure / sum of lunch_need
      after_school_share       sum of average daily after-school students / sum of enrolled
      after_school_demand_met  the same over schools with an after_school_need figure
                               / sum of after_school_need
      reporting_completeness   days reported by lunch-serving schools / sum over those
                               schools of their district's serving days in the period
    A district in which no active school reported in the period has no data for these
    KPIs (numerator and denominator null), so that it shows as no_data, not as 0; the
    jurisdiction's figures are the sums over the districts that have data.
#}

with

school_periods as (

    select * from {{ ref('int_school_periods_joined') }}

),

measured as (

    select
        district_code,
        period_type,
        period,
        days_reported,
        case when has_enrollment then coalesce(avg_daily_lunch_students, 0) end as enrolled_lunch_average,
        case when has_enrollment then enrolled end as enrolled,
        case when lunch_need is not null then coalesce(avg_daily_lunch_students, 0) end as needing_lunch_average,
        lunch_need,
        case when has_enrollment then coalesce(avg_daily_after_school_students, 0) end as enrolled_after_school_average,
        case when after_school_need is not null then coalesce(avg_daily_after_school_students, 0) end as needing_after_school_average,
        after_school_need,
        case when is_lunch_serving then days_reported else 0 end as serving_school_days_reported,
        case when is_lunch_serving then district_serving_days else 0 end as serving_school_days_expected
    from school_periods

),

by_district as (

    select
        district_code,
        period_type,
        period,
        coalesce(sum(days_reported), 0) > 0 as has_data,
        sum(enrolled_lunch_average) as eating_numerator,
        cast(sum(enrolled) as {{ dbt.type_bigint() }}) as enrolled_denominator,
        sum(needing_lunch_average) as lunch_demand_numerator,
        cast(sum(lunch_need) as {{ dbt.type_bigint() }}) as lunch_demand_denominator,
        sum(enrolled_after_school_average) as after_school_numerator,
        sum(needing_after_school_average) as after_school_demand_numerator,
        cast(sum(after_school_need) as {{ dbt.type_bigint() }}) as after_school_demand_denominator,
        cast(sum(serving_school_days_reported) as {{ dbt.type_bigint() }}) as completeness_numerator,
        cast(sum(serving_school_days_expected) as {{ dbt.type_bigint() }}) as completeness_denominator
    from measured
    group by district_code, period_type, period

),

-- the jurisdiction = the sum over the districts that have data in the period
overall as (

    select
        period_type,
        period,
        true as has_data,
        sum(eating_numerator) as eating_numerator,
        cast(sum(enrolled_denominator) as {{ dbt.type_bigint() }}) as enrolled_denominator,
        sum(lunch_demand_numerator) as lunch_demand_numerator,
        cast(sum(lunch_demand_denominator) as {{ dbt.type_bigint() }}) as lunch_demand_denominator,
        sum(after_school_numerator) as after_school_numerator,
        sum(after_school_demand_numerator) as after_school_demand_numerator,
        cast(sum(after_school_demand_denominator) as {{ dbt.type_bigint() }}) as after_school_demand_denominator,
        cast(sum(completeness_numerator) as {{ dbt.type_bigint() }}) as completeness_numerator,
        cast(sum(completeness_denominator) as {{ dbt.type_bigint() }}) as completeness_denominator
    from by_district
    where has_data
    group by period_type, period

),

aggregated as (

    select
        'district' as scope,
        district_code,
        period_type,
        period,
        has_data,
        eating_numerator,
        enrolled_denominator,
        lunch_demand_numerator,
        lunch_demand_denominator,
        after_school_numerator,
        after_school_demand_numerator,
        after_school_demand_denominator,
        completeness_numerator,
        completeness_denominator
    from by_district
    union all
    select
        'overall' as scope,
        cast(null as {{ dbt.type_string() }}) as district_code,
        period_type,
        period,
        has_data,
        eating_numerator,
        enrolled_denominator,
        lunch_demand_numerator,
        lunch_demand_denominator,
        after_school_numerator,
        after_school_demand_numerator,
        after_school_demand_denominator,
        completeness_numerator,
        completeness_denominator
    from overall

),

unpivoted as (

    {% set components = [
        ('eating_share', 'eating_numerator', 'enrolled_denominator'),
        ('lunch_demand_met', 'lunch_demand_numerator', 'lunch_demand_denominator'),
        ('after_school_share', 'after_school_numerator', 'enrolled_denominator'),
        ('after_school_demand_met', 'after_school_demand_numerator', 'after_school_demand_denominator'),
        ('reporting_completeness', 'completeness_numerator', 'completeness_denominator'),
    ] %}
    {% for kpi, numerator, denominator in components -%}
    select
        scope,
        district_code,
        '{{ kpi }}' as kpi,
        period_type,
        period,
        case when has_data then cast({{ numerator }} as double) end as numerator,
        case when has_data then cast({{ denominator }} as double) end as denominator
    from aggregated
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        scope,
        district_code,
        kpi,
        period_type,
        period,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} as value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from unpivoted

)

select * from final
