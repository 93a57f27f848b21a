{#
    The model has between min_rows and max_rows rows (inclusive).
    Fails with one row carrying the actual count when it is out of range.
#}
{% test row_count_between(model, min_rows=0, max_rows=none) %}

with counted as (

    select count(*) as row_count from {{ model }}

),

final as (

    select * from counted
    where
        row_count < {{ min_rows }}
        -- without max_rows the upper bound never fails
        or row_count > {{ max_rows if max_rows is not none else 'row_count' }}

)

select * from final

{% endtest %}
