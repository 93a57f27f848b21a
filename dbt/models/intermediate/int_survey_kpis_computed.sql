{#
    satisfaction_rate per term and year, by district and overall: responses with an
    overall score of 4 or 5 / responses. sample_size carries the number of responses
    (fewer than the KPI's minimum sample -> insufficient_sample downstream).
#}

with

responses as (

    select * from {{ ref('int_survey_responses_scoped') }}
    where is_in_scope

),

by_period as (

    select
        district_code,
        'term' as period_type,
        term as period,
        is_satisfied
    from responses
    union all
    select
        district_code,
        'year' as period_type,
        year as period,
        is_satisfied
    from responses

),

aggregated as (

    select
        {{ kpi_scope() }} as scope,
        district_code,
        period_type,
        period,
        cast(sum(case when is_satisfied then 1 else 0 end) as {{ dbt.type_bigint() }}) as satisfied_responses,
        cast(count(*) as {{ dbt.type_bigint() }}) as responses
    from by_period
    group by {{ kpi_grouping_sets() }}

),

final as (

    select
        scope,
        district_code,
        'satisfaction_rate' as kpi,
        period_type,
        period,
        cast(satisfied_responses as double) as numerator,
        cast(responses as double) as denominator,
        {{ safe_divide('satisfied_responses', 'responses') }} as value,
        responses as sample_size
    from aggregated

)

select * from final
