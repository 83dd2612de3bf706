{{ config(severity='warn') }}
-- Warning: a validator-epoch with stake rewards in a closed period but no validator_pnl row. Its
-- stake accounts are not attributed (only the operator's validators, those with a P&L, count), so a
-- partner would silently miss it if it is the operator's. Returns the validator and epoch.
with stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

periods as (
    select * from {{ ref('canonical_periods') }}
),

validator_pnl as (
    select * from {{ ref('int_finance__validator_pnl') }}
),

stake_periods as (
    select distinct
        stake_rewards.chain,
        stake_rewards.validator_id,
        stake_rewards.period_id
    from stake_rewards
    inner join periods
        on
            stake_rewards.chain = periods.chain
            and stake_rewards.period_id = periods.period_id
    where periods.is_closed
),

final as (
    select stake_periods.*
    from stake_periods
    left join validator_pnl
        on
            stake_periods.chain = validator_pnl.chain
            and stake_periods.validator_id = validator_pnl.validator_id
            and stake_periods.period_id = validator_pnl.period_id
    where validator_pnl.validator_id is null
)

select * from final
