with

districts as (

    select * from {{ ref('stg_districts') }}

),

schools as (

    select * from {{ ref('stg_schools') }}

),

school_counts as (

    select
        district_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as registered_schools,
        cast(sum(case when active then 1 else 0 end) as {{ dbt.type_bigint() }}) as active_schools
    from schools
    group by district_code

),

final as (

    select
        districts.district_code,
        districts.district_name,
        districts.district_kind,
        coalesce(school_counts.registered_schools, 0) as registered_schools,
        coalesce(school_counts.active_schools, 0) as active_schools
    from districts
    left join school_counts
        on districts.district_code = school_counts.district_code

)

select * from final
