{#
    Engine-specific SQL lives behind adapter.dispatch, so the same models run on DuckDB
    and on Spark (docs/architecture.md#portable-sql). Each macro has a portable default.
#}

{# try_cast(expr, type): NULL instead of an error when the value does not convert. #}
{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast', 'schoolwh')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast(expr, type) -%}
    {{ dbt.safe_cast(expr, type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}


{# format_month(date): the month label 'YYYY-MM'. #}
{% macro format_month(date_expr) -%}
    {{ return(adapter.dispatch('format_month', 'schoolwh')(date_expr)) }}
{%- endmacro %}

{% macro default__format_month(date_expr) -%}
    {{ dbt.concat([
        "cast(extract(year from " ~ date_expr ~ ") as " ~ dbt.type_string() ~ ")",
        "'-'",
        "lpad(cast(extract(month from " ~ date_expr ~ ") as " ~ dbt.type_string() ~ "), 2, '0')",
    ]) }}
{%- endmacro %}

{% macro duckdb__format_month(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__format_month(date_expr) -%}
    date_format({{ date_expr }}, 'yyyy-MM')
{%- endmacro %}


{# calendar_date(year, month, day): a DATE from integer parts. #}
{% macro calendar_date(year_expr, month_expr, day_expr) -%}
    {{ return(adapter.dispatch('calendar_date', 'schoolwh')(year_expr, month_expr, day_expr)) }}
{%- endmacro %}

{% macro default__calendar_date(year_expr, month_expr, day_expr) -%}
    make_date(
        cast({{ year_expr }} as {{ dbt.type_int() }}),
        cast({{ month_expr }} as {{ dbt.type_int() }}),
        cast({{ day_expr }} as {{ dbt.type_int() }})
    )
{%- endmacro %}


{# The year of a date as a 'YYYY' label. #}
{% macro format_year(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as {{ dbt.type_string() }})
{%- endmacro %}


{#
    term_of_date(date): the term label a date falls in (docs/kpis.md#periods):
    'YYYY-autumn' runs 1 Sep YYYY - 31 Jan YYYY+1, 'YYYY-spring' runs 1 Feb - 31 Aug YYYY.
#}
{% macro term_of_date(date_expr) -%}
    case
        when extract(month from {{ date_expr }}) >= 9
            then {{ dbt.concat(["cast(extract(year from " ~ date_expr ~ ") as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }}
        when extract(month from {{ date_expr }}) = 1
            then {{ dbt.concat(["cast(extract(year from " ~ date_expr ~ ") - 1 as " ~ dbt.type_string() ~ ")", "'-autumn'"]) }}
        else {{ dbt.concat(["cast(extract(year from " ~ date_expr ~ ") as " ~ dbt.type_string() ~ ")", "'-spring'"]) }}
    end
{%- endmacro %}


{#
    safe_divide(numerator, denominator): a DOUBLE ratio, NULL when the denominator is
    zero or NULL (DuckDB would give inf, Spark NULL).
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}


{# days_between(start, end): whole days from start to end. #}
{% macro days_between(start_date, end_date) -%}
    cast({{ dbt.datediff(start_date, end_date, 'day') }} as {{ dbt.type_bigint() }})
{%- endmacro %}


{#
    week_monday(date): the Monday of the date's ISO week (Monday-Sunday), as a DATE. A
    school-week belongs to the month, term and year of its Monday (docs/kpis.md#supervision).
#}
{% macro week_monday(date_expr) -%}
    {{ return(adapter.dispatch('week_monday', 'schoolwh')(date_expr)) }}
{%- endmacro %}

{% macro default__week_monday(date_expr) -%}
    cast({{ dbt.date_trunc('week', date_expr) }} as date)
{%- endmacro %}

{% macro duckdb__week_monday(date_expr) -%}
    cast(date_trunc('week', {{ date_expr }}) as date)
{%- endmacro %}

{% macro spark__week_monday(date_expr) -%}
    cast(date_trunc('week', {{ date_expr }}) as date)
{%- endmacro %}
