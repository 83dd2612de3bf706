-- Validator P&L per validator and closed period (methodology §3): the public face of
-- int_finance__validator_pnl, where every figure is computed. Rebuilt whole on every build.

with validator_pnl as (
    select * from {{ ref('int_finance__validator_pnl') }}
),

final as (
    select
        validator_pnl.chain,
        validator_pnl.validator_id,
        validator_pnl.period_id,
        validator_pnl.period_date,
        validator_pnl.inflation_commission_native,
        validator_pnl.block_fees_native,
        validator_pnl.mev_commission_native,
        validator_pnl.revenue_native,
        validator_pnl.vote_fees_native,
        validator_pnl.net_native,
        validator_pnl.price_micro_usd,
        validator_pnl.revenue_usd_micro,
        validator_pnl.vote_fees_usd_micro,
        validator_pnl.infra_cost_usd_micro,
        validator_pnl.pnl_usd_micro,
        validator_pnl.consensus_rewards_native,
        validator_pnl.execution_fees_gross_native,
        validator_pnl.mev_gross_reported_native as mev_gross_native
    from validator_pnl
)

select * from final
