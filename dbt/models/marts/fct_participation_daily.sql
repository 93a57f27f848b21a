{{ config(materialized='view') }}

{#
    A view over the school-day table built in intermediate: the largest fact is stored
    once, not twice.
#}

with

school_days as (

    select * from {{ ref('int_participation_days_scoped') }}
    where is_in_scope

),

final as (

    select
        school_code,
        district_code,
        {{ format_month('participation_date') }} as month,
        {{ term_of_date('participation_date') }} as term,
        lunch_students,
        after_school_students,
        participation_date
    from school_days

)

select * from final
