-- Validator P&L per validator and closed period (methodology §3), in the chain's smallest unit and
-- in micro-USD at the native asset's close of the period date, for every chain from the canonical
-- contracts alone. A view (recomputed whenever it is read): it is small, and finance edits its USD
-- inputs (seeds prices, validator_costs), so nothing may keep stale USD figures. The mart
-- validator_pnl and the commission models read it; it also carries the canonical gross figures
-- per component for the commission bases (not part of the mart).

with recursive periods as (
    select * from {{ ref('canonical_periods') }}
),

validator_meta as (
    select * from {{ ref('canonical_validator_meta') }}
),

validator_fees as (
    select * from {{ ref('canonical_validator_fees') }}
),

validator_mev as (
    select * from {{ ref('canonical_validator_mev') }}
),

chains as (
    select * from {{ ref('chains') }}
),

prices as (
    select * from {{ ref('prices') }}
),

validator_costs as (
    select * from {{ ref('validator_costs') }}
),

closed_validator_periods as (
    select
        validator_meta.chain,
        validator_meta.validator_id,
        validator_meta.period_id,
        periods.start_at,
        periods.end_at,
        periods.period_date,
        validator_meta.inflation_commission_native,
        validator_meta.inflation_gross_native,
        validator_meta.consensus_rewards_native
    from validator_meta
    inner join periods
        on
            validator_meta.chain = periods.chain
            and validator_meta.period_id = periods.period_id
    where periods.is_closed
),

revenue as (
    select
        closed_validator_periods.*,
        validator_fees.block_fees_native,
        validator_mev.mev_commission_native,
        validator_fees.vote_fees_native,
        validator_fees.block_fees_gross_native,
        validator_mev.mev_gross_native
    from closed_validator_periods
    left join validator_fees
        on
            closed_validator_periods.chain = validator_fees.chain
            and closed_validator_periods.validator_id = validator_fees.validator_id
            and closed_validator_periods.period_id = validator_fees.period_id
    left join validator_mev
        on
            closed_validator_periods.chain = validator_mev.chain
            and closed_validator_periods.validator_id = validator_mev.validator_id
            and closed_validator_periods.period_id = validator_mev.period_id
),

-- each cost row's overlap with the period: [greatest(start, valid_from), least(end, valid_to))
cost_overlaps as (
    select
        closed_validator_periods.chain,
        closed_validator_periods.validator_id,
        closed_validator_periods.period_id,
        validator_costs.valid_from,
        validator_costs.monthly_cost_usd_micro,
        greatest(
            closed_validator_periods.start_at,
            cast(validator_costs.valid_from as timestamp)
        ) as overlap_start_at,
        least(
            closed_validator_periods.end_at,
            coalesce(cast(validator_costs.valid_to as timestamp), closed_validator_periods.end_at)
        ) as overlap_end_at
    from closed_validator_periods
    inner join validator_costs
        on
            closed_validator_periods.chain = validator_costs.chain
            and closed_validator_periods.validator_id = validator_costs.validator_id
),

-- the calendar months each overlap touches, one row per (overlap, month)
cost_months as (
    select
        cost_overlaps.chain,
        cost_overlaps.validator_id,
        cost_overlaps.period_id,
        cost_overlaps.valid_from,
        cost_overlaps.monthly_cost_usd_micro,
        cost_overlaps.overlap_start_at,
        cost_overlaps.overlap_end_at,
        cast({{ dbt.date_trunc('month', 'cost_overlaps.overlap_start_at') }} as timestamp) as month_start_at
    from cost_overlaps
    where cost_overlaps.overlap_start_at < cost_overlaps.overlap_end_at
    union all
    select
        cost_months.chain,
        cost_months.validator_id,
        cost_months.period_id,
        cost_months.valid_from,
        cost_months.monthly_cost_usd_micro,
        cost_months.overlap_start_at,
        cost_months.overlap_end_at,
        cast({{ dbt.dateadd('month', 1, 'cost_months.month_start_at') }} as timestamp) as month_start_at
    from cost_months
    where cast({{ dbt.dateadd('month', 1, 'cost_months.month_start_at') }} as timestamp) < cost_months.overlap_end_at
),

-- trunc(monthly cost * overlap seconds in the month / seconds in the month), per piece
cost_pieces as (
    select
        cost_months.chain,
        cost_months.validator_id,
        cost_months.period_id,
        {{ aurora.mul_div(
            'cost_months.monthly_cost_usd_micro',
            aurora.seconds_between(
                'greatest(cost_months.overlap_start_at, cost_months.month_start_at)',
                'least(cost_months.overlap_end_at, cast(' ~ dbt.dateadd('month', 1, 'cost_months.month_start_at') ~ ' as timestamp))'
            ),
            aurora.seconds_between(
                'cost_months.month_start_at',
                'cast(' ~ dbt.dateadd('month', 1, 'cost_months.month_start_at') ~ ' as timestamp)'
            )
        ) }} as cost_usd_micro
    from cost_months
),

