{#- The canonical layer (methodology §7): each canonical model is the union over the chains of
    their intermediate model `int_<chain>__<entity>`, built incrementally per period.

    Which chains: the project var `aurora_chains` (dbt_project.yml). A chain listed there provides
    one intermediate model per canonical model, with the canonical model's contract columns (its
    YAML) except `provider_mappings_sha256`, which the canonical model adds.

    Touched periods are derived from the union itself: every intermediate row carries
    `_dlt_loaded_at`, the completion time of the newest load among the raw rows it was computed from.
    The watermark of a chain is the newest `_dlt_loaded_at` the canonical model holds for it: a load
    that completed after the previous build is necessarily newer. A build restates (delete+insert by
    chain and period_id) every period of which some row is newer than its chain's watermark, so a
    late re-ingest of an old period restates exactly that period, whatever input it touched. A chain
    whose provider mappings changed since its rows were built (they store the mappings' fingerprint),
    or that the model does not hold yet, is restated whole. A full build selects every row. -#}

{#- The chains whose models the project builds (dbt var `aurora_chains`). -#}
{% macro warehouse_chains() -%}
    {{ return(var('aurora_chains')) }}
{%- endmacro %}

{#- A union all over the chains of `int_<chain>__<entity>`, selecting `columns` by name (default: the
    calling model's contract columns, less `exclude`), so a chain's intermediate model may hold its
    columns in any order and a missing one is an error. -#}
{% macro chain_union(entity, exclude=[]) -%}
    {%- set names = [] -%}
    {%- for name in model.columns if name not in exclude -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {%- for chain in aurora.warehouse_chains() %}
    {%- set branch = 'int_' ~ chain ~ '__' ~ entity %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {%- for name in names %}
        {{ branch }}.{{ name }}{{ ',' if not loop.last }}
        {%- else %}
        {{ branch }}.*
        {%- endfor %}
    from {{ ref(branch) }} as {{ branch }}
    {%- endfor %}
{%- endmacro %}

{#- A select of (chain, provider_mappings_sha256): per chain, the SHA-256 of its provider mappings
    (fact=provider#precedence, byte order, '|'-separated). -#}
{% macro provider_mappings_fingerprints() -%}
    select
        mappings.chain,
        {{ aurora.sha256_hex(aurora.ordered_string_agg(
            "mappings.fact || '=' || mappings.provider || '#' || cast(mappings.precedence as " ~ dbt.type_string() ~ ")",
            "'|'"
        )) }} as provider_mappings_sha256
    from {{ ref('chain_provider_mappings') }} as mappings
    group by mappings.chain
{%- endmacro %}

{#- The whole of a canonical model: the union over the chains of `int_<chain>__<entity>`, restricted
    on an incremental build to the periods its new loads touched, plus `provider_mappings_sha256`.
    The model's config (dbt_project.yml, folder canonical/) is incremental, delete+insert, unique
    key (chain, period_id). The one incremental header of the canonical layer. -#}
{% macro canonical_periods_union(entity) -%}
with unioned as (
    {{- aurora.chain_union(entity, exclude=['provider_mappings_sha256']) }}
),

mapping_fingerprints as (
    {{ aurora.provider_mappings_fingerprints() }}
),
{%- if is_incremental() %}

-- per chain: the newest load the model holds, and whether its rows were built with other mappings
built_state as (
    select
        existing.chain,
        max(existing._dlt_loaded_at) as loaded_after,
        max(
            case
                when existing.provider_mappings_sha256 = coalesce(mapping_fingerprints.provider_mappings_sha256, '')
                    then 0
                else 1
            end
        ) = 1 as is_remapped
    from {{ this }} as existing
    left join mapping_fingerprints
        on existing.chain = mapping_fingerprints.chain
    group by existing.chain
),

-- the periods with a row newer than the watermark; every period of a remapped or new chain
touched_periods as (
    select distinct
        unioned.chain,
        unioned.period_id
    from unioned
    left join built_state
        on unioned.chain = built_state.chain
    where
        built_state.chain is null
        or built_state.is_remapped
        or unioned._dlt_loaded_at > built_state.loaded_after
),
{%- endif %}

final as (
    select
        unioned.*,
        coalesce(mapping_fingerprints.provider_mappings_sha256, '') as provider_mappings_sha256
    from unioned
    {%- if is_incremental() %}
    inner join touched_periods
        on
            unioned.chain = touched_periods.chain
            and unioned.period_id = touched_periods.period_id
    {%- endif %}
    left join mapping_fingerprints
        on unioned.chain = mapping_fingerprints.chain
)

select * from final
{%- endmacro %}
