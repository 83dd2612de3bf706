{#- Data tests over the large canonical tables check the periods that changed (methodology §7.3).

    dbt builds a generic test's `model` as `(select * from <model> where <where>) dbt_subquery` when
    the test has a `where` config (dbt_project.yml sets one for the canonical folder). The where may
    hold the placeholder `__changed_periods__(<period column>)`, which this override of dbt's
    documented `get_where_subquery` expands at run time:

    - with the dbt var `aurora_tests_since` (a UTC timestamp, set by `aurora build` only when the
      last build was a successful complete one and nothing but new loads changed since: same
      seeds, configuration and models), to `<column> in (the periods of the model with a row of
      a load completed after it)`: the periods this build restated, since each is restated whole;
    - otherwise (a plain `dbt build`, CI and the test suite, `--full-refresh`, any seed, config or
      model change), to `1 = 1`: every row is checked.

    A bad row in a restated period fails its test either way. Plain SQL, the same on both engines. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__changed_periods__(' in where -%}
        {%- set where = aurora.expand_changed_periods(where, relation) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- `where` with its one `__changed_periods__(<column>)` replaced (see above). -#}
{% macro expand_changed_periods(where, relation) -%}
    {%- set head, rest = where.split('__changed_periods__(', 1) -%}
    {%- set column, tail = rest.split(')', 1) -%}
    {%- set since = var('aurora_tests_since', none) -%}
    {%- if since and not flags.FULL_REFRESH -%}
        {%- set scoped -%}
            {{ column }} in (
                select changed.{{ column }}
                from {{ relation }} as changed
                where changed._dlt_loaded_at > cast('{{ since }}+00' as timestamp with time zone)
            )
        {%- endset -%}
    {%- else -%}
        {%- set scoped = '1 = 1' -%}
    {%- endif -%}
    {{- return(head ~ scoped ~ tail) -}}
{%- endmacro %}
