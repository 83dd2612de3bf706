-- One row per proposal duty of an operator validator in an ingested day (methodology §8): the
-- canonical block or a missed slot (404: 0, recorded), the block's proposer reward, its execution
-- fees and its MEV payment, and which relays reported it. A block's execution fees are
-- sum(gas_used x (effective_gas_price - base_fee)) over its receipts (blob fees are burned); they
-- count when the payload's fee recipient is the proposer's: for a block no configured relay
-- reported, the fee recipient the operator declared (seeds/validators.csv); for a relay block, the
-- first reporting relay's proposer_fee_recipient (relays in config/chains.yaml order), which must
-- itself be the declared one. The MEV of a relay block is the value of its last transaction when
-- sent to that recipient and successful; several relays reporting one block_hash are one block.
-- A block paying a recipient the operator did not declare counts nothing (a discrepancy). Feeds
-- the validator-day figures and int_ethereum__provider_discrepancies.

with duties as (
    select * from {{ ref('stg_ethereum__proposer_duties') }}
),

blocks as (
    select * from {{ ref('stg_ethereum__blocks') }}
),

block_rewards as (
    select * from {{ ref('stg_ethereum__block_rewards') }}
),

execution_blocks as (
    select * from {{ ref('stg_ethereum__execution_blocks') }}
),

execution_transactions as (
    select * from {{ ref('stg_ethereum__execution_transactions') }}
),

execution_receipts as (
    select * from {{ ref('stg_ethereum__execution_receipts') }}
),

relay_deliveries as (
    select * from {{ ref('stg_ethereum__relay_deliveries') }}
),

relay_queries as (
    select * from {{ ref('stg_ethereum__relay_queries') }}
),

periods as (
    select * from {{ ref('int_ethereum__periods') }}
),

validators as (
    select * from {{ ref('validators') }}
    where chain = 'ethereum'
),

relay_mappings as (
    select * from {{ ref('chain_provider_mappings') }}
    where chain = 'ethereum' and fact = 'mev'
),

duty as (
    {{ aurora.preferred_provider_rows('duties', 'proposer_duties', ['epoch'], 'ethereum') }}
),

block as (
    {{ aurora.preferred_provider_rows('blocks', 'proposer_duties', ['slot'], 'ethereum') }}
),

block_reward as (
    {{ aurora.preferred_provider_rows('block_rewards', 'consensus_rewards', ['slot'], 'ethereum') }}
),

execution_block as (
    {{ aurora.preferred_provider_rows('execution_blocks', 'execution_blocks', ['block_number'], 'ethereum') }}
),

execution_transaction as (
    {{ aurora.preferred_provider_rows('execution_transactions', 'execution_blocks', ['block_number'], 'ethereum') }}
),

execution_receipt as (
    {{ aurora.preferred_provider_rows('execution_receipts', 'execution_fees', ['block_number'], 'ethereum') }}
),

-- priority fees per block: sum(gas_used x (effective_gas_price - base fee)), wei
block_fees as (
    select
        execution_block.block_number,
        sum(
            {{ aurora.to_money('execution_receipt.gas_used') }}
            * (execution_receipt.effective_gas_price_wei - execution_block.base_fee_per_gas_wei)
        ) as priority_fees_wei
    from execution_block
    inner join execution_receipt
        on execution_block.block_number = execution_receipt.block_number
    group by execution_block.block_number
),

-- the block's last transaction and whether it succeeded
last_transactions as (
    select
        execution_transaction.block_number,
        execution_transaction.to_address,
        execution_transaction.value_wei,
        coalesce(execution_receipt.is_success, false) as is_success
    from execution_transaction
    left join execution_receipt
        on
            execution_transaction.block_number = execution_receipt.block_number
            and execution_transaction.transaction_index = execution_receipt.transaction_index
    where execution_transaction.is_last
),

-- the configured relays that report the canonical block (same slot and block_hash)
reporting_relays as (
    select
        relay_deliveries.slot,
        relay_deliveries.provider as relay,
        relay_deliveries.proposer_fee_recipient,
        relay_deliveries.value_wei,
        relay_mappings.precedence,
        row_number() over (
            partition by relay_deliveries.slot
            order by relay_mappings.precedence, relay_deliveries.provider
        ) as relay_rank
    from relay_deliveries
    inner join relay_mappings
        on relay_deliveries.provider = relay_mappings.provider
    inner join block
        on
            relay_deliveries.slot = block.slot
            and relay_deliveries.block_hash = block.execution_block_hash
    where block.is_proposed
),

-- how many configured relays were asked about the slot (every one is, missed slots too)
relays_asked as (
    select
        relay_queries.slot,
        count(*) as relay_query_count
    from relay_queries
    inner join relay_mappings
        on relay_queries.provider = relay_mappings.provider
    group by relay_queries.slot
),

