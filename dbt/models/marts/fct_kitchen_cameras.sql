{# 明厨亮灶 daily snapshots of registered, in-scope schools. #}

with

facts as (

    select * from {{ ref('int_kitchen_cameras_scoped') }}
    where is_in_scope

),

final as (

    select
        school_code,
        district_code,
        snapshot_date,
        month,
        term,
        year,
        cameras,
        online
    from facts

)

select * from final
