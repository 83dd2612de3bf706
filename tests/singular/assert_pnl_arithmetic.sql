-- The identities of methodology §3 on every validator_pnl row, compared exactly: revenue is the sum
-- of its three components, net = revenue - vote fees, pnl = revenue_usd - vote_fees_usd - infra
-- cost, and the USD figures are null exactly when the price is. Returns the offending rows.
select *
from {{ ref('validator_pnl') }}
where
    revenue_native <> inflation_commission_native + block_fees_native + mev_commission_native
    or net_native <> revenue_native - vote_fees_native
    or (price_micro_usd is null) <> (revenue_usd_micro is null)
    or (price_micro_usd is null) <> (vote_fees_usd_micro is null)
    or (price_micro_usd is null) <> (pnl_usd_micro is null)
    or pnl_usd_micro <> revenue_usd_micro - vote_fees_usd_micro - infra_cost_usd_micro
