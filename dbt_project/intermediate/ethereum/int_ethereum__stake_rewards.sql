-- The stake units of Ethereum (methodology §8): the validator is the stake, so one unit per
-- operator validator and day with a P&L row, attributed whole (weight 1, fallback 1) by its keys
-- `validator` (the index) > `withdrawal_address` (the 0x01/0x02 credential's last 20 bytes from
-- the day's state; null for 0x00); no white-label key (the validator is the unit). Tier stake = the
-- effective balance in wei while the state says `active_*`, else nothing. Feeds
-- canonical_stake_rewards.

with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        cast(null as bigint) as epoch,
        validator_days.validator_id as stake_unit_id,
        cast('validator' as {{ dbt.type_string() }}) as stake_unit_key_type,
        validator_days.withdrawal_address as owner_key,
        cast('withdrawal_address' as {{ dbt.type_string() }}) as owner_key_type,
        cast(null as {{ dbt.type_string() }}) as validator_key_type,
        {{ aurora.to_money('1') }} as attribution_weight_native,
        cast('validator' as {{ dbt.type_string() }}) as attribution_weight_kind,
        {{ aurora.to_money('1') }} as fallback_weight_native,
        cast('validator' as {{ dbt.type_string() }}) as fallback_weight_kind,
        case
            when validator_days.is_active then validator_days.effective_balance_wei
        end as tier_stake_native,
        cast(null as {{ dbt.type_string() }}) as stake_account,
        cast(null as {{ dbt.type_string() }}) as staker,
        validator_days.withdrawal_address as withdraw_authority,
        {{ aurora.to_money('coalesce(validator_days.effective_balance_wei, 0)') }} as delegated_stake_native,
        validator_days.consensus_rewards_positive_wei as reward_native,
        validator_days.consensus_rewards_wei <> 0 as has_reward,
        validator_days.balance_wei as post_balance_native,
        coalesce(validator_days.state_provider, validator_days.periods_provider) as provider,
        coalesce(validator_days.state_request_id, '') as request_id,
        validator_days.state_response_sha256 as response_sha256,
        validator_days.state_provider as reward_provider,
        validator_days.state_request_id as reward_request_id,
        validator_days.state_response_sha256 as reward_response_sha256,
        validator_days._dlt_load_id,
        validator_days._dlt_loaded_at
    from validator_days
    where validator_days.has_row
)

select * from final
