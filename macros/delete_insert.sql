{#- The delete+insert incremental strategy (the canonical layer's, methodology §7), as the project
    writes it: dbt's documented behaviour is "delete the target rows whose unique key occurs in the
    new rows, then insert the new rows". With a composite key (chain, period_id) dbt-duckdb writes
    the delete as a join of the target to every new row (`delete ... using <new rows> where keys
    match`): a restated epoch of 50,000 stake accounts joins each of its 50,000 old rows to each of
    the 50,000 new ones, 2.5 billion pairs, so one re-ingested epoch cost more than a full refresh.
    Here the new rows are first reduced to their distinct keys (one row per restated period), and
    the target is joined to those: the delete costs one scan of the target, whatever the size of a
    period. Both engines get the same statement (standard `delete ... using`); it is dispatched so
    dbt picks it before the adapter's own (dbt_project.yml `dispatch`: aurora first).
    A key column must not be null (the canonical models test chain and period_id not null): like
    dbt's, the delete matches keys with `=`. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ aurora.distinct_key_delete_insert_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro postgres__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ aurora.distinct_key_delete_insert_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{#- The statement both overrides run: delete by the distinct keys of `source`, then insert it. -#}
{% macro distinct_key_delete_insert_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    {%- set keys = [unique_key] if unique_key is string else (unique_key or []) -%}
    {%- if keys %}
    delete from {{ target }} as dbt_internal_dest
    using (
        select distinct
            {%- for key in keys %}
            dbt_internal_source.{{ key }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as dbt_internal_source
    ) as dbt_internal_keys
    where
        {%- for key in keys %}
        dbt_internal_dest.{{ key }} = dbt_internal_keys.{{ key }}{{ ' and' if not loop.last }}
        {%- endfor %}
        {%- for predicate in incremental_predicates or [] %}
        and {{ predicate }}
        {%- endfor %};
    {%- endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}
