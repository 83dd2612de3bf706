-- Every partner commission line (methodology §6): the public face of int_finance__commission_lines.
-- Rebuilt whole on every build.

with lines as (
    select * from {{ ref('int_finance__commission_lines') }}
),

final as (
    select
        lines.chain,
        lines.partner_id,
        lines.agreement_id,
        lines.version,
        lines.statement_month,
        lines.period_id,
        lines.period_date,
        lines.validator_id,
        lines.rule_id,
        lines.tier_index,
        lines.rule_type,
        lines.tier_mode,
        lines.component,
        lines.basis_kind,
        lines.basis_native,
        lines.tier_measure_tokens,
        lines.band_stake_tokens,
        lines.rate_bps,
        lines.rule_amount,
        lines.rule_amount_unit,
        lines.numerator,
        lines.denominator,
        lines.amount_native,
        lines.line_text
    from lines
)

select * from final