relay_summary as (
    select
        reporting_relays.slot,
        count(*) as relay_count,
        count(distinct reporting_relays.value_wei) as relay_value_count,
        max(case when reporting_relays.relay_rank = 1 then reporting_relays.relay end) as first_relay,
        max(
            case when reporting_relays.relay_rank = 1 then reporting_relays.proposer_fee_recipient end
        ) as relay_fee_recipient
    from reporting_relays
    group by reporting_relays.slot
),

proposals as (
    select
        periods.period_id,
        duty.validator_id,
        duty.epoch,
        duty.slot,
        coalesce(block.is_proposed, false) as is_proposed,
        block.execution_block_number as block_number,
        block.execution_block_hash as block_hash,
        block.fee_recipient as payload_fee_recipient,
        validators.fee_recipient as declared_fee_recipient,
        relay_summary.first_relay,
        relay_summary.relay_fee_recipient,
        coalesce(relay_summary.relay_count, 0) as relay_count,
        coalesce(relay_summary.relay_value_count, 0) as relay_value_count,
        coalesce(relays_asked.relay_query_count, 0) as relay_query_count,
        coalesce(block_reward.total_wei, {{ aurora.to_money('0') }}) as block_rewards_wei,
        coalesce(block_fees.priority_fees_wei, {{ aurora.to_money('0') }}) as priority_fees_wei,
        last_transactions.to_address as last_to_address,
        coalesce(last_transactions.value_wei, {{ aurora.to_money('0') }}) as last_value_wei,
        coalesce(last_transactions.is_success, false) as is_last_success,
        duty.provider as duties_provider,
        block.provider as blocks_provider,
        block.response_sha256 as block_response_sha256,
        block_reward.response_sha256 as block_rewards_response_sha256,
        execution_block.provider as execution_provider,
        execution_block.response_sha256 as execution_block_response_sha256
    from duty
    inner join periods
        on duty.epoch between periods.first_epoch and periods.last_epoch
    left join validators
        on duty.validator_id = validators.validator_id
    left join block
        on duty.slot = block.slot
    left join block_reward
        on block.is_proposed and duty.slot = block_reward.slot
    left join execution_block
        on block.is_proposed and block.execution_block_number = execution_block.block_number
    left join block_fees
        on block.is_proposed and block.execution_block_number = block_fees.block_number
    left join last_transactions
        on block.is_proposed and block.execution_block_number = last_transactions.block_number
    left join relay_summary
        on duty.slot = relay_summary.slot
    left join relays_asked
        on duty.slot = relays_asked.slot
),

-- the recipient the block pays: the relay's proposer_fee_recipient for a relay block, else the payload's
outcomes as (
    select
        proposals.*,
        proposals.relay_count > 0 as is_relay_block,
        case
            when proposals.relay_count > 0 then proposals.relay_fee_recipient
            else proposals.payload_fee_recipient
        end as paid_recipient,
        proposals.relay_count > 0
        and proposals.payload_fee_recipient = proposals.relay_fee_recipient as relay_fees_count,
        proposals.relay_count > 0
        and proposals.last_to_address = proposals.relay_fee_recipient
        and proposals.is_last_success as has_payment
    from proposals
),

final as (
    select
        outcomes.period_id,
        outcomes.validator_id,
        outcomes.epoch,
        outcomes.slot,
        outcomes.is_proposed,
        outcomes.block_number,
        outcomes.block_hash,
        outcomes.payload_fee_recipient,
        outcomes.declared_fee_recipient,
        outcomes.is_relay_block,
        outcomes.first_relay,
        outcomes.relay_fee_recipient,
        outcomes.relay_count,
        outcomes.relay_value_count,
        outcomes.relay_query_count,
        coalesce(
            outcomes.is_proposed and outcomes.paid_recipient = outcomes.declared_fee_recipient, false
        ) as is_declared_recipient,
        outcomes.has_payment,
        outcomes.block_rewards_wei,
        outcomes.priority_fees_wei,
        case when outcomes.has_payment then outcomes.last_value_wei else {{ aurora.to_money('0') }} end as payment_wei,
        -- execution fees that count as the validator's
        case
            when not outcomes.is_proposed then {{ aurora.to_money('0') }}
            when coalesce(outcomes.paid_recipient <> outcomes.declared_fee_recipient, true) then {{ aurora.to_money('0') }}
            when not outcomes.is_relay_block then outcomes.priority_fees_wei
            when outcomes.relay_fees_count then outcomes.priority_fees_wei
            else {{ aurora.to_money('0') }}
        end as execution_fees_wei,
        case
            when not outcomes.is_proposed or not outcomes.is_relay_block then {{ aurora.to_money('0') }}
            when coalesce(outcomes.paid_recipient <> outcomes.declared_fee_recipient, true) then {{ aurora.to_money('0') }}
            when outcomes.has_payment then outcomes.last_value_wei
            else {{ aurora.to_money('0') }}
        end as mev_wei,
        outcomes.relay_fees_count,
        outcomes.duties_provider,
        outcomes.blocks_provider,
        outcomes.block_response_sha256,
        outcomes.block_rewards_response_sha256,
        outcomes.execution_provider,
        outcomes.execution_block_response_sha256
    from outcomes
)

select * from final
