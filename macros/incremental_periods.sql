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
    calling model's contract columns), less `exclude`, so a chain's intermediate model may hold its
    columns in any order and a missing one is an error. -#}
{% macro chain_union(entity, exclude=[], columns=none) -%}
    {%- set names = [] -%}
    {%- for name in (model.columns if columns is none else columns) if name not in exclude -%}
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

{#- A select of (chain, provider_mappings_sha256): per chain, the SHA-256 of what its intermediate
    models are computed from besides the loads: its provider mappings (fact=provider#precedence) and
    the operator's seed rows that shape them (seeds/validator_fee_terms.csv; the declared fee
    recipients of seeds/validators.csv), byte order, '|'-separated. A chain with neither fee terms
    nor fee recipients (Solana) has the fingerprint of its mappings alone. A change of any of these
    restates the chain whole (`is_remapped`), so an edit of the fee terms takes effect on the next
    build, not only on a full refresh. -#}
{% macro provider_mappings_fingerprints() -%}
    {%- set text = dbt.type_string() -%}
    select
        mappings.chain,
        {{ aurora.sha256_hex(
            "case when operator_inputs.inputs_text is null then mappings.mappings_text"
            ~ " else mappings.mappings_text || '|' || operator_inputs.inputs_text end"
        ) }} as provider_mappings_sha256
    from (
        select
            chain_provider_mappings.chain,
            {{ aurora.ordered_string_agg(
                "chain_provider_mappings.fact || '=' || chain_provider_mappings.provider || '#' || cast(chain_provider_mappings.precedence as " ~ text ~ ")",
                "'|'"
            ) }} as mappings_text
        from {{ ref('chain_provider_mappings') }} as chain_provider_mappings
        group by chain_provider_mappings.chain
    ) as mappings
    left join (
        select
            inputs.chain,
            {{ aurora.ordered_string_agg("inputs.input_text", "'|'") }} as inputs_text
        from (
            select
                fee_terms.chain,
                'fee_terms:' || fee_terms.validator_id
                || ',' || cast(fee_terms.valid_from as {{ text }})
                || ',' || coalesce(cast(fee_terms.valid_to as {{ text }}), '')
                || ',' || cast(fee_terms.consensus_fee_bps as {{ text }})
                || ',' || cast(fee_terms.execution_fee_bps as {{ text }}) as input_text
            from {{ ref('validator_fee_terms') }} as fee_terms
            union all
            select
                validators.chain,
                'fee_recipient:' || validators.validator_id || '=' || validators.fee_recipient as input_text
            from {{ ref('validators') }} as validators
            where validators.fee_recipient is not null and validators.fee_recipient <> ''
        ) as inputs
        group by inputs.chain
    ) as operator_inputs
        on mappings.chain = operator_inputs.chain
{%- endmacro %}

{#- The whole of a canonical model: the union over the chains of `int_<chain>__<entity>`, restricted
    on an incremental build to the periods its new loads touched, plus `provider_mappings_sha256`.
    The model's config (dbt_project.yml, folder canonical/) is incremental, delete+insert, unique
    key (chain, period_id). The one incremental header of the canonical layer. -#}
{% macro canonical_periods_union(entity) -%}
with mapping_fingerprints as (
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

-- the union's period keys and load times only: a second, narrow read of the intermediates (never
-- the whole union twice, which an engine may materialise in full)
period_loads as (
    {{- aurora.chain_union(entity, columns=['chain', 'period_id', '_dlt_loaded_at']) }}
),

-- the periods with a row newer than the watermark; every period of a remapped or new chain
touched_periods as (
    select distinct
        period_loads.chain,
        period_loads.period_id
    from period_loads
    left join built_state
        on period_loads.chain = built_state.chain
    where
        built_state.chain is null
        or built_state.is_remapped
        or period_loads._dlt_loaded_at > built_state.loaded_after
),
{%- endif %}

unioned as (
    {{- aurora.chain_union(entity, exclude=['provider_mappings_sha256']) }}
),

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

{#- An intermediate model materialised incrementally by epoch (dbt_project.yml names them): the large
    ones, so that neither the canonical layer's touched-period detection nor an incremental build
    recomputes every epoch from staging. `inputs` lists the staging models the model reads, each as
    (model name, epoch column). At run time, on an incremental build, this returns the epochs to
    rebuild: those with a staging row of a load newer than the newest `_dlt_loaded_at` the model
    holds (the same watermark rule as the canonical layer, one level down). It returns none (rebuild
    every epoch) on a full build, when the model is empty, or when the chain's provider mappings
    changed since its rows were built (each row stores their fingerprint, `provider_mappings_sha256`),
    since a remapping may change which provider's rows every epoch takes. A period is rebuilt whole
    from staging, so the rebuilt rows equal a full build's. -#}
{% macro rebuilt_epochs(chain, inputs) -%}
    {%- if not (execute and is_incremental()) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set state_sql -%}
        select
            max(built._dlt_loaded_at) is null
            or max(
                case
                    when built.provider_mappings_sha256 = coalesce(fingerprints.provider_mappings_sha256, '') then 0
                    else 1
                end
            ) = 1 as is_rebuilt_whole
        from {{ this }} as built
        left join ({{ aurora.provider_mappings_fingerprints() }}) as fingerprints
            on fingerprints.chain = '{{ chain }}'
    {%- endset -%}
    {%- if run_query(state_sql).columns[0].values()[0] -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set epochs_sql -%}
        select distinct touched.epoch
        from (
            {%- for name, column in inputs %}
            {%- if not loop.first %}
            union all
            {%- endif %}
            select cast(staged.{{ column }} as bigint) as epoch
            from {{ ref(name) }} as staged
            where staged._dlt_loaded_at > (select max(built._dlt_loaded_at) from {{ this }} as built)
            {%- endfor %}
        ) as touched
        order by touched.epoch
    {%- endset -%}
    {%- set epochs = [] -%}
    {%- for value in run_query(epochs_sql).columns[0].values() -%}
        {%- do epochs.append(value | int) -%}
    {%- endfor -%}
    {{- return(epochs) -}}
{%- endmacro %}

{#- A where clause keeping the rows of `column` in `epochs` (from rebuilt_epochs; none: every row). -#}
{% macro epoch_filter(column, epochs) -%}
    {%- if epochs is none -%}
    {%- elif epochs -%}
    where {{ column }} in ({{ epochs | join(', ') }})
    {%- else -%}
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
