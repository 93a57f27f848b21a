{#
    One row about the build: the as-of date (数据截至) = the latest date in any loaded
    fact, and when the build ran (the only value that depends on the clock).
#}

with

fact_dates as (

    select * from {{ ref('int_fact_dates_summarised') }}

),

final as (

    select
        as_of_date,
        first_fact_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at,
        '{{ invocation_id }}' as invocation_id
    from fact_dates

)

select * from final
