{#
    satisfaction_rate by respondent type (parent / student / teacher) for every selection
    the dashboard's satisfaction page offers: all districts or one, all school stages or
    one, all locations (urban / town / rural) or one - NULL in district_code, stage or
    location means "all". Per term and year, over in-scope responses, with the same
    rules as the KPI tables: target, near band, direction and minimum sample from the
    kpi_definitions seed, the status of macros/kpi_rules.sql, the Wilson interval of the
    seed's interval_method, figures rounded by kpi_round.
#}

{% set dimensions = ['district_code', 'stage', 'location'] %}
{# every subset of the three dimensions beside period and respondent: 8 grouping sets #}
{% set grouping_sets = [] %}
{% for mask in range(2 ** (dimensions | length)) %}
{% set members = ['period_type', 'period', 'respondent'] %}
{% for i in range(dimensions | length) if (mask // (2 ** i)) % 2 == 1 %}
{% do members.append(dimensions[i]) %}
{% endfor %}
{% do grouping_sets.append('(' ~ members | join(', ') ~ ')') %}
{% endfor %}

with

responses as (

    select * from {{ ref('int_survey_responses_scoped') }}
    where is_in_scope

),

schools as (

    select
        school_code,
        stage,
        location
    from {{ ref('stg_schools') }}

),

definitions as (

    select * from {{ ref('kpi_definitions') }}
    where kpi = 'satisfaction_rate'

),

by_period as (

    {% for period_type in ['term', 'year'] -%}
    select
        responses.district_code,
        schools.stage,
        schools.location,
        responses.respondent,
        '{{ period_type }}' as period_type,
        responses.{{ period_type }} as period,
        responses.is_satisfied
    from responses
    left join schools
        on responses.school_code = schools.school_code
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

aggregated as (

    select
        district_code,
        stage,
        location,
        respondent,
        period_type,
        period,
        {% for dimension in dimensions -%}
        grouping({{ dimension }}) = 1 as all_{{ dimension }},
        {% endfor -%}
        cast(sum(case when is_satisfied then 1 else 0 end) as {{ dbt.type_bigint() }}) as satisfied_responses,
        cast(count(*) as {{ dbt.type_bigint() }}) as responses
    from by_period
    group by grouping sets (
        {{ grouping_sets | join(',\n        ') }}
    )

),

-- a group of schools without a stage (or location) cannot be chosen apart from all
selectable as (

    select * from aggregated
    where respondent is not null
        {% for dimension in dimensions -%}
        and ({{ dimension }} is not null or all_{{ dimension }})
        {% endfor %}

),

evaluated as (

    select
        selectable.period_type,
        selectable.period,
        selectable.district_code,
        selectable.stage,
        selectable.location,
        selectable.respondent,
        {{ kpi_round('selectable.satisfied_responses') }} as numerator,
        {{ kpi_round('selectable.responses') }} as denominator,
        {{ kpi_round(safe_divide('selectable.satisfied_responses', 'selectable.responses')) }} as value,
        {{ kpi_round('definitions.target') }} as target,
        case
            when definitions.interval_method = 'wilson'
                then {{ kpi_round(wilson_bound('selectable.satisfied_responses', 'selectable.responses', 'lower')) }}
        end as ci_lower,
        case
            when definitions.interval_method = 'wilson'
                then {{ kpi_round(wilson_bound('selectable.satisfied_responses', 'selectable.responses', 'upper')) }}
        end as ci_upper,
        selectable.responses,
        definitions.near_band,
        definitions.direction,
        definitions.min_sample
    from selectable
    cross join definitions

),

final as (

    select
        period_type,
        period,
        district_code,
        stage,
        location,
        respondent,
        numerator,
        denominator,
        value,
        target,
        {{ kpi_status('value', 'target', 'near_band', 'direction', 'responses', 'min_sample') }} as status,
        ci_lower,
        ci_upper,
        responses
    from evaluated

)

select * from final
