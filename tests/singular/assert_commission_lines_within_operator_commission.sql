{{ config(severity='warn') }}
-- Warning (methodology §7): an agreement's period lines on a validator-epoch exceed the operator's
-- commission on the same stake (the sum of its three operator_commission bases), so the operator pays
-- the partner out of pocket (e.g. a pct_gross rule on a low-commission validator). Rules may
-- legitimately do so; the warning makes it visible. Returns the agreement, validator and epoch.
with bases as (
    select * from {{ ref('partner_commission_bases') }}
),

lines as (
    select * from {{ ref('partner_commission_lines') }}
),

commission as (
    select
        agreement_id,
        validator_id,
        period_id,
        sum(operator_commission_basis_native) as operator_commission_native
    from bases
    group by 1, 2, 3
),

paid as (
    select
        agreement_id,
        validator_id,
        period_id,
        sum(amount_native) as partner_lines_native
    from lines
    where period_id is not null
    group by 1, 2, 3
),

final as (
    select
        paid.agreement_id,
        paid.validator_id,
        paid.period_id,
        paid.partner_lines_native,
        coalesce(commission.operator_commission_native, 0) as operator_commission_native
    from paid
    left join commission
        on
            paid.agreement_id = commission.agreement_id
            and paid.validator_id = commission.validator_id
            and paid.period_id = commission.period_id
    where paid.partner_lines_native > coalesce(commission.operator_commission_native, 0)
)

select * from final
