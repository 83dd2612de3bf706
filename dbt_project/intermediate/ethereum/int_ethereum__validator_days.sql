-- Per operator validator and ingested UTC day (methodology §8): the state (pubkey, status,
-- effective balance, withdrawal address) at the first slot of the day's last epoch, the gross
-- rewards in wei (consensus_rewards = the attestation rewards of the day's epochs + the proposer
-- rewards of its canonical blocks + its sync-committee rewards, each may be negative;
-- execution_fees; mev, from int_ethereum__proposals), the operator's fee terms
-- (seeds/validator_fee_terms.csv, the one row whose [valid_from, valid_to) holds the day) and the
-- operator revenue: one truncation per component, inflation_commission =
-- trunc(max(consensus_rewards, 0) x consensus_fee_bps / 10000), block_fees = trunc(execution_fees x
-- execution_fee_bps / 10000), mev_commission = trunc(mev x execution_fee_bps / 10000). has_row: the
-- state lists the validator with a status other than pending_* and withdrawal_done, or a component
-- is non-zero. Every canonical Ethereum model reads this one.

with periods as (
    select * from {{ ref('int_ethereum__periods') }}
),

validators as (
    select * from {{ ref('validators') }}
    where chain = 'ethereum'
),

fee_terms as (
    select * from {{ ref('validator_fee_terms') }}
    where chain = 'ethereum'
),

states as (
    select * from {{ ref('stg_ethereum__validators') }}
),

attestation_rewards as (
    select * from {{ ref('stg_ethereum__attestation_rewards') }}
),

sync_committee_rewards as (
    select * from {{ ref('stg_ethereum__sync_committee_rewards') }}
),

sync_committee_members as (
    select * from {{ ref('stg_ethereum__sync_committee_members') }}
),

sync_committee_slots as (
    select * from {{ ref('stg_ethereum__sync_committee_slots') }}
),

specs as (
    select * from {{ ref('stg_ethereum__specs') }}
),

proposals as (
    select * from {{ ref('int_ethereum__proposals') }}
),

state as (
    {{ aurora.preferred_provider_rows('states', 'validators', ['period_id'], 'ethereum') }}
),

attestation as (
    {{ aurora.preferred_provider_rows('attestation_rewards', 'consensus_rewards', ['epoch'], 'ethereum') }}
),

sync_reward as (
    {{ aurora.preferred_provider_rows('sync_committee_rewards', 'consensus_rewards', ['slot'], 'ethereum') }}
),

sync_member as (
    {{ aurora.preferred_provider_rows('sync_committee_members', 'sync_committees', ['sync_period'], 'ethereum') }}
),

sync_slot as (
    {{ aurora.preferred_provider_rows('sync_committee_slots', 'sync_committees', ['slot'], 'ethereum') }}
),

spec as (
    {{ aurora.preferred_provider_rows('specs', 'consensus_rewards', [], 'ethereum') }}
),

-- the (sync period, member) pairs: a reward counts only while V is in the committee
sync_memberships as (
    select distinct
        sync_member.sync_period,
        sync_member.validator_id
    from sync_member
),

attestation_days as (
    select
        periods.period_id,
        attestation.validator_id,
        sum(attestation.total_rewards_wei) as attestation_rewards_wei
    from attestation
    inner join periods
        on attestation.epoch between periods.first_epoch and periods.last_epoch
    group by
        periods.period_id,
        attestation.validator_id
),

-- sync-committee rewards of slots with a block while V is a member (a slot without a block pays none)
sync_days as (
    select
        periods.period_id,
        sync_reward.validator_id,
        sum(sync_reward.reward_wei) as sync_committee_rewards_wei,
        count(*) as sync_committee_slot_count
    from sync_reward
    inner join periods
        on sync_reward.slot between periods.first_slot and periods.last_slot
    cross join spec
    inner join sync_slot
        on sync_reward.slot = sync_slot.slot
    inner join sync_memberships
        on
            sync_reward.validator_id = sync_memberships.validator_id
            and {{ aurora.int_div('sync_reward.epoch', 'spec.epochs_per_sync_committee_period') }}
            = sync_memberships.sync_period
    where sync_slot.has_block
    group by
        periods.period_id,
        sync_reward.validator_id
),

proposal_days as (
    select
        proposals.period_id,
        proposals.validator_id,
        sum(proposals.block_rewards_wei) as block_rewards_wei,
        sum(proposals.execution_fees_wei) as execution_fees_wei,
        sum(proposals.mev_wei) as mev_wei,
        count(*) as proposal_duty_count,
        sum(case when proposals.is_proposed then 1 else 0 end) as proposed_block_count,
        sum(case when proposals.is_proposed then 0 else 1 end) as missed_proposal_count,
        sum(case when proposals.is_relay_block then 1 else 0 end) as relay_block_count,
        max(proposals.duties_provider) as duties_provider,
        max(proposals.blocks_provider) as blocks_provider,
        max(proposals.execution_provider) as execution_provider
    from proposals
    group by
        proposals.period_id,
        proposals.validator_id
),

