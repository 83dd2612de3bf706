{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['chain', 'period_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ aurora.hash_join_hints() }}",
    )
}}

-- Per validator, epoch and stake account of the epoch's snapshot: who controls the account, its
-- delegated stake, and the staker's inflation reward for the epoch (a_s of methodology §4; null
-- counts as 0).

with stake_accounts as (
    select * from {{ ref('stg_solana__stake_accounts') }}
),

inflation_rewards as (
    select * from {{ ref('stg_solana__inflation_rewards') }}
),

mapping_fingerprint as (
    {{ aurora.provider_mappings_fingerprint() }}
),

incremental_state as (
    {{ aurora.incremental_load_state('mapping_fingerprint') }}
),

touched_epochs as (
    select distinct stake_accounts.snapshot_epoch as epoch
    from stake_accounts
    where
        stake_accounts._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
        or (select incremental_state.is_remapped from incremental_state)
    union
    select inflation_rewards.epoch
    from inflation_rewards
    where
        inflation_rewards.address_kind = 'stake'
        and inflation_rewards._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
),

snapshots_in_scope as (
    select stake_accounts.*
    from stake_accounts
    inner join touched_epochs
        on stake_accounts.snapshot_epoch = touched_epochs.epoch
),

preferred_snapshots as (
    {{ aurora.preferred_providers('snapshots_in_scope', 'stake_accounts', ['snapshot_epoch']) }}
),

snapshot as (
    select snapshots_in_scope.*
    from snapshots_in_scope
    inner join preferred_snapshots
        on
            snapshots_in_scope.snapshot_epoch = preferred_snapshots.snapshot_epoch
            and snapshots_in_scope.provider = preferred_snapshots.provider
),

stake_rewards_in_scope as (
    select inflation_rewards.*
    from inflation_rewards
    inner join touched_epochs
        on inflation_rewards.epoch = touched_epochs.epoch
    where inflation_rewards.address_kind = 'stake'
),

preferred_stake_rewards as (
    {{ aurora.preferred_providers('stake_rewards_in_scope', 'inflation_rewards', ['epoch']) }}
),

stake_reward as (
    select stake_rewards_in_scope.*
    from stake_rewards_in_scope
    inner join preferred_stake_rewards
        on
            stake_rewards_in_scope.epoch = preferred_stake_rewards.epoch
            and stake_rewards_in_scope.provider = preferred_stake_rewards.provider
),

final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        snapshot.vote_account as validator_id,
        cast(snapshot.snapshot_epoch as {{ dbt.type_string() }}) as period_id,
        cast(snapshot.snapshot_epoch as bigint) as epoch,
        snapshot.stake_account,
        snapshot.staker,
        snapshot.withdraw_authority,
        {{ aurora.to_money('snapshot.delegated_stake_lamports') }} as delegated_stake_native,
        case
            when stake_reward.is_null or stake_reward.reward_lamports is null then {{ aurora.to_money('0') }}
            else {{ aurora.to_money('stake_reward.reward_lamports') }}
        end as reward_native,
        coalesce(not stake_reward.is_null and stake_reward.reward_lamports is not null, false) as has_reward,
        case
            when stake_reward.is_null then cast(null as {{ aurora.money_type() }})
            else {{ aurora.to_money('stake_reward.post_balance_lamports') }}
        end as post_balance_native,
        snapshot.provider,
        snapshot.request_id,
        snapshot.response_sha256,
        stake_reward.provider as reward_provider,
        stake_reward.request_id as reward_request_id,
        stake_reward.response_sha256 as reward_response_sha256,
        greatest(snapshot._dlt_load_id, coalesce(stake_reward._dlt_load_id, snapshot._dlt_load_id)) as _dlt_load_id,
        greatest(
            snapshot._dlt_loaded_at,
            coalesce(stake_reward._dlt_loaded_at, snapshot._dlt_loaded_at)
        ) as _dlt_loaded_at,
        mapping_fingerprint.provider_mappings_sha256
    from snapshot
    left join stake_reward
        on
            snapshot.snapshot_epoch = stake_reward.epoch
            and snapshot.stake_account = stake_reward.address
    cross join mapping_fingerprint
)

select * from final
