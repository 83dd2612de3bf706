-- Per validator and epoch (methodology §3): leader slots, produced blocks and skipped slots; block
-- fees = the `Fee` rewards paid to the validator's identity in its produced leader blocks of the
-- epoch (the Voting/Staking rewards that epoch-boundary blocks carry are excluded); vote
-- transactions = the signatures referencing the vote account with a slot in the epoch's range
-- (failed ones included), each paying the 5000-lamport base fee. Feeds canonical_validator_fees.
-- On Solana the operator keeps every block fee it earns: the gross block fees are the block fees.

with identities as (
    select * from {{ ref('int_solana__validator_identities') }}
),

periods as (
    select * from {{ ref('int_solana__periods') }}
),

leader_schedule_slots as (
    select * from {{ ref('stg_solana__leader_schedule_slots') }}
),

blocks as (
    select * from {{ ref('stg_solana__blocks') }}
),

-- only Fee rewards count: the blocks paying an epoch's rewards also carry Voting and Staking ones
block_rewards as (
    select * from {{ ref('stg_solana__block_rewards') }}
    where reward_type = 'fee'
),

vote_signatures as (
    select * from {{ ref('stg_solana__vote_signatures') }}
),

-- blocks, rewards and votes belong to the epoch whose slot range holds their slot
blocks_by_epoch as (
    select
        periods.epoch,
        blocks.*
    from blocks
    inner join periods
        on blocks.slot between periods.first_slot and periods.last_slot
),

block_rewards_by_epoch as (
    select
        periods.epoch,
        block_rewards.*
    from block_rewards
    inner join periods
        on block_rewards.slot between periods.first_slot and periods.last_slot
),

vote_signatures_by_epoch as (
    select
        periods.epoch,
        vote_signatures.*
    from vote_signatures
    inner join periods
        on vote_signatures.slot between periods.first_slot and periods.last_slot
),

leader_slot as (
    {{ aurora.preferred_provider_rows('leader_schedule_slots', 'leader_schedule', ['epoch'], 'solana') }}
),

block as (
    {{ aurora.preferred_provider_rows('blocks_by_epoch', 'blocks', ['epoch'], 'solana') }}
),

fee_reward as (
    {{ aurora.preferred_provider_rows('block_rewards_by_epoch', 'block_rewards', ['epoch'], 'solana') }}
),

vote_signature as (
    {{ aurora.preferred_provider_rows('vote_signatures_by_epoch', 'vote_signatures', ['epoch'], 'solana') }}
),

-- the validator's leader slots of the epoch, with what getBlock answered for each
validator_leader_slots as (
    select
        identities.validator_id,
        identities.epoch,
        identities.identity_pubkey,
        leader_slot.slot,
        leader_slot.provider as leader_schedule_provider,
        leader_slot._dlt_load_id as leader_load_id,
        leader_slot._dlt_loaded_at as leader_loaded_at,
        block.block_status,
        block.provider as blocks_provider,
        block._dlt_load_id as block_load_id,
        block._dlt_loaded_at as block_loaded_at
    from identities
    inner join leader_slot
        on
            identities.epoch = leader_slot.epoch
            and identities.identity_pubkey = leader_slot.identity_pubkey
    left join block
        on leader_slot.slot = block.slot
),

leader_stats as (
    select
        validator_leader_slots.validator_id,
        validator_leader_slots.epoch,
        count(*) as leader_slot_count,
        sum(case when validator_leader_slots.block_status = 'produced' then 1 else 0 end) as produced_block_count,
        sum(case when validator_leader_slots.block_status = 'skipped' then 1 else 0 end) as skipped_slot_count,
        max(validator_leader_slots.leader_schedule_provider) as leader_schedule_provider,
        max(validator_leader_slots.blocks_provider) as blocks_provider,
        max(greatest(
            validator_leader_slots.leader_load_id,
            coalesce(validator_leader_slots.block_load_id, validator_leader_slots.leader_load_id)
        )) as _dlt_load_id,
        max(greatest(
            validator_leader_slots.leader_loaded_at,
            coalesce(validator_leader_slots.block_loaded_at, validator_leader_slots.leader_loaded_at)
        )) as _dlt_loaded_at
    from validator_leader_slots
    group by
        validator_leader_slots.validator_id,
        validator_leader_slots.epoch
),

fee_stats as (
    select
        validator_leader_slots.validator_id,
        validator_leader_slots.epoch,
        sum(fee_reward.reward_lamports) as block_fees_native,
        max(fee_reward.provider) as provider,
        max(fee_reward._dlt_load_id) as _dlt_load_id,
        max(fee_reward._dlt_loaded_at) as _dlt_loaded_at
    from validator_leader_slots
    inner join fee_reward
        on
            validator_leader_slots.slot = fee_reward.slot
            and validator_leader_slots.identity_pubkey = fee_reward.recipient_pubkey
    where validator_leader_slots.block_status = 'produced'
    group by
        validator_leader_slots.validator_id,
        validator_leader_slots.epoch
),

vote_stats as (
    select
        vote_signature.vote_account as validator_id,
        vote_signature.epoch,
        count(distinct vote_signature.signature) as vote_tx_count,
        max(vote_signature.provider) as vote_signatures_provider,
        max(vote_signature._dlt_load_id) as _dlt_load_id,
        max(vote_signature._dlt_loaded_at) as _dlt_loaded_at
    from vote_signature
    group by
        vote_signature.vote_account,
        vote_signature.epoch
),

final as (
    select
        identities.chain,
        identities.validator_id,
        identities.period_id,
        identities.epoch,
        identities.identity_pubkey,
        cast(coalesce(leader_stats.leader_slot_count, 0) as bigint) as leader_slot_count,
        cast(coalesce(leader_stats.produced_block_count, 0) as bigint) as produced_block_count,
        cast(coalesce(leader_stats.skipped_slot_count, 0) as bigint) as skipped_slot_count,
        {{ aurora.to_money('coalesce(fee_stats.block_fees_native, 0)') }} as block_fees_native,
        {{ aurora.to_money('coalesce(fee_stats.block_fees_native, 0)') }} as block_fees_gross_native,
        cast(coalesce(vote_stats.vote_tx_count, 0) as bigint) as vote_tx_count,
        {{ aurora.to_money('coalesce(vote_stats.vote_tx_count, 0)') }}
        * {{ aurora.to_money('5000') }} as vote_fees_native,
        fee_stats.provider,
        leader_stats.blocks_provider,
        leader_stats.leader_schedule_provider,
        vote_stats.vote_signatures_provider,
        greatest(
            identities._dlt_load_id,
            coalesce(leader_stats._dlt_load_id, identities._dlt_load_id),
            coalesce(fee_stats._dlt_load_id, identities._dlt_load_id),
            coalesce(vote_stats._dlt_load_id, identities._dlt_load_id)
        ) as _dlt_load_id,
        greatest(
            identities._dlt_loaded_at,
            coalesce(leader_stats._dlt_loaded_at, identities._dlt_loaded_at),
            coalesce(fee_stats._dlt_loaded_at, identities._dlt_loaded_at),
            coalesce(vote_stats._dlt_loaded_at, identities._dlt_loaded_at)
        ) as _dlt_loaded_at
    from identities
    left join leader_stats
        on
            identities.validator_id = leader_stats.validator_id
            and identities.epoch = leader_stats.epoch
    left join fee_stats
        on
            identities.validator_id = fee_stats.validator_id
            and identities.epoch = fee_stats.epoch
    left join vote_stats
        on
            identities.validator_id = vote_stats.validator_id
            and identities.epoch = vote_stats.epoch
)

select * from final
