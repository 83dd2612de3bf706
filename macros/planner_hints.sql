{#- Planner settings for the large equality joins of the canonical layer, as a pre-hook.

    PostgreSQL estimates row counts poorly through the canonical models' CTE chains (window-ranked
    provider precedence, views over freshly loaded dlt tables without statistics): it estimates one
    row and picks nested-loop or single-key merge joins, which turn quadratic on a real epoch
    (tens of thousands of stake accounts). Every join these models need at scale is an equality
    join, where a hash join is always right, so the hook disables the other two join methods (and
    JIT, which the inflated costs would trigger) and gives sorts and hashes of a million rows
    enough memory, for the model's transaction only (`set local`).
    A join that only a nested loop can do (slot ranges) still runs as one. DuckDB plans these
    queries well: nothing to set. -#}
{% macro hash_join_hints() -%}
    {{ return(adapter.dispatch('hash_join_hints', 'aurora')()) }}
{%- endmacro %}

{% macro default__hash_join_hints() -%}
{%- endmacro %}

{% macro postgres__hash_join_hints() -%}
    set local enable_nestloop = off;
    set local enable_mergejoin = off;
    set local jit = off;
    set local work_mem = '128MB'
{%- endmacro %}

{% macro duckdb__hash_join_hints() -%}
{%- endmacro %}

{#- Written after `as` in a CTE that is read more than once and must not be materialised whole
    (`with x as {{ aurora.inline_cte() }} (...)`): DuckDB and PostgreSQL inline it; an engine
    without the keyword gets nothing, the planner's default. -#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'aurora')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}{%- endmacro %}

{% macro duckdb__inline_cte() -%}not materialized{%- endmacro %}

{% macro postgres__inline_cte() -%}not materialized{%- endmacro %}
