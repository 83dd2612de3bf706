-- Where the relays' claims and the chain disagree (methodology §8), one row per proposal slot, kind
-- and relay: `relay_claim_differs` (a reporting relay's value is not the proposer's execution
-- income from the block: the payment plus the execution fees when they count),
-- `relay_without_payment` (a relay block with no successful payment to the relay's fee recipient,
-- whose fees the builder kept), `relays_disagree` (two relays report one block_hash with different
-- values: a row per reporting relay), `relay_claim_without_block` (a relay claims a payload for an
-- operator proposal slot that has no canonical block, or another block_hash: never revenue), and
-- `fee_recipient_undeclared` (the block pays a recipient the operator did not declare for the
-- validator in seeds/validators.csv: nothing of it is operator revenue). Feeds
-- audit.provider_discrepancies, beside the provider-versus-provider rows of other chains.

with proposals as (
    select * from {{ ref('int_ethereum__proposals') }}
),

relay_deliveries as (
    select * from {{ ref('stg_ethereum__relay_deliveries') }}
),

relay_mappings as (
    select * from {{ ref('chain_provider_mappings') }}
    where chain = 'ethereum' and fact = 'mev'
),

deliveries as (
    select
        proposals.period_id,
        proposals.validator_id,
        proposals.slot,
        proposals.is_proposed,
        proposals.block_hash as canonical_block_hash,
        proposals.is_declared_recipient,
        proposals.has_payment,
        proposals.relay_fees_count,
        proposals.relay_value_count,
        proposals.payment_wei + proposals.execution_fees_wei as paid_total_wei,
        relay_deliveries.provider as relay,
        relay_deliveries.block_hash,
        relay_deliveries.value_wei
    from relay_deliveries
    inner join relay_mappings
        on relay_deliveries.provider = relay_mappings.provider
    inner join proposals
        on relay_deliveries.slot = proposals.slot
),

reporting as (
    select deliveries.*
    from deliveries
    where
        deliveries.is_proposed
        and deliveries.block_hash = deliveries.canonical_block_hash
        and deliveries.is_declared_recipient
),

all_rows as (
    select
        deliveries.period_id,
        deliveries.validator_id,
        deliveries.slot,
        'relay_claim_without_block' as kind,
        deliveries.relay,
        deliveries.block_hash,
        deliveries.value_wei as claimed_wei,
        {{ aurora.to_money('0') }} as paid_wei
    from deliveries
    where
        not deliveries.is_proposed
        or deliveries.block_hash <> deliveries.canonical_block_hash
    union all
    select
        proposals.period_id,
        proposals.validator_id,
        proposals.slot,
        'fee_recipient_undeclared' as kind,
        proposals.first_relay as relay,
        proposals.block_hash,
        case when proposals.is_relay_block then proposals.payment_wei else proposals.priority_fees_wei end as claimed_wei,
        {{ aurora.to_money('0') }} as paid_wei
    from proposals
    where proposals.is_proposed and not proposals.is_declared_recipient
    union all
    select
        reporting.period_id,
        reporting.validator_id,
        reporting.slot,
        case
            when not reporting.has_payment and not reporting.relay_fees_count then 'relay_without_payment'
            else 'relay_claim_differs'
        end as kind,
        reporting.relay,
        reporting.block_hash,
        reporting.value_wei as claimed_wei,
        case
            when not reporting.has_payment and not reporting.relay_fees_count then {{ aurora.to_money('0') }}
            else reporting.paid_total_wei
        end as paid_wei
    from reporting
    where
        (not reporting.has_payment and not reporting.relay_fees_count)
        or reporting.value_wei <> reporting.paid_total_wei
    union all
    select
        reporting.period_id,
        reporting.validator_id,
        reporting.slot,
        'relays_disagree' as kind,
        reporting.relay,
        reporting.block_hash,
        reporting.value_wei as claimed_wei,
        reporting.paid_total_wei as paid_wei
    from reporting
    where reporting.relay_value_count > 1
),

final as (
    select
        cast('ethereum' as {{ dbt.type_string() }}) as chain,
        cast('mev' as {{ dbt.type_string() }}) as fact,
        cast(all_rows.period_id as {{ dbt.type_string() }}) as period_id,
        cast(
            'slot=' || cast(all_rows.slot as {{ dbt.type_string() }}) || '|block_hash=' || coalesce(all_rows.block_hash, '')
            as {{ dbt.type_string() }}
        ) as record_key,
        cast(all_rows.kind as {{ dbt.type_string() }}) as field,
        cast(all_rows.relay as {{ dbt.type_string() }}) as provider_a,
        cast(all_rows.claimed_wei as {{ dbt.type_string() }}) as value_a,
        cast(null as {{ dbt.type_string() }}) as provider_b,
        cast(all_rows.paid_wei as {{ dbt.type_string() }}) as value_b,
        cast(null as {{ dbt.type_string() }}) as preferred_provider,
        cast(all_rows.validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(all_rows.slot as bigint) as slot,
        cast(all_rows.kind as {{ dbt.type_string() }}) as kind,
        cast(all_rows.relay as {{ dbt.type_string() }}) as relay,
        {{ aurora.to_money('all_rows.claimed_wei') }} as claimed_native,
        {{ aurora.to_money('all_rows.paid_wei') }} as paid_native
    from all_rows
)

select * from final
