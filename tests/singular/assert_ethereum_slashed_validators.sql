{{ config(severity='warn') }}
-- Warns for every Ethereum validator-day whose state says the validator is slashed (methodology
-- §8): the slashing penalty itself appears in no rewards endpoint and is not modelled in this
-- version, so its P&L overstates the day. Names the validator, the day and its status.
with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        validator_days.validator_status,
        validator_days.balance_wei,
        validator_days.effective_balance_wei
    from validator_days
    where validator_days.is_slashed
)

select * from final
