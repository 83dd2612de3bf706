-- Every line's amount follows from its own columns (methodology §5), so an auditor can redo each
-- one:
--   untiered and flat pct lines: numerator = basis * rate_bps, denominator = 10000;
--   marginal lines: numerator = basis * band_stake * rate_bps, denominator = measure * 10000;
--   amount = trunc(numerator / denominator) for every line with a division;
--   a native fixed fee is its rule amount; a minimum line is rule amount - basis (basis below it);
--   a cap line is rule amount - basis (basis above it), once the amount is converted.
-- Returns each line that does not add up, with the reason.
with lines as (
    select * from {{ ref('partner_commission_lines') }}
),

checked as (
    select
        agreement_id,
        statement_month,
        rule_id,
        tier_index,
        period_id,
        validator_id,
        component,
        amount_native,
        case
            when
                rule_type in ('pct_commission', 'pct_gross') and tier_mode in ('none', 'flat')
                and (numerator <> basis_native * rate_bps or denominator <> 10000)
                then 'numerator or denominator of a rate line'
            when
                rule_type in ('pct_commission', 'pct_gross') and tier_mode = 'marginal'
                and (
                    numerator <> basis_native * band_stake_tokens * rate_bps
                    or denominator <> tier_measure_tokens * 10000
                )
                then 'numerator or denominator of a marginal band'
            when
                numerator is not null
                and rule_type in ('pct_commission', 'pct_gross', 'fixed_fee')
                and amount_native <> {{ aurora.int_div('numerator', 'denominator') }}
                then 'amount is not trunc(numerator / denominator)'
            when
                rule_type = 'fixed_fee' and rule_amount_unit = 'native'
                and amount_native <> rule_amount
                then 'a native fixed fee is its rule amount'
            when
                rule_type = 'minimum'
                and amount_native <> coalesce(
                    {{ aurora.int_div('numerator', 'denominator') }}, rule_amount
                ) - basis_native
                then 'a minimum line is the minimum less the basis'
            when
                rule_type = 'cap'
                and amount_native <> coalesce(
                    {{ aurora.int_div('numerator', 'denominator') }}, rule_amount
                ) - basis_native
                then 'a cap line is the cap less the basis'
        end as problem
    from lines
),

final as (
    select *
    from checked
    where problem is not null
)

select * from final
