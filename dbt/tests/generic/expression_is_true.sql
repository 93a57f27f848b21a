{#
    Every row satisfies a SQL condition (e.g. `value is null or value >= 0`).
    Fails with the rows that do not. Narrow the rows checked with the test's
    `config: {where: ...}`.
#}
{% test expression_is_true(model, expression) %}

with checked as (

    select * from {{ model }}

),

final as (

    select * from checked
    where not coalesce(({{ expression }}), false)

)

select * from final

{% endtest %}
