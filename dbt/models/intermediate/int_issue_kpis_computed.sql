{#
    The issue KPIs per term, month and year of the found date, by district and overall:
      issue_closure_rate    issues whose latest status is closed / issues found
      issue_on_time_rate    issues closed on or before their deadline / issues with a
                            deadline that are closed, or not closed with the deadline
                            before the as-of date
      median_days_to_close  median of closed_date - found_date over closed issues
                            (numerator and denominator null; the overall median is taken
                            over all issues, not over district medians)
    In a period in which the jurisdiction has issues, every district without an issue
    found in it (the registry's districts and any district named by the data) counts
    0 found, 0 closed, 0 due: numerator 0 and denominator 0, so its value is null
    (no_data downstream) but "0 issues found" is stated, not left unknown.
#}

with

issues as (

    select * from {{ ref('int_issues_scoped') }}
    where is_in_scope

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

by_period as (

    {% for period_type in ['term', 'month', 'year'] -%}
    select
        district_code,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period,
        is_closed,
        is_closed_on_time,
        is_on_time_eligible,
        days_to_close
    from issues
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

aggregated as (

    select
        {{ kpi_scope() }} as scope,
        district_code,
        period_type,
        period,
        cast(count(*) as {{ dbt.type_bigint() }}) as issues_found,
        cast(sum(case when is_closed then 1 else 0 end) as {{ dbt.type_bigint() }}) as issues_closed,
        cast(sum(case when is_closed_on_time then 1 else 0 end) as {{ dbt.type_bigint() }}) as issues_closed_on_time,
        cast(sum(case when is_on_time_eligible then 1 else 0 end) as {{ dbt.type_bigint() }}) as issues_due,
        cast(median(days_to_close) as double) as median_days_to_close
    from by_period
    group by {{ kpi_grouping_sets() }}

),

districts as (

    select district_code from registered_districts
    union
    select district_code from issues
    where district_code is not null

),

-- periods in which the jurisdiction has issue data
issue_periods as (

    select
        period_type,
        period
    from aggregated
    where scope = 'overall'

),

district_counts as (

    select
        'district' as scope,
        districts.district_code,
        issue_periods.period_type,
        issue_periods.period,
        coalesce(aggregated.issues_found, 0) as issues_found,
        coalesce(aggregated.issues_closed, 0) as issues_closed,
        coalesce(aggregated.issues_closed_on_time, 0) as issues_closed_on_time,
        coalesce(aggregated.issues_due, 0) as issues_due,
        aggregated.median_days_to_close
    from issue_periods
    cross join districts
    left join aggregated
        on aggregated.scope = 'district'
        and districts.district_code = aggregated.district_code
        and issue_periods.period_type = aggregated.period_type
        and issue_periods.period = aggregated.period

),

counted as (

    select
        scope,
        district_code,
        period_type,
        period,
        issues_found,
        issues_closed,
        issues_closed_on_time,
        issues_due,
        median_days_to_close
    from aggregated
    where scope = 'overall'
    union all
    select
        scope,
        district_code,
        period_type,
        period,
        issues_found,
        issues_closed,
        issues_closed_on_time,
        issues_due,
        median_days_to_close
    from district_counts

),

unpivoted as (

    select
        scope,
        district_code,
        'issue_closure_rate' as kpi,
        period_type,
        period,
        cast(issues_closed as double) as numerator,
        cast(issues_found as double) as denominator,
        {{ safe_divide('issues_closed', 'issues_found') }} as value
    from counted
    union all
    select
        scope,
        district_code,
        'issue_on_time_rate' as kpi,
        period_type,
        period,
        cast(issues_closed_on_time as double) as numerator,
        cast(issues_due as double) as denominator,
        {{ safe_divide('issues_closed_on_time', 'issues_due') }} as value
    from counted
    union all
    select
        scope,
        district_code,
        'median_days_to_close' as kpi,
        period_type,
        period,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        median_days_to_close as value
    from counted

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
        value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from unpivoted

)

select * from final
