{#
    register_raw_sources(): make the `raw` source tables readable before the build
    (an on-run-start hook). On DuckDB the loader's raw.* tables are already in the
    warehouse file: nothing to do. On Spark each source is a view over its Parquet
    folder, <SCHOOLWH_RAW_PARQUET>/<source>/, written by `schoolwh export-raw` (any
    path Spark reads: a local folder, hdfs://, s3a://, abfss://). The files are listed
    when a query reads them, so subfolders such as province=41/ become a column and new
    files need no catalog update.
#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'schoolwh')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set root = env_var('SCHOOLWH_RAW_PARQUET', '') | trim -%}
        {%- if not root -%}
            {{ exceptions.raise_compiler_error(
                "SCHOOLWH_RAW_PARQUET is not set: point it at the folder written by "
                ~ "`schoolwh export-raw` (one Parquet folder per raw source)."
            ) }}
        {%- endif -%}
        {%- set root = root.rstrip('/') -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- set location = (root ~ '/' ~ node.name) | replace('`', '``') -%}
            {%- do run_query('create database if not exists ' ~ node.schema) -%}
            {%- do run_query(
                'create or replace view ' ~ node.schema ~ '.' ~ node.identifier
                ~ ' as select * from parquet.`' ~ location ~ '`'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
