{#
    The participation KPIs per term and month, by district and overall:
      eating_share             sum of schools' average daily lunch students
                               / sum of enrolled            (schools with an enrolment row)
      lunch_demand_met         the same over schools with lunch need (lunch_need > 0)
                               / sum of lunch_need
      after_school_share       sum of average daily after-school students / sum of enrolled
      after_school_demand_met  the same over schools with after-school need
                               (after_school_need > 0) / sum of after_school_need
      reporting_completeness   days reported by lunch-serving schools / sum over those
                               schools of their district's serving days in the period
    Every active school counts in every period in which the jurisdiction reported
    participation: a school that did not report adds its enrolment and needs to the
    denominators and 0 to the numerators (worked example: C). A district without
    enrolment rows has no denominator (no_data downstream); a district whose schools did
    not report has reporting_completeness no_data (no serving days). The jurisdiction's
    figures are the sums over the districts.
#}

with

school_periods as (

    select * from {{ ref('int_school_periods_joined') }}

),

measured as (

    -- each component is NULL for a school outside its KPI, so that a district with no
    -- school in a KPI has no numerator and no denominator (no_data), not 0 / 0
    select
        district_code,
        period_type,
        period,
        days_reported,
        case when has_enrollment then coalesce(avg_daily_lunch_students, 0) end as enrolled_lunch_average,
        case when has_enrollment then enrolled end as enrolled,
        case when lunch_need > 0 then coalesce(avg_daily_lunch_students, 0) end as needing_lunch_average,
        case when lunch_need > 0 then lunch_need end as lunch_need,
        case when has_enrollment then coalesce(avg_daily_after_school_students, 0) end as enrolled_after_school_average,
        case when after_school_need > 0 then coalesce(avg_daily_after_school_students, 0) end as needing_after_school_average,
        case when after_school_need > 0 then after_school_need end as after_school_need,
        case when is_lunch_serving then days_reported end as serving_school_days_reported,
        case when is_lunch_serving then district_serving_days end as serving_school_days_expected
    from school_periods

),

by_district as (

    select
        district_code,
        period_type,
        period,
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

-- the jurisdiction = the sum over the districts
overall as (

    select
        period_type,
        period,
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
    group by period_type, period

),

aggregated as (

    select
        'district' as scope,
        district_code,
        period_type,
        period,
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
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator }} as double) as denominator
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
