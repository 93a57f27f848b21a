with

source as (

    select * from {{ source('raw', 'issues') }}

),

current_rows as (

    -- latest load wins: a later file re-issues an issue with its new status
    select *
    from source
    where issue_id is not null
    qualify
        row_number() over (
            partition by issue_id
            order by _batch_seq desc nulls last, _row_number desc nulls last
        ) = 1

),

final as (

    select
        issue_id,
        school_code,
        source as issue_source,
        category,
        severity,
        status,
        description,
        coalesce(status = 'closed', false) as is_closed,
        found_date,
        deadline as deadline_date,
        -- a closed date only means something for a closed issue
        case when status = 'closed' then closed_date end as closed_date,
        _load_id as source_load_id,
        _batch_seq as source_batch_seq,
        _file_name as source_file_name,
        _row_number as source_row_number
    from current_rows

)

select * from final
