{#
    Menus with their school's district and the periods of their date. A menu dated after
    the as-of date (published ahead) is kept but flagged: the KPIs count only menu days
    on or before it.
    Rows of schools outside the active registry are kept, flagged, for the orphan
    listing (dq_orphan_facts); the KPIs and the published fact read only in-scope rows.
#}

with

facts as (

    select * from {{ ref('stg_menus') }}

),

schools as (

    select
        school_code,
        district_code,
        active
    from {{ ref('stg_schools') }}

),

fact_dates as (

    select as_of_date from {{ ref('int_fact_dates_summarised') }}

),

final as (

    select
        facts.school_code,
        schools.district_code,
        facts.menu_date,
        {{ format_month('facts.menu_date') }} as month,
        {{ term_of_date('facts.menu_date') }} as term,
        {{ format_year('facts.menu_date') }} as year,
        facts.dishes,
        facts.meat_dishes,
        facts.has_fruit,
        facts.has_staple,
        facts.meets_standard,
        facts.price,
        facts.published_date,
        facts.menu_text,
        -- menus are published ahead: only days up to the as-of date count in the KPIs
        coalesce(facts.menu_date <= fact_dates.as_of_date, false) as is_on_or_before_as_of,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason
    from facts
    cross join fact_dates
    left join schools
        on facts.school_code = schools.school_code

)

select * from final
