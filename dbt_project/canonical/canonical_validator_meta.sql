{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['chain', 'period_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ aurora.hash_join_hints() }}",
    )
}}

-- Per validator and epoch: the commission that applied to the epoch's inflation rewards, the MEV
-- commission rate, the activated stake, and the inflation commission (the `Voting` reward of
-- getInflationReward on the vote account; null = 0, as at 0% commission).

with vote_accounts as (
    select * from {{ ref('stg_solana__vote_accounts') }}
),

inflation_rewards as (
    select * from {{ ref('stg_solana__inflation_rewards') }}
),

kobe_validators as (
    select * from {{ ref('stg_solana__kobe_validators') }}
),

mapping_fingerprint as (
    {{ aurora.provider_mappings_fingerprint() }}
),

incremental_state as (
    {{ aurora.incremental_load_state('mapping_fingerprint') }}
),

-- a full ingest loads vote accounts and rewards together; a Kobe re-ingest loads Kobe only
touched_epochs as (
    select vote_accounts.epoch
    from vote_accounts
    where
        vote_accounts._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
        or (select incremental_state.is_remapped from incremental_state)
    union
    select inflation_rewards.epoch
    from inflation_rewards
    where
        inflation_rewards.address_kind = 'vote'
        and inflation_rewards._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
    union
    select kobe_validators.epoch
    from kobe_validators
    where kobe_validators._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
),

vote_accounts_in_scope as (
    select vote_accounts.*
    from vote_accounts
    inner join touched_epochs
        on vote_accounts.epoch = touched_epochs.epoch
),

preferred_vote_accounts as (
    {{ aurora.preferred_providers('vote_accounts_in_scope', 'vote_accounts', ['epoch']) }}
),

vote_account as (
    select vote_accounts_in_scope.*
    from vote_accounts_in_scope
    inner join preferred_vote_accounts
        on
            vote_accounts_in_scope.epoch = preferred_vote_accounts.epoch
            and vote_accounts_in_scope.provider = preferred_vote_accounts.provider
),

inflation_rewards_in_scope as (
    select inflation_rewards.*
    from inflation_rewards
    inner join touched_epochs
        on inflation_rewards.epoch = touched_epochs.epoch
),

preferred_inflation_rewards as (
    {{ aurora.preferred_providers('inflation_rewards_in_scope', 'inflation_rewards', ['epoch']) }}
),

inflation_reward as (
    select inflation_rewards_in_scope.*
    from inflation_rewards_in_scope
    inner join preferred_inflation_rewards
        on
            inflation_rewards_in_scope.epoch = preferred_inflation_rewards.epoch
            and inflation_rewards_in_scope.provider = preferred_inflation_rewards.provider
),

vote_reward as (
    select inflation_reward.*
    from inflation_reward
    where inflation_reward.address_kind = 'vote'
),

-- the commission carried by the stakers' rewards of the epoch (the vote reward is null at 0%)
staker_commission as (
    select
        inflation_reward.vote_account,
        inflation_reward.epoch,
        max(inflation_reward.commission_bps) as commission_bps
    from inflation_reward
    where
        inflation_reward.address_kind = 'stake'
        and not inflation_reward.is_null
    group by
        inflation_reward.vote_account,
        inflation_reward.epoch
),

kobe_validators_in_scope as (
    select kobe_validators.*
    from kobe_validators
    inner join touched_epochs
        on kobe_validators.epoch = touched_epochs.epoch
),

preferred_kobe_validators as (
    {{ aurora.preferred_providers('kobe_validators_in_scope', 'mev', ['epoch']) }}
),

kobe_validator as (
    select kobe_validators_in_scope.*
    from kobe_validators_in_scope
    inner join preferred_kobe_validators
        on
            kobe_validators_in_scope.epoch = preferred_kobe_validators.epoch
            and kobe_validators_in_scope.provider = preferred_kobe_validators.provider
),

meta as (
    select
        vote_account.vote_account as validator_id,
        vote_account.epoch,
        coalesce(
            case when not vote_reward.is_null then vote_reward.commission_bps end,
            staker_commission.commission_bps,
            vote_account.commission_bps
        ) as commission_bps,
        case
            when kobe_validator.is_running_jito then kobe_validator.mev_commission_bps
        end as mev_commission_bps,
        vote_account.activated_stake_lamports as active_stake_native,
        case
            when vote_reward.is_null or vote_reward.reward_lamports is null then {{ aurora.to_money('0') }}
            else {{ aurora.to_money('vote_reward.reward_lamports') }}
        end as inflation_commission_native,
        vote_account.provider,
        vote_account.request_id,
        vote_account.response_sha256,
        vote_reward.provider as inflation_provider,
        vote_reward.response_sha256 as inflation_response_sha256,
        kobe_validator.provider as mev_provider,
        kobe_validator.response_sha256 as mev_response_sha256,
        vote_account._dlt_load_id as vote_load_id,
        vote_reward._dlt_load_id as reward_load_id,
        kobe_validator._dlt_load_id as kobe_load_id,
        vote_account._dlt_loaded_at as vote_loaded_at,
        vote_reward._dlt_loaded_at as reward_loaded_at,
        kobe_validator._dlt_loaded_at as kobe_loaded_at
    from vote_account
    left join vote_reward
        on
            vote_account.epoch = vote_reward.epoch
            and vote_account.vote_account = vote_reward.address
    left join staker_commission
        on
            vote_account.epoch = staker_commission.epoch
            and vote_account.vote_account = staker_commission.vote_account
    left join kobe_validator
        on
            vote_account.epoch = kobe_validator.epoch
            and vote_account.vote_account = kobe_validator.vote_account
),

final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        meta.validator_id,
        cast(meta.epoch as {{ dbt.type_string() }}) as period_id,
        cast(meta.epoch as bigint) as epoch,
        cast(meta.commission_bps as integer) as commission_bps,
        cast(meta.mev_commission_bps as integer) as mev_commission_bps,
        {{ aurora.to_money('meta.active_stake_native') }} as active_stake_native,
        meta.inflation_commission_native,
        meta.provider,
        meta.request_id,
        meta.response_sha256,
        meta.inflation_provider,
        meta.inflation_response_sha256,
        meta.mev_provider,
        meta.mev_response_sha256,
        greatest(
            meta.vote_load_id,
            coalesce(meta.reward_load_id, meta.vote_load_id),
            coalesce(meta.kobe_load_id, meta.vote_load_id)
        ) as _dlt_load_id,
        greatest(
            meta.vote_loaded_at,
            coalesce(meta.reward_loaded_at, meta.vote_loaded_at),
            coalesce(meta.kobe_loaded_at, meta.vote_loaded_at)
        ) as _dlt_loaded_at,
        mapping_fingerprint.provider_mappings_sha256
    from meta
    cross join mapping_fingerprint
)

select * from final
