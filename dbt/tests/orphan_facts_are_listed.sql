{#
    What: facts that do not fit the registry - participation, enrolment, survey or issue
    rows of a school that is not an active registry school (excluded from the KPIs), and
    school or funding rows naming a district missing from the districts list.
    When it matters: the KPIs of the schools concerned are understated until the
    registry catches up; a warning, not an error, because loads are order-independent.
    How to resolve: load the missing school / district rows (or correct the codes in the
    fact files); the next build drops them from this list.
#}
{{ config(severity='warn') }}

with

orphans as (

    select * from {{ ref('dq_orphan_facts') }}

),

final as (

    select
        source,
        reason,
        school_code,
        district_code,
        row_count,
        example_key
    from orphans

)

select * from final
