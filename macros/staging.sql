{#- The staging layer (methodology §1, §7): one model per raw table, and one shape for all of them.

    `staged_source(source_name, table_name)` is the whole model around the columns it renames and
    casts (the body of the call block): it reads the raw table, keeps only the rows whose dlt load
    completed (`_dlt_loads.status = 0`), and appends the lineage every staging row carries:
    provider, method, request_id, response_sha256, ingestion_run_id, _dlt_load_id and
    `_dlt_loaded_at` (when that load completed, the incremental watermark of the canonical layer).
    Every chain's raw dataset is a dlt dataset with its own `_dlt_loads` table, so the macro serves
    every staging/<chain>/ folder unchanged.

        {% call aurora.staged_source('solana', 'blocks') %}
            source.slot,
            lower(source.status) as block_status,
        {% endcall %}

    The body lists the model's own columns, each qualified with `source.` and followed by a comma.

    A chain none of whose periods was ingested yet has no raw tables: when the raw table (or the
    dataset's `_dlt_loads`) does not exist, the model reads an empty relation with the column types
    its source declares (`columns` with `data_type` in the chain's _<chain>__sources.yml), so the
    project builds on a warehouse that holds only some of its chains. Plain SQL templating, nothing
    engine-specific. -#}
{% macro staged_source(source_name, table_name) -%}
with source as (
    {{ aurora.raw_or_empty(source_name, table_name) }}
),

completed_loads as (
    select
        _dlt_loads.load_id,
        _dlt_loads.inserted_at
    from ({{ aurora.raw_or_empty(source_name, '_dlt_loads') }}) as _dlt_loads
    where _dlt_loads.status = 0
),

final as (
    select
        {{ caller() | trim }}
        source.provider,
        source.method,
        source.request_id,
        source.response_sha256,
        source.ingestion_run_id,
        source._dlt_load_id,
        completed_loads.inserted_at as _dlt_loaded_at
    from source
    inner join completed_loads
        on source._dlt_load_id = completed_loads.load_id
)

select * from final
{%- endmacro %}


{#- `select * from` the raw table, or, when it does not exist yet (at run time) and its source
    declares the columns' types, an empty relation with those columns and types. A source that
    declares no types keeps reading the table (the database then names the missing table). -#}
{% macro raw_or_empty(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name) if execute else none -%}
    {%- set columns = node.columns.values() | list if node else [] -%}
    {%- set typed = columns and not (columns | selectattr('data_type', 'none') | list) -%}
    {%- if typed and adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) is none -%}
        select
        {%- for column in columns %}
            cast(null as {{ column.data_type }}) as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
        where 1 = 0
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}
