{#
    training_person_times per term and year, by district and overall
    (docs/kpis.md#supervision): the sum of person_times of the training sessions dated in
    the period, for the district the session names. A count: value = numerator, no
    denominator, no target. The jurisdiction's figure is the sum of the districts'; a
    district without training in a period in which the jurisdiction has some counts 0.
#}

with

training as (

    select * from {{ ref('stg_training') }}

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

by_period as (

    select
        district_code,
        'term' as period_type,
        {{ term_of_date('training_date') }} as period,
        person_times
    from training
    union all
    select
        district_code,
        'year' as period_type,
        {{ format_year('training_date') }} as period,
        person_times
    from training

),

components as (

    select
        district_code,
        'training_person_times' as kpi,
        period_type,
        period,
        sum(person_times) as numerator,
        cast(null as double) as denominator
    from by_period
    group by district_code, period_type, period

),

kpi_periods as (

    select distinct
        'training_person_times' as kpi,
        period_type,
        period
    from by_period

),

districts as (

    select district_code from registered_districts
    union
    select district_code from components
    where district_code is not null

),

{{ kpi_rows_for_every_district('components', 'kpi_periods', 'districts', has_denominator=false) }},

final as (

    select
        scope,
        district_code,
        kpi,
        period_type,
        period,
        numerator,
        denominator,
        numerator as value,
        cast(null as {{ dbt.type_bigint() }}) as sample_size
    from counted

)

select * from final
