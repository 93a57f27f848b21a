{#
    The issue KPIs per term, month and year of the found date, by district and overall:
      issue_closure_rate    issues whose latest status is closed / issues found
      issue_on_time_rate    issues closed on or before their deadline / issues with a
                            deadline that are closed, or not closed with the deadline
                            before the as-of date
      median_days_to_close  median of closed_date - found_date over closed issues
                            (numerator and denominator null; the overall median is taken
                            over all issues, not over district medians)
#}

with

issues as (

    select * from {{ ref('int_issues_scoped') }}
    where is_in_scope

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
    from aggregated
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
    from aggregated
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
    from aggregated

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
