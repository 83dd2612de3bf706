-- Per validator and epoch (methodology §3): the commission that applied to the epoch's inflation
-- rewards, the MEV commission rate, the activated stake, and the inflation commission (the `Voting`
-- reward of getInflationReward on the vote account; null = 0, as at 0% commission). Feeds
-- canonical_validator_meta. The gross inflation of the epoch is what the validator's stake earned
-- before commission: the stakers' rewards (sum of a_s over the stake accounts of the epoch's
-- snapshot) plus the operator's inflation commission; trunc(gross x R_A / R_V) = R_A + the
-- agreement's inflation commission basis, the gross basis of methodology §4.
-- Import CTEs are inlined (macros/planner_hints.sql inline_cte): each is read more than once.

with vote_accounts as {{ aurora.inline_cte() }} (
    select * from {{ ref('stg_solana__vote_accounts') }}
),

inflation_rewards as {{ aurora.inline_cte() }} (
    select * from {{ ref('stg_solana__inflation_rewards') }}
),

kobe_validators as {{ aurora.inline_cte() }} (
    select * from {{ ref('stg_solana__kobe_validators') }}
),

stake_rewards as {{ aurora.inline_cte() }} (
    select * from {{ ref('int_solana__stake_rewards') }}
),

vote_account as (
    {{ aurora.preferred_provider_rows('vote_accounts', 'vote_accounts', ['epoch'], 'solana') }}
),

-- read twice (vote reward, stakers' commission): inlined, never materialised whole
inflation_reward as {{ aurora.inline_cte() }} (
    {{ aurora.preferred_provider_rows('inflation_rewards', 'inflation_rewards', ['epoch'], 'solana') }}
),

kobe_validator as (
    {{ aurora.preferred_provider_rows('kobe_validators', 'mev', ['epoch'], 'solana') }}
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

-- the stakers' rewards of the validator's stake accounts in the epoch's snapshot (R_V)
staker_rewards as (
    select
        stake_rewards.validator_id,
        stake_rewards.epoch,
        sum(stake_rewards.reward_native) as staker_rewards_native,
        max(stake_rewards._dlt_load_id) as _dlt_load_id,
        max(stake_rewards._dlt_loaded_at) as _dlt_loaded_at
    from stake_rewards
    group by
        stake_rewards.validator_id,
        stake_rewards.epoch
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
        {{ aurora.to_money('coalesce(staker_rewards.staker_rewards_native, 0)') }} as staker_rewards_native,
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
        staker_rewards._dlt_load_id as stake_load_id,
        vote_account._dlt_loaded_at as vote_loaded_at,
        vote_reward._dlt_loaded_at as reward_loaded_at,
        kobe_validator._dlt_loaded_at as kobe_loaded_at,
        staker_rewards._dlt_loaded_at as stake_loaded_at
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
    left join staker_rewards
        on
            vote_account.epoch = staker_rewards.epoch
            and vote_account.vote_account = staker_rewards.validator_id
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
        {{ aurora.to_money('meta.inflation_commission_native + meta.staker_rewards_native') }} as inflation_gross_native,
        -- the signed consensus rewards of chains whose operator revenue is a fee on them (Ethereum)
        cast(null as {{ aurora.money_type() }}) as consensus_rewards_native,
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
            coalesce(meta.kobe_load_id, meta.vote_load_id),
            coalesce(meta.stake_load_id, meta.vote_load_id)
        ) as _dlt_load_id,
        greatest(
            meta.vote_loaded_at,
            coalesce(meta.reward_loaded_at, meta.vote_loaded_at),
            coalesce(meta.kobe_loaded_at, meta.vote_loaded_at),
            coalesce(meta.stake_loaded_at, meta.vote_loaded_at)
        ) as _dlt_loaded_at
    from meta
)

select * from final
