{#- Provider discrepancies of one chain (methodology §1): every key where two providers delivered
    different values for the same fact, one row per key, differing field and pair of providers. A
    scope (an epoch, or a block for slot-keyed facts) delivered by two providers or more is compared
    row for row: a value that differs gives a row with both values; a key one provider delivered and
    the other did not gives a row with field `row` (value `present`, the other side null). Only
    scopes several providers delivered are compared. Slot-keyed facts take the period whose slot
    range holds the slot (`periods_model`: the chain's intermediate periods, with epoch, first_slot
    and last_slot). Plain SQL templating, nothing engine-specific.

    `facts`: a list of dicts, one per staging model compared: `fact` (config/chains.yaml), `model`,
    `epoch` (its period column, or none), `scope` (the column within which providers are compared,
    or a quoted literal for a single scope), `keys` (the record key columns) and `fields` (the
    compared columns). -#}
{% macro provider_discrepancies(chain, facts, periods_model) -%}
{%- set text = dbt.type_string() %}
with periods as (
    select * from {{ ref(periods_model) }}
),

provider_mappings as (
    select * from {{ ref('chain_provider_mappings') }}
    where chain = '{{ chain }}'
),
{% for f in facts %}
{%- set n = f.model ~ '_' ~ loop.index %}
{%- set scope = f.scope if f.scope.startswith("'") else 'source.' ~ f.scope %}

-- scopes (epochs, or blocks) that two providers or more delivered: only these are compared
{{ n }}_shared_scopes as (
    {%- if f.scope.startswith("'") %}
    select max(cast({{ scope }} as {{ text }})) as scope_key
    from {{ ref(f.model) }} as source
    {%- else %}
    select cast({{ scope }} as {{ text }}) as scope_key
    from {{ ref(f.model) }} as source
    group by cast({{ scope }} as {{ text }})
    {%- endif %}
    having count(distinct source.provider) > 1
),

{{ n }}_compared as (
    select
        source.provider,
        cast({{ scope }} as {{ text }}) as scope_key,
        {% if f.epoch %}cast(source.{{ f.epoch }} as bigint){% else %}cast(null as bigint){% endif %} as epoch,
        {% if 'slot' in f['keys'] %}cast(source.slot as bigint){% else %}cast(null as bigint){% endif %} as slot,
        {%- if f['keys'] %}
        {% for k in f['keys'] %}'{{ k }}=' || coalesce(cast(source.{{ k }} as {{ text }}), ''){{ " || '|' || " if not loop.last }}{% endfor %} as record_key,
        {%- else %}
        cast('chain={{ chain }}' as {{ text }}) as record_key,
        {%- endif %}
        {%- for c in f['fields'] %}
        cast(source.{{ c }} as {{ text }}) as value_{{ c }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(f.model) }} as source
    inner join {{ n }}_shared_scopes
        on cast({{ scope }} as {{ text }}) = {{ n }}_shared_scopes.scope_key
),

{{ n }}_scope_providers as (
    select distinct
        {{ n }}_compared.scope_key,
        {{ n }}_compared.provider
    from {{ n }}_compared
),

{{ n }}_provider_pairs as (
    select
        side_a.scope_key,
        side_a.provider as provider_a,
        side_b.provider as provider_b
    from {{ n }}_scope_providers as side_a
    inner join {{ n }}_scope_providers as side_b
        on
            side_a.scope_key = side_b.scope_key
            and side_a.provider < side_b.provider
),

