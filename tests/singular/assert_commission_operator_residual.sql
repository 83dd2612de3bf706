{{ config(severity='warn') }}
-- Warning (methodology §7): the operator's residual on a validator-epoch is below zero: all
-- partners' period lines exceed the validator's revenue (inflation commission + block fees + MEV
-- commission). Returns the validator, the epoch, the revenue and what partners were paid on it.
with lines as (
    select * from {{ ref('partner_commission_lines') }}
),

validator_pnl as (
    select * from {{ ref('validator_pnl') }}
),

paid as (
    select
        chain,
        validator_id,
        period_id,
        sum(amount_native) as partner_lines_native
    from lines
    where period_id is not null
    group by 1, 2, 3
),

final as (
    select
        paid.chain,
        paid.validator_id,
        paid.period_id,
        coalesce(validator_pnl.inflation_commission_native, 0)
        + coalesce(validator_pnl.block_fees_native, 0)
        + coalesce(validator_pnl.mev_commission_native, 0) as revenue_native,
        paid.partner_lines_native
    from paid
    left join validator_pnl
        on
            paid.chain = validator_pnl.chain
            and paid.validator_id = validator_pnl.validator_id
            and paid.period_id = validator_pnl.period_id
    where
        coalesce(validator_pnl.inflation_commission_native, 0)
        + coalesce(validator_pnl.block_fees_native, 0)
        + coalesce(validator_pnl.mev_commission_native, 0)
        - paid.partner_lines_native < 0
)

select * from final
