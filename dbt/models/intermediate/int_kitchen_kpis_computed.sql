{#
    The kitchen-supervision KPIs, by district and overall (docs/kpis.md#supervision).
    Kitchen schools (lunch-serving, self_run or central_kitchen) are judged at the
    period's last day (int_school_service_judged).
      camera_coverage        (term) kitchen schools with a snapshot in the term with
                             cameras >= 1 / kitchen schools
      camera_online_rate     (month, term) sum of online / sum of cameras over the
                             period's snapshots of kitchen schools
      weekly_check_rate      (month, term) school-weeks of kitchen schools having a serving
                             day and a weekly check dated in that ISO week / school-weeks of
                             kitchen schools having a serving day; a week belongs to the
                             period of its Monday
      canteen_standard_rate  (term, year) kitchen schools whose latest standard check dated
                             on or before the period's last day passed / kitchen schools (no
                             such check: not met). Two checks on that day: the larger
                             check_id is the latest.
    A KPI has rows for the periods in which the jurisdiction has rows of its own source
    (snapshots; canteen checks); every district gets a row in them.
#}

with

snapshots as (

    select * from {{ ref('int_kitchen_cameras_scoped') }}
    where is_in_scope

),

checks as (

    select * from {{ ref('int_canteen_checks_scoped') }}
    where is_in_scope

),

participation as (

    select * from {{ ref('int_participation_days_scoped') }}
    where is_in_scope and lunch_students > 0

),

kitchens as (

    select * from {{ ref('int_school_service_judged') }}
    where is_kitchen_school

),

registered_districts as (

    select district_code from {{ ref('stg_districts') }}

),

-- camera_online_rate ------------------------------------------------------------------

snapshots_by_period as (

    {% for period_type in ['month', 'term'] -%}
    select
        school_code,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period,
        cameras,
        online
    from snapshots
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

online_components as (

    select
        kitchens.district_code,
        'camera_online_rate' as kpi,
        snapshots_by_period.period_type,
        snapshots_by_period.period,
        sum(snapshots_by_period.online) as numerator,
        sum(snapshots_by_period.cameras) as denominator
    from snapshots_by_period
    inner join kitchens
        on snapshots_by_period.school_code = kitchens.school_code
        and snapshots_by_period.period_type = kitchens.period_type
        and snapshots_by_period.period = kitchens.period
    group by kitchens.district_code, snapshots_by_period.period_type, snapshots_by_period.period

),

-- camera_coverage ---------------------------------------------------------------------

snapshot_terms as (

    select distinct term from snapshots

),

covered_terms as (

    select distinct
        school_code,
        term
    from snapshots
    where cameras >= 1

),

coverage_components as (

    select
        kitchens.district_code,
        'camera_coverage' as kpi,
        kitchens.period_type,
        kitchens.period,
        sum(case when covered_terms.school_code is not null then 1 else 0 end) as numerator,
        count(*) as denominator
    from kitchens
    inner join snapshot_terms
        on kitchens.period = snapshot_terms.term
    left join covered_terms
        on kitchens.school_code = covered_terms.school_code
        and kitchens.period = covered_terms.term
    where kitchens.period_type = 'term'
    group by kitchens.district_code, kitchens.period_type, kitchens.period

),

-- weekly_check_rate -------------------------------------------------------------------

school_weeks as (

    select distinct
        school_code,
        {{ week_monday('participation_date') }} as week_monday
    from participation

),

checked_weeks as (

    select distinct
        school_code,
        week_monday
    from checks
    where kind = 'weekly'

),

weeks_by_period as (

    {% for period_type in ['month', 'term'] -%}
    select
        school_weeks.school_code,
        '{{ period_type }}' as period_type,
        {% if period_type == 'month' -%}
        {{ format_month('school_weeks.week_monday') }} as period,
        {%- else -%}
        {{ term_of_date('school_weeks.week_monday') }} as period,
        {%- endif %}
        checked_weeks.school_code is not null as is_checked
    from school_weeks
    left join checked_weeks
        on school_weeks.school_code = checked_weeks.school_code
        and school_weeks.week_monday = checked_weeks.week_monday
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

weekly_components as (

    select
        kitchens.district_code,
        'weekly_check_rate' as kpi,
        weeks_by_period.period_type,
        weeks_by_period.period,
        sum(case when weeks_by_period.is_checked then 1 else 0 end) as numerator,
        count(*) as denominator
    from weeks_by_period
    inner join kitchens
        on weeks_by_period.school_code = kitchens.school_code
        and weeks_by_period.period_type = kitchens.period_type
        and weeks_by_period.period = kitchens.period
    group by kitchens.district_code, weeks_by_period.period_type, weeks_by_period.period

),

-- canteen_standard_rate ---------------------------------------------------------------

check_periods as (

    select distinct
        'term' as period_type,
        term as period
    from checks
    union
    select distinct
        'year' as period_type,
        year as period
    from checks

),

kitchen_periods as (

    select kitchens.*
    from kitchens
    inner join check_periods
        on kitchens.period_type = check_periods.period_type
        and kitchens.period = check_periods.period

),

latest_standard as (

    select
        kitchen_periods.school_code,
        kitchen_periods.period_type,
        kitchen_periods.period,
        checks.is_passed
    from kitchen_periods
    inner join checks
        on kitchen_periods.school_code = checks.school_code
        and kitchen_periods.period_end_date >= checks.check_date
    where checks.kind = 'standard'
    qualify
        row_number() over (
            partition by kitchen_periods.school_code, kitchen_periods.period_type, kitchen_periods.period
            order by checks.check_date desc, checks.check_id desc
        ) = 1

),

standard_components as (

    select
        kitchen_periods.district_code,
        'canteen_standard_rate' as kpi,
        kitchen_periods.period_type,
        kitchen_periods.period,
        sum(case when latest_standard.is_passed then 1 else 0 end) as numerator,
        count(*) as denominator
    from kitchen_periods
    left join latest_standard
        on kitchen_periods.school_code = latest_standard.school_code
        and kitchen_periods.period_type = latest_standard.period_type
        and kitchen_periods.period = latest_standard.period
    group by kitchen_periods.district_code, kitchen_periods.period_type, kitchen_periods.period

),

-- every KPI ---------------------------------------------------------------------------

components as (

    select * from online_components
    union all
    select * from coverage_components
    union all
    select * from weekly_components
    union all
    select * from standard_components

),

kpi_periods as (

    {% for period_type in ['month', 'term'] -%}
    select distinct
        'camera_online_rate' as kpi,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period
    from snapshots
    union all
    select distinct
        'weekly_check_rate' as kpi,
        '{{ period_type }}' as period_type,
        {{ period_type }} as period
    from checks
    union all
    {% endfor -%}
    select
        'camera_coverage' as kpi,
        'term' as period_type,
        term as period
    from snapshot_terms
    union all
    select
        'canteen_standard_rate' as kpi,
        period_type,
        period
    from check_periods

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
