-- Per operator validator and day with a P&L row (methodology §8): the operator's consensus fee
-- (seeds/validator_fee_terms.csv) as the commission rate, its execution fee as the MEV commission
-- rate, the effective balance as the active stake, the operator revenue of component inflation
-- (trunc(max(consensus_rewards, 0) x consensus_fee_bps / 10000)), the gross that pct_gross rules
-- share out (max(consensus_rewards, 0)) and the day's signed consensus rewards. Feeds
-- canonical_validator_meta.

with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        cast(null as bigint) as epoch,
        validator_days.consensus_fee_bps as commission_bps,
        validator_days.execution_fee_bps as mev_commission_bps,
        {{ aurora.to_money('coalesce(validator_days.effective_balance_wei, 0)') }} as active_stake_native,
        validator_days.inflation_commission_wei as inflation_commission_native,
        validator_days.consensus_rewards_positive_wei as inflation_gross_native,
        validator_days.consensus_rewards_wei as consensus_rewards_native,
        coalesce(validator_days.state_provider, validator_days.periods_provider) as provider,
        coalesce(validator_days.state_request_id, '') as request_id,
        validator_days.state_response_sha256 as response_sha256,
        validator_days.state_provider as inflation_provider,
        validator_days.state_response_sha256 as inflation_response_sha256,
        cast(null as {{ dbt.type_string() }}) as mev_provider,
        cast(null as {{ dbt.type_string() }}) as mev_response_sha256,
        validator_days._dlt_load_id,
        validator_days._dlt_loaded_at
    from validator_days
    where validator_days.has_row
)

select * from final
