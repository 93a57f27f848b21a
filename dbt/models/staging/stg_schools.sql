with

source as (

    select * from {{ source('raw', 'schools') }}

),

current_rows as (

    -- latest load wins: the highest batch, then the last row of that batch
    select *
    from source
    where school_code is not null
    qualify
        row_number() over (
            partition by school_code
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        school_code,
        district_code,
        school_name,
        stage,
        ownership,
        location,
        lunch_mode,
        coalesce(lunch_mode <> 'none', false) as has_lunch_service,
        coalesce(has_after_school, false) as has_after_school,
        coalesce(nutrition_plan, false) as nutrition_plan,
        coalesce(active, true) as active,
        lunch_start_date,
        after_school_start_date,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
