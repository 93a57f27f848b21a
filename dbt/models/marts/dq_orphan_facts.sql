{#
    Cross-source rule violations, one row per source x reason x school (or district):
    facts whose school is not in the registry or is inactive (excluded from the KPIs),
    and registry or funding rows naming a district that is not in the districts list
    (kept in the KPIs under the district code they name). They land (loads are
    order-independent) and are listed here until a later load resolves them.
#}

with

schools as (

    select * from {{ ref('stg_schools') }}

),

districts as (

    select * from {{ ref('stg_districts') }}

),

participation as (

    select
        'participation' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(cast(participation_date as {{ dbt.type_string() }})) as example_key,
        min(participation_date) as first_date,
        max(participation_date) as last_date
    from {{ ref('int_participation_days_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

enrollment as (

    select
        'enrollment' as source,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as reason,
        enrollment.school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(enrollment.term) as example_key,
        cast(null as date) as first_date,
        cast(null as date) as last_date
    from {{ ref('stg_enrollment') }} as enrollment
    left join schools
        on enrollment.school_code = schools.school_code
    where not coalesce(schools.active, false)
    group by
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }},
        enrollment.school_code

),

survey as (

    select
        'survey' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(response_id) as example_key,
        min(survey_date) as first_date,
        max(survey_date) as last_date
    from {{ ref('int_survey_responses_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

issues as (

    select
        'issues' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(issue_id) as example_key,
        min(found_date) as first_date,
        max(found_date) as last_date
    from {{ ref('int_issues_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

school_districts as (

    select
        'schools' as source,
        'district_not_in_registry' as reason,
        cast(null as {{ dbt.type_string() }}) as school_code,
        schools.district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(schools.school_code) as example_key,
        cast(null as date) as first_date,
        cast(null as date) as last_date
    from schools
    left join districts
        on schools.district_code = districts.district_code
    where districts.district_code is null
    group by schools.district_code

),

budget_districts as (

    select
        'budget' as source,
        'district_not_in_registry' as reason,
        cast(null as {{ dbt.type_string() }}) as school_code,
        budget.district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(budget.budget_id) as example_key,
        min(budget.allocated_date) as first_date,
        max(budget.allocated_date) as last_date
    from {{ ref('stg_budget') }} as budget
    left join districts
        on budget.district_code = districts.district_code
    where districts.district_code is null
    group by budget.district_code

),

expenditure_districts as (

    select
        'expenditure' as source,
        'district_not_in_registry' as reason,
        cast(null as {{ dbt.type_string() }}) as school_code,
        expenditure.district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(expenditure.expenditure_id) as example_key,
        min(expenditure.expenditure_date) as first_date,
        max(expenditure.expenditure_date) as last_date
    from {{ ref('stg_expenditure') }} as expenditure
    left join districts
        on expenditure.district_code = districts.district_code
    where districts.district_code is null
    group by expenditure.district_code

),

unioned as (

    select * from participation
    union all
    select * from enrollment
    union all
    select * from survey
    union all
    select * from issues
    union all
    select * from school_districts
    union all
    select * from budget_districts
    union all
    select * from expenditure_districts

),

final as (

    select
        {{ dbt.concat(["source", "':'", "reason", "':'", "coalesce(school_code, district_code)"]) }} as orphan_key,
        source,
        reason,
        school_code,
        district_code,
        row_count,
        reason <> 'district_not_in_registry' as is_excluded_from_kpis,
        example_key,
        first_date,
        last_date
    from unioned

)

select * from final