infra_costs as (
    select
        cost_pieces.chain,
        cost_pieces.validator_id,
        cost_pieces.period_id,
        sum(cost_pieces.cost_usd_micro) as infra_cost_usd_micro
    from cost_pieces
    group by
        cost_pieces.chain,
        cost_pieces.validator_id,
        cost_pieces.period_id
),

-- the native asset's close on the period date, and 10^decimals as an exact integer
period_prices as (
    select
        revenue.chain,
        revenue.validator_id,
        revenue.period_id,
        prices.price_micro_usd,
        {{ aurora.pow10('chains.decimals') }} as native_per_token
    from revenue
    inner join chains
        on revenue.chain = chains.chain
    left join prices
        on
            revenue.chain = prices.chain
            and chains.native_asset = prices.asset
            and revenue.period_date = prices.price_date
),

native_amounts as (
    select
        revenue.chain,
        revenue.validator_id,
        revenue.period_id,
        revenue.period_date,
        {{ aurora.to_money('revenue.inflation_commission_native') }} as inflation_commission_native,
        {{ aurora.to_money('revenue.block_fees_native') }} as block_fees_native,
        {{ aurora.to_money('revenue.mev_commission_native') }} as mev_commission_native,
        {{ aurora.to_money(
            'revenue.inflation_commission_native + revenue.block_fees_native + revenue.mev_commission_native'
        ) }} as revenue_native,
        {{ aurora.to_money('revenue.vote_fees_native') }} as vote_fees_native,
        {{ aurora.to_money('revenue.inflation_gross_native') }} as inflation_gross_native,
        {{ aurora.to_money('revenue.block_fees_gross_native') }} as block_fees_gross_native,
        {{ aurora.to_money('revenue.mev_gross_native') }} as mev_gross_native,
        {{ aurora.to_money('revenue.consensus_rewards_native') }} as consensus_rewards_native,
        period_prices.price_micro_usd,
        period_prices.native_per_token,
        {{ aurora.to_money('coalesce(infra_costs.infra_cost_usd_micro, 0)') }} as infra_cost_usd_micro
    from revenue
    left join period_prices
        on
            revenue.chain = period_prices.chain
            and revenue.validator_id = period_prices.validator_id
            and revenue.period_id = period_prices.period_id
    left join infra_costs
        on
            revenue.chain = infra_costs.chain
            and revenue.validator_id = infra_costs.validator_id
            and revenue.period_id = infra_costs.period_id
),

usd_amounts as (
    select
        native_amounts.*,
        {{ aurora.to_money(aurora.mul_div(
            'native_amounts.revenue_native', 'native_amounts.price_micro_usd', 'native_amounts.native_per_token'
        )) }} as revenue_usd_micro,
        {{ aurora.to_money(aurora.mul_div(
            'native_amounts.vote_fees_native', 'native_amounts.price_micro_usd', 'native_amounts.native_per_token'
        )) }} as vote_fees_usd_micro
    from native_amounts
),

final as (
    select
        usd_amounts.chain,
        usd_amounts.validator_id,
        usd_amounts.period_id,
        usd_amounts.period_date,
        usd_amounts.inflation_commission_native,
        usd_amounts.block_fees_native,
        usd_amounts.mev_commission_native,
        usd_amounts.revenue_native,
        usd_amounts.vote_fees_native,
        {{ aurora.to_money('usd_amounts.revenue_native - usd_amounts.vote_fees_native') }} as net_native,
        {{ aurora.to_money('usd_amounts.price_micro_usd') }} as price_micro_usd,
        usd_amounts.revenue_usd_micro,
        usd_amounts.vote_fees_usd_micro,
        usd_amounts.infra_cost_usd_micro,
        {{ aurora.to_money(
            'usd_amounts.revenue_usd_micro - usd_amounts.vote_fees_usd_micro - usd_amounts.infra_cost_usd_micro'
        ) }} as pnl_usd_micro,
        -- the gross figures of chains whose operator revenue is a fee on the validator's rewards
        -- (Ethereum, methodology §8: canonical consensus_rewards_native is set); null elsewhere
        usd_amounts.consensus_rewards_native,
        case
            when usd_amounts.consensus_rewards_native is not null then usd_amounts.block_fees_gross_native
        end as execution_fees_gross_native,
        case
            when usd_amounts.consensus_rewards_native is not null then usd_amounts.mev_gross_native
        end as mev_gross_reported_native,
        usd_amounts.inflation_gross_native,
        usd_amounts.block_fees_gross_native,
        usd_amounts.mev_gross_native
    from usd_amounts
)

select * from final
