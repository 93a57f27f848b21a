{#
    The meal-supervision KPIs per month and term, by district and overall
    (docs/kpis.md#supervision). A serving day is a school's date with lunch_students > 0;
    schools are judged lunch-serving at the period's last day (int_school_service_judged).
      leader_meal_rate      serving days with at least one school_leader 陪餐 record of
                            that school and date / serving days
      menu_disclosure_rate  serving days whose menu row was published on or before the
                            Monday of the day's ISO week / serving days
      menu_standard_rate    menu days on or before the as-of date meeting 两菜一水果加主食
                            (dishes >= 2, fruit, staple) / menu days on or before the as-of date
    A KPI has rows for the periods in which the jurisdiction has rows of its own source
    (陪餐 records; menus up to the as-of date); every district gets a row in them.
#}

with

participation as (

    select * from {{ ref('int_participation_days_scoped') }}
    where is_in_scope and lunch_students > 0

),

companions as (

    select * from {{ ref('int_meal_companions_scoped') }}
    where is_in_scope

),

menus as (

    select * from {{ ref('int_menus_scoped') }}
    where is_in_scope and is_on_or_before_as_of

),

judged as (

    select * from {{ ref('int_school_service_judged') }}
    where is_lunch_serving and period_type in ('month', 'term')

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

leader_days as (

    select distinct
        school_code,
        meal_date
    from companions
    where is_school_leader

),

serving_days as (

    select
        participation.school_code,
        participation.district_code,
        {{ format_month('participation.participation_date') }} as month,
        {{ term_of_date('participation.participation_date') }} as term,
        leader_days.school_code is not null as has_leader_meal,
        coalesce(
            menus.published_date <= {{ week_monday('participation.participation_date') }}, false
        ) as has_published_menu
    from participation
    left join leader_days
        on participation.school_code = leader_days.school_code
        and participation.participation_date = leader_days.meal_date
    left join menus
        on participation.school_code = menus.school_code
        and participation.participation_date = menus.menu_date

),

days_by_period as (

    {% for period_type in ['month', 'term'] -%}
    select
        school_code,
        district_code,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period,
        has_leader_meal,
        has_published_menu
    from serving_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

menus_by_period as (

    {% for period_type in ['month', 'term'] -%}
    select
        school_code,
        district_code,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period,
        meets_standard
    from menus
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

judged_days as (

    select days_by_period.*
    from days_by_period
    inner join judged
        on days_by_period.school_code = judged.school_code
        and days_by_period.period_type = judged.period_type
        and days_by_period.period = judged.period

),

judged_menus as (

    select menus_by_period.*
    from menus_by_period
    inner join judged
        on menus_by_period.school_code = judged.school_code
        and menus_by_period.period_type = judged.period_type
        and menus_by_period.period = judged.period

),

components as (

    select
        district_code,
        'leader_meal_rate' as kpi,
        period_type,
        period,
        sum(case when has_leader_meal then 1 else 0 end) as numerator,
        count(*) as denominator
    from judged_days
    group by district_code, period_type, period
    union all
    select
        district_code,
        'menu_disclosure_rate' as kpi,
        period_type,
        period,
        sum(case when has_published_menu then 1 else 0 end) as numerator,
        count(*) as denominator
    from judged_days
    group by district_code, period_type, period
    union all
    select
        district_code,
        'menu_standard_rate' as kpi,
        period_type,
        period,
        sum(case when meets_standard then 1 else 0 end) as numerator,
        count(*) as denominator
    from judged_menus
    group by district_code, period_type, period

),

kpi_periods as (

    {% for period_type in ['month', 'term'] -%}
    select distinct
        'leader_meal_rate' as kpi,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period
    from companions
    union all
    {% for kpi in ['menu_standard_rate', 'menu_disclosure_rate'] -%}
    select distinct
        '{{ kpi }}' as kpi,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period
    from menus
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

districts as (

    select district_code from registered_districts
    union
    select district_code from components
    where district_code is not null

),

{{ kpi_rows_for_every_district('components', 'kpi_periods', 'districts') }},

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
    from counted

)

select * from final