validator_days as (
    select
        periods.period_id,
        periods.period_date,
        validators.validator_id,
        state.pubkey,
        state.validator_status,
        state.is_slashed,
        state.effective_balance_wei,
        state.balance_wei,
        state.withdrawal_credentials_prefix,
        state.withdrawal_address,
        state.provider as state_provider,
        state.request_id as state_request_id,
        state.response_sha256 as state_response_sha256,
        coalesce(attestation_days.attestation_rewards_wei, {{ aurora.to_money('0') }}) as attestation_rewards_wei,
        coalesce(proposal_days.block_rewards_wei, {{ aurora.to_money('0') }}) as block_rewards_wei,
        coalesce(sync_days.sync_committee_rewards_wei, {{ aurora.to_money('0') }}) as sync_committee_rewards_wei,
        coalesce(proposal_days.execution_fees_wei, {{ aurora.to_money('0') }}) as execution_fees_wei,
        coalesce(proposal_days.mev_wei, {{ aurora.to_money('0') }}) as mev_wei,
        coalesce(proposal_days.proposal_duty_count, 0) as proposal_duty_count,
        coalesce(proposal_days.proposed_block_count, 0) as proposed_block_count,
        coalesce(proposal_days.missed_proposal_count, 0) as missed_proposal_count,
        coalesce(proposal_days.relay_block_count, 0) as relay_block_count,
        coalesce(sync_days.sync_committee_slot_count, 0) as sync_committee_slot_count,
        proposal_days.duties_provider,
        proposal_days.blocks_provider,
        proposal_days.execution_provider,
        periods.provider as periods_provider,
        periods._dlt_load_id,
        periods._dlt_loaded_at
    from periods
    cross join validators
    left join state
        on
            periods.period_id = state.period_id
            and validators.validator_id = state.validator_id
    left join attestation_days
        on
            periods.period_id = attestation_days.period_id
            and validators.validator_id = attestation_days.validator_id
    left join sync_days
        on
            periods.period_id = sync_days.period_id
            and validators.validator_id = sync_days.validator_id
    left join proposal_days
        on
            periods.period_id = proposal_days.period_id
            and validators.validator_id = proposal_days.validator_id
),

gross as (
    select
        validator_days.*,
        {{ aurora.to_money(
            'validator_days.attestation_rewards_wei + validator_days.block_rewards_wei'
            ~ ' + validator_days.sync_committee_rewards_wei'
        ) }} as consensus_rewards_wei
    from validator_days
),

with_terms as (
    select
        gross.*,
        fee_terms.consensus_fee_bps,
        fee_terms.execution_fee_bps,
        case when gross.consensus_rewards_wei > 0 then gross.consensus_rewards_wei else {{ aurora.to_money('0') }} end
            as consensus_rewards_positive_wei
    from gross
    left join fee_terms
        on
            gross.validator_id = fee_terms.validator_id
            and gross.period_date >= fee_terms.valid_from
            and (fee_terms.valid_to is null or gross.period_date < fee_terms.valid_to)
),

final as (
    select
        cast('ethereum' as {{ dbt.type_string() }}) as chain,
        cast(with_terms.validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(with_terms.period_id as {{ dbt.type_string() }}) as period_id,
        with_terms.period_date,
        with_terms.pubkey,
        with_terms.validator_status,
        coalesce(with_terms.is_slashed, false) as is_slashed,
        with_terms.effective_balance_wei,
        with_terms.balance_wei,
        with_terms.withdrawal_credentials_prefix,
        with_terms.withdrawal_address,
        coalesce(with_terms.validator_status like 'active_%', false) as is_active,
        with_terms.attestation_rewards_wei,
        with_terms.block_rewards_wei,
        with_terms.sync_committee_rewards_wei,
        with_terms.consensus_rewards_wei,
        with_terms.consensus_rewards_positive_wei,
        with_terms.execution_fees_wei,
        with_terms.mev_wei,
        cast(with_terms.consensus_fee_bps as integer) as consensus_fee_bps,
        cast(with_terms.execution_fee_bps as integer) as execution_fee_bps,
        {{ aurora.to_money('coalesce(' ~ aurora.mul_div(
            'with_terms.consensus_rewards_positive_wei', 'with_terms.consensus_fee_bps', '10000') ~ ', 0)') }}
            as inflation_commission_wei,
        {{ aurora.to_money('coalesce(' ~ aurora.mul_div(
            'with_terms.execution_fees_wei', 'with_terms.execution_fee_bps', '10000') ~ ', 0)') }}
            as block_fees_wei,
        {{ aurora.to_money('coalesce(' ~ aurora.mul_div(
            'with_terms.mev_wei', 'with_terms.execution_fee_bps', '10000') ~ ', 0)') }}
            as mev_commission_wei,
        cast(with_terms.proposal_duty_count as bigint) as proposal_duty_count,
        cast(with_terms.proposed_block_count as bigint) as proposed_block_count,
        cast(with_terms.missed_proposal_count as bigint) as missed_proposal_count,
        cast(with_terms.relay_block_count as bigint) as relay_block_count,
        cast(with_terms.sync_committee_slot_count as bigint) as sync_committee_slot_count,
        (
            with_terms.validator_status is not null
            and with_terms.validator_status not like 'pending_%'
            and with_terms.validator_status <> 'withdrawal_done'
        )
        or with_terms.consensus_rewards_wei <> 0
        or with_terms.execution_fees_wei <> 0
        or with_terms.mev_wei <> 0 as has_row,
        with_terms.state_provider,
        with_terms.state_request_id,
        with_terms.state_response_sha256,
        with_terms.duties_provider,
        with_terms.blocks_provider,
        with_terms.execution_provider,
        with_terms.periods_provider,
        with_terms._dlt_load_id,
        with_terms._dlt_loaded_at
    from with_terms
)

select * from final
