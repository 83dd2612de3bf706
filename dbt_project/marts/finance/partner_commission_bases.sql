-- What each agreement's stake earned the operator, per validator, closed period and component
-- (methodology §4): the public face of int_finance__commission_bases. Rebuilt whole on every build.

with bases as (
    select * from {{ ref('int_finance__commission_bases') }}
),

final as (
    select
        bases.chain,
        bases.partner_id,
        bases.agreement_id,
        bases.validator_id,
        bases.period_id,
        bases.period_date,
        bases.statement_month,
        bases.component,
        bases.attributed_account_count,
        bases.attributed_rewards_native,
        bases.validator_rewards_native,
        bases.attributed_delegated_native,
        bases.validator_delegated_native,
        bases.share_weight,
        bases.share_numerator_native,
        bases.share_denominator_native,
        bases.validator_component_native,
        bases.validator_mev_rewards_native,
        bases.operator_commission_basis_native,
        bases.gross_basis_native,
        bases.tier_measure_tokens,
        bases.validator_gross_native
    from bases
)

select * from final
