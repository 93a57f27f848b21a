{#
    KPI status, checked in the order of docs/kpis.md#status:
      1. no target                          -> null
      2. value null (denominator 0/absent)  -> 'no_data'
      3. sample below the KPI's minimum     -> 'insufficient_sample'
      4. met / near / missed against target and near band, in the KPI's direction.
    A tolerance of 1e-9 keeps values that equal a target (0.95 = 19/20) from missing it
    by a floating-point hair.
#}
{% macro kpi_status(value, target, near_band, direction, sample_size, min_sample) -%}
    case
        when {{ target }} is null then cast(null as {{ dbt.type_string() }})
        when {{ value }} is null then 'no_data'
        when {{ min_sample }} is not null
            and coalesce({{ sample_size }}, 0) < {{ min_sample }} then 'insufficient_sample'
        when {{ direction }} = 'lower_is_better' then
            case
                when {{ value }} <= {{ target }} + 1e-9 then 'met'
                when {{ value }} <= {{ target }} + coalesce({{ near_band }}, 0) + 1e-9 then 'near'
                else 'missed'
            end
        when {{ value }} >= {{ target }} - 1e-9 then 'met'
        when {{ value }} >= {{ target }} - coalesce({{ near_band }}, 0) - 1e-9 then 'near'
        else 'missed'
    end
{%- endmacro %}


{#
    Wilson score interval for a proportion successes / n (95 % with z = 1.96):
      centre     = (p + z^2 / 2n) / (1 + z^2 / n)
      half-width = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)
    bound = 'lower' or 'upper'; NULL when n is 0 or NULL.
#}
{% macro wilson_bound(successes, n, bound) -%}
    {%- set z = var('wilson_z') -%}
    {%- set p = safe_divide(successes, n) -%}
    {%- set nn = "cast(nullif(" ~ n ~ ", 0) as double)" -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ nn }}))
        {{ '-' if bound == 'lower' else '+' }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ nn }} + {{ z }} * {{ z }} / (4 * {{ nn }} * {{ nn }})
        )
    ) / (1 + {{ z }} * {{ z }} / {{ nn }})
{%- endmacro %}


{#
    kpi_round(expr): a KPI figure (value, numerator, denominator, target, interval bound)
    as published: a DOUBLE rounded to 6 decimals. Sums of doubles taken in another order
    (another thread plan, an unrelated load) differ in their last bits; rounded, the same
    inputs always give the same digits. 6 decimals keep 0.0001 % of a ratio and a
    millionth of a yuan or a day.
#}
{% macro kpi_round(expr) -%}
    round(cast({{ expr }} as double), 6)
{%- endmacro %}
