{#
    Cross-source rule violations, one row per source x reason x school (or district):
    facts whose school is not in the registry or is inactive (excluded from the KPIs),
    registry, funding or training rows naming a district that is not in the districts
    list (kept in the KPIs under the district code they name), and deliveries from a
    supplier that is not in the supplier registry (kept in the KPIs, counted as not
    certified; one row per receiving school, example_key = the smallest unknown
    supplier_id). They land (loads are
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

meal_companions as (

    select
        'meal_companions' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(record_id) as example_key,
        min(meal_date) as first_date,
        max(meal_date) as last_date
    from {{ ref('int_meal_companions_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

menus as (

    select
        'menus' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(cast(menu_date as {{ dbt.type_string() }})) as example_key,
        min(menu_date) as first_date,
        max(menu_date) as last_date
    from {{ ref('int_menus_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

kitchen_cameras as (

    select
        'kitchen_cameras' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(cast(snapshot_date as {{ dbt.type_string() }})) as example_key,
        min(snapshot_date) as first_date,
        max(snapshot_date) as last_date
    from {{ ref('int_kitchen_cameras_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

canteen_checks as (

    select
        'canteen_checks' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(check_id) as example_key,
        min(check_date) as first_date,
        max(check_date) as last_date
    from {{ ref('int_canteen_checks_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

deliveries as (

    select
        'deliveries' as source,
        scope_exclusion_reason as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(delivery_id) as example_key,
        min(delivery_date) as first_date,
        max(delivery_date) as last_date
    from {{ ref('int_deliveries_scoped') }}
    where not is_in_scope
    group by scope_exclusion_reason, school_code

),

unknown_suppliers as (

    select
        'deliveries' as source,
        'supplier_not_in_registry' as reason,
        school_code,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(supplier_id) as example_key,
        min(delivery_date) as first_date,
        max(delivery_date) as last_date
    from {{ ref('int_deliveries_scoped') }}
    where is_in_scope and not supplier_known
    group by school_code

),

training_districts as (

    select
        'training' as source,
        'district_not_in_registry' as reason,
        cast(null as {{ dbt.type_string() }}) as school_code,
        training.district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(training.training_id) as example_key,
        min(training.training_date) as first_date,
        max(training.training_date) as last_date
    from {{ ref('stg_training') }} as training
    left join districts
        on training.district_code = districts.district_code
    where districts.district_code is null
    group by training.district_code

),

supplier_districts as (

    select
        'suppliers' as source,
        'district_not_in_registry' as reason,
        cast(null as {{ dbt.type_string() }}) as school_code,
        suppliers.district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        min(suppliers.supplier_id) as example_key,
        cast(null as date) as first_date,
        cast(null as date) as last_date
    from {{ ref('stg_suppliers') }} as suppliers
    left join districts
        on suppliers.district_code = districts.district_code
    where suppliers.district_code is not null and districts.district_code is null
    group by suppliers.district_code

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
    union all
    select * from meal_companions
    union all
    select * from menus
    union all
    select * from kitchen_cameras
    union all
    select * from canteen_checks
    union all
    select * from deliveries
    union all
    select * from unknown_suppliers
    union all
    select * from training_districts
    union all
    select * from supplier_districts

),

final as (

    select
        {{ dbt.concat(["source", "':'", "reason", "':'", "coalesce(school_code, district_code)"]) }} as orphan_key,
        source,
        reason,
        school_code,
        district_code,
        row_count,
        reason in ('school_not_in_registry', 'school_inactive') as is_excluded_from_kpis,
        example_key,
        first_date,
        last_date
    from unioned

)

select * from final
