{#
    Unit-test fixtures on Spark. dbt writes a fixture as one `select ... union all` per
    row; Spark runs every branch of such a union as a task of its own (a 40-row fixture is
    40 tasks, seconds on a small machine). On Spark the rows become one inline table,
    `select * from values (...), (...) as t(...)`: the same rows, one task. Every other
    engine keeps dbt's own SQL.
#}
{% macro get_fixture_sql(rows, column_name_to_data_types) -%}
    {{ return(adapter.dispatch('get_fixture_sql', 'schoolwh')(rows, column_name_to_data_types)) }}
{%- endmacro %}

{% macro default__get_fixture_sql(rows, column_name_to_data_types) -%}
    {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
{%- endmacro %}

{% macro spark__get_fixture_sql(rows, column_name_to_data_types) -%}
    {%- if (rows | length) == 0 -%}
        {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
    {%- endif -%}
    {%- set column_name_to_quoted = {} -%}
    {%- if not column_name_to_data_types -%}
        {#- the input's columns and types, as dbt's own get_fixture_sql finds them -#}
        {%- set relation = defer_relation if (defer_relation and not load_relation(this)) else this -%}
        {%- set column_name_to_data_types = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do column_name_to_data_types.update({column.name | lower: column.data_type}) -%}
            {%- do column_name_to_quoted.update({column.name | lower: column.quoted}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not column_name_to_data_types -%}
        {{ exceptions.raise_compiler_error(
            "Not able to get columns for unit test '" ~ model.name ~ "' from relation " ~ this
            ~ " because the relation doesn't exist"
        ) }}
    {%- endif -%}
    {%- set default_row = {} -%}
    {%- for column_name, column_type in column_name_to_data_types.items() -%}
        {%- do default_row.update({column_name: (safe_cast('null', column_type) | trim)}) -%}
        {%- if column_name not in column_name_to_quoted -%}
            {%- do column_name_to_quoted.update({column_name: adapter.quote(column_name)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ validate_fixture_rows(rows, row_number) }}
    {%- set value_rows = [] -%}
    {%- for row in rows -%}
        {%- set values = default_row.copy() -%}
        {%- do values.update(format_row(row, column_name_to_data_types)) -%}
        {%- do value_rows.append(values) -%}
    {%- endfor -%}
    {{ return(schoolwh.spark_inline_table(value_rows, default_row.keys() | list, column_name_to_quoted)) }}
{%- endmacro %}


{# The expected rows of a unit test, on Spark as one inline table too. #}
{% macro get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
    {{ return(adapter.dispatch('get_expected_sql', 'schoolwh')(rows, column_name_to_data_types, column_name_to_quoted)) }}
{%- endmacro %}

{% macro default__get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
    {{ return(dbt.get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted)) }}
{%- endmacro %}

{% macro spark__get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
    {%- if (rows | length) == 0 -%}
        {{ return(dbt.get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted)) }}
    {%- endif -%}
    {%- set value_rows = [] -%}
    {%- for row in rows -%}
        {%- do value_rows.append(format_row(row, column_name_to_data_types)) -%}
    {%- endfor -%}
    {{ return(schoolwh.spark_inline_table(value_rows, value_rows[0].keys() | list, column_name_to_quoted)) }}
{%- endmacro %}


{# rows (dicts of SQL expressions, one key per column) as `select * from values ...`. #}
{% macro spark_inline_table(value_rows, columns, column_name_to_quoted) -%}
select * from values
{%- for row in value_rows %}
    ({% for column in columns %}{{ row[column] }}{% if not loop.last %}, {% endif %}{% endfor %}){% if not loop.last %},{% endif %}
{%- endfor %}
as dbt_fixture ({% for column in columns %}{{ column_name_to_quoted[column] }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
