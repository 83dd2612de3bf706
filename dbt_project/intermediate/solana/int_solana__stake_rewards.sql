-- Per validator, epoch and stake account of the epoch's snapshot (methodology §4): who controls the
-- account, its delegated stake and the staker's inflation reward for the epoch (a_s; null = 0).
-- Feeds canonical_stake_rewards, and with it the chain-agnostic attribution contract: on Solana the
-- stake unit is the stake account, its keys are the stake account, its withdraw authority and the
-- vote account (in that precedence), its weight is a_s with the delegated stake as the fallback
-- when the validator's stakers earned nothing, and its tier stake is postBalance - a_s when it
-- earned a reward in the epoch.
-- A table, incremental by epoch (dbt_project.yml): an incremental build rebuilds only the epochs with
-- newer loads (macros/incremental_periods.sql rebuilt_epochs); the import CTEs are inlined, not
-- materialised whole (each is read twice by preferred_provider_rows).
{%- set epochs = aurora.rebuilt_epochs('solana', [
    ('stg_solana__stake_accounts', 'snapshot_epoch'),
    ('stg_solana__inflation_rewards', 'epoch'),
]) %}

with stake_accounts as {{ aurora.inline_cte() }} (
    select * from {{ ref('stg_solana__stake_accounts') }}
    {{ aurora.epoch_filter('snapshot_epoch', epochs) }}
),

inflation_rewards as {{ aurora.inline_cte() }} (
    select * from {{ ref('stg_solana__inflation_rewards') }}
    {{ aurora.epoch_filter('epoch', epochs) }}
),

mapping_fingerprints as (
    {{ aurora.provider_mappings_fingerprints() }}
),

snapshot as (
    {{ aurora.preferred_provider_rows('stake_accounts', 'stake_accounts', ['snapshot_epoch'], 'solana') }}
),

stake_reward as (
    {{ aurora.preferred_provider_rows(
        'inflation_rewards', 'inflation_rewards', ['epoch'], 'solana',
        where="inflation_rewards.address_kind = 'stake'"
    ) }}
),

stake_rewards as (
    select
        snapshot.vote_account as validator_id,
        snapshot.snapshot_epoch as epoch,
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
        ) as _dlt_loaded_at
    from snapshot
    left join stake_reward
        on
            snapshot.snapshot_epoch = stake_reward.epoch
            and snapshot.stake_account = stake_reward.address
),

final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        stake_rewards.validator_id,
        cast(stake_rewards.epoch as {{ dbt.type_string() }}) as period_id,
        cast(stake_rewards.epoch as bigint) as epoch,
        stake_rewards.stake_account as stake_unit_id,
        cast('stake_account' as {{ dbt.type_string() }}) as stake_unit_key_type,
        stake_rewards.withdraw_authority as owner_key,
        cast('withdraw_authority' as {{ dbt.type_string() }}) as owner_key_type,
        cast('vote_account' as {{ dbt.type_string() }}) as validator_key_type,
        stake_rewards.reward_native as attribution_weight_native,
        cast('staker_rewards' as {{ dbt.type_string() }}) as attribution_weight_kind,
        stake_rewards.delegated_stake_native as fallback_weight_native,
        cast('delegated_stake' as {{ dbt.type_string() }}) as fallback_weight_kind,
        case
            when stake_rewards.has_reward
                then {{ aurora.to_money('stake_rewards.post_balance_native - stake_rewards.reward_native') }}
        end as tier_stake_native,
        stake_rewards.stake_account,
        stake_rewards.staker,
        stake_rewards.withdraw_authority,
        stake_rewards.delegated_stake_native,
        stake_rewards.reward_native,
        stake_rewards.has_reward,
        stake_rewards.post_balance_native,
        stake_rewards.provider,
        stake_rewards.request_id,
        stake_rewards.response_sha256,
        stake_rewards.reward_provider,
        stake_rewards.reward_request_id,
        stake_rewards.reward_response_sha256,
        coalesce(mapping_fingerprints.provider_mappings_sha256, '') as provider_mappings_sha256,
        stake_rewards._dlt_load_id,
        stake_rewards._dlt_loaded_at
    from stake_rewards
    left join mapping_fingerprints
        on mapping_fingerprints.chain = 'solana'
)

select * from final
