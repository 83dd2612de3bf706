{{ config(severity='warn') }}
-- Warns, naming the gap, when a closed period has no daily close of the chain's native asset on
-- its period date (seeds/prices.csv): validator_pnl then leaves price_micro_usd, revenue_usd_micro,
-- vote_fees_usd_micro and pnl_usd_micro null for it.
with validator_pnl as (
    select * from {{ ref('validator_pnl') }}
),

chains as (
    select * from {{ ref('chains') }}
),

final as (
    select
        validator_pnl.chain,
        chains.native_asset as asset,
        validator_pnl.period_date as missing_price_date,
        min(validator_pnl.period_id) as first_period_id,
        count(*) as validator_period_count
    from validator_pnl
    inner join chains
        on validator_pnl.chain = chains.chain
    where validator_pnl.price_micro_usd is null
    group by
        validator_pnl.chain,
        chains.native_asset,
        validator_pnl.period_date
)

select * from final