{{ n }}_differences as (
    {%- for c in f['fields'] %}
    select
        '{{ f.fact }}' as fact,
        coalesce(side_a.epoch, side_b.epoch) as epoch,
        coalesce(side_a.slot, side_b.slot) as slot,
        side_a.record_key,
        '{{ c }}' as field,
        side_a.provider as provider_a,
        side_a.value_{{ c }} as value_a,
        side_b.provider as provider_b,
        side_b.value_{{ c }} as value_b
    from {{ n }}_compared as side_a
    inner join {{ n }}_compared as side_b
        on
            side_a.record_key = side_b.record_key
            and side_a.scope_key = side_b.scope_key
            and side_a.provider < side_b.provider
    where side_a.value_{{ c }} is distinct from side_b.value_{{ c }}
    union all
    {%- endfor %}
    -- keys provider_a delivered and provider_b did not
    select
        '{{ f.fact }}' as fact,
        side_a.epoch,
        side_a.slot,
        side_a.record_key,
        'row' as field,
        pairs.provider_a,
        'present' as value_a,
        pairs.provider_b,
        cast(null as {{ text }}) as value_b
    from {{ n }}_compared as side_a
    inner join {{ n }}_provider_pairs as pairs
        on
            side_a.scope_key = pairs.scope_key
            and side_a.provider = pairs.provider_a
    left join {{ n }}_compared as side_b
        on
            side_a.record_key = side_b.record_key
            and side_a.scope_key = side_b.scope_key
            and pairs.provider_b = side_b.provider
    where side_b.record_key is null
    union all
    -- keys provider_b delivered and provider_a did not
    select
        '{{ f.fact }}' as fact,
        side_b.epoch,
        side_b.slot,
        side_b.record_key,
        'row' as field,
        pairs.provider_a,
        cast(null as {{ text }}) as value_a,
        pairs.provider_b,
        'present' as value_b
    from {{ n }}_compared as side_b
    inner join {{ n }}_provider_pairs as pairs
        on
            side_b.scope_key = pairs.scope_key
            and side_b.provider = pairs.provider_b
    left join {{ n }}_compared as side_a
        on
            side_b.record_key = side_a.record_key
            and side_b.scope_key = side_a.scope_key
            and pairs.provider_a = side_a.provider
    where side_a.record_key is null
),
{%- endfor %}

all_differences as (
    {%- for f in facts %}
    select * from {{ f.model ~ '_' ~ loop.index }}_differences
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- slot-keyed facts take the epoch whose slot range holds the slot
dated_differences as (
    select
        all_differences.*,
        coalesce(all_differences.epoch, periods.epoch) as period_epoch
    from all_differences
    left join periods
        on all_differences.slot between periods.first_slot and periods.last_slot
),

final as (
    select
        cast('{{ chain }}' as {{ text }}) as chain,
        cast(dated_differences.fact as {{ text }}) as fact,
        cast(dated_differences.period_epoch as {{ text }}) as period_id,
        cast(dated_differences.record_key as {{ text }}) as record_key,
        cast(dated_differences.field as {{ text }}) as field,
        cast(dated_differences.provider_a as {{ text }}) as provider_a,
        cast(dated_differences.value_a as {{ text }}) as value_a,
        cast(dated_differences.provider_b as {{ text }}) as provider_b,
        cast(dated_differences.value_b as {{ text }}) as value_b,
        cast(
            case
                when mapping_a.precedence is null and mapping_b.precedence is null then null
                when mapping_b.precedence is null then dated_differences.provider_a
                when mapping_a.precedence is null then dated_differences.provider_b
                when mapping_a.precedence <= mapping_b.precedence then dated_differences.provider_a
                else dated_differences.provider_b
            end
            as {{ text }}
        ) as preferred_provider,
        -- the per-block columns of relay-versus-chain rows (Ethereum), null for provider pairs
        cast(null as {{ text }}) as validator_id,
        cast(dated_differences.slot as bigint) as slot,
        cast(null as {{ text }}) as kind,
        cast(null as {{ text }}) as relay,
        cast(null as {{ aurora.money_type() }}) as claimed_native,
        cast(null as {{ aurora.money_type() }}) as paid_native
    from dated_differences
    left join provider_mappings as mapping_a
        on
            dated_differences.fact = mapping_a.fact
            and dated_differences.provider_a = mapping_a.provider
    left join provider_mappings as mapping_b
        on
            dated_differences.fact = mapping_b.fact
            and dated_differences.provider_b = mapping_b.provider
)

select * from final
{%- endmacro %}
