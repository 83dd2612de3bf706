-- Lines per agreement, validator and closed epoch (methodology §5): the period rules (`pct_commission` on
-- the operator_commission basis, `pct_gross` on the gross basis) of the version in force on the
-- period date. A component rule takes that component's basis; `all` sums the three bases before the
-- one truncation. Untiered: trunc(basis * rate / 10000). Flat: the band holding the tier measure, on
-- the whole basis. Marginal: one line per band the measure reaches,
-- trunc(basis * band_stake * rate / (measure * 10000)); measure 0 gives no line. Periods dated on or
-- after the agreement's terminated_on get no lines. Zero amounts are not emitted.
with bases as (
    select * from {{ ref('int_finance__commission_bases') }}
),

period_versions as (
    select * from {{ ref('int_finance__period_versions') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

agreement_rules as (
    select * from {{ ref('agreement_rules') }}
),

period_rules as (
    select *
    from agreement_rules
    where rule_type in ('pct_commission', 'pct_gross')
),

versioned_bases as (
    select
        bases.*,
        period_versions.version
    from bases
    inner join period_versions
        on
            bases.agreement_id = period_versions.agreement_id
            and bases.period_id = period_versions.period_id
    inner join agreements
        on bases.agreement_id = agreements.agreement_id
    where
        period_versions.version is not null
        and (agreements.terminated_on is null or bases.period_date < agreements.terminated_on)
),

-- one basis per rule band, validator and epoch
rule_bases as (
    select
        versioned_bases.chain,
        versioned_bases.partner_id,
        versioned_bases.agreement_id,
        versioned_bases.version,
        versioned_bases.validator_id,
        versioned_bases.period_id,
        versioned_bases.period_date,
        versioned_bases.statement_month,
        versioned_bases.tier_measure_tokens,
        period_rules.rule_id,
        period_rules.tier_index,
        period_rules.rule_type,
        period_rules.component,
        period_rules.rate_bps,
        period_rules.tier_mode,
        period_rules.tier_lower,
        period_rules.tier_upper,
        case
            when period_rules.rule_type = 'pct_commission' then 'operator_commission'
            else 'gross'
        end as basis_kind,
        sum(
            case
                when period_rules.rule_type = 'pct_commission'
                    then versioned_bases.operator_commission_basis_native
                else versioned_bases.gross_basis_native
            end
        ) as basis_native
    from versioned_bases
    inner join period_rules
        on
            versioned_bases.agreement_id = period_rules.agreement_id
            and versioned_bases.version = period_rules.version
            and (
                period_rules.component = 'all'
                or versioned_bases.component = period_rules.component
            )
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18
),

untiered as (
    select
        rule_bases.*,
        cast(null as {{ aurora.money_type() }}) as band_stake_tokens,
        {{ aurora.to_money('rule_bases.basis_native') }}
        * {{ aurora.to_money('rule_bases.rate_bps') }} as numerator,
        {{ aurora.to_money('10000') }} as denominator
    from rule_bases
    where rule_bases.tier_mode = 'none'
),

flat as (
    select
        rule_bases.*,
        cast(null as {{ aurora.money_type() }}) as band_stake_tokens,
        {{ aurora.to_money('rule_bases.basis_native') }}
        * {{ aurora.to_money('rule_bases.rate_bps') }} as numerator,
        {{ aurora.to_money('10000') }} as denominator
    from rule_bases
    where
        rule_bases.tier_mode = 'flat'
        and rule_bases.tier_measure_tokens >= rule_bases.tier_lower
        and (
            rule_bases.tier_upper is null
            or rule_bases.tier_measure_tokens < rule_bases.tier_upper
        )
),

marginal_bands as (
    select
        rule_bases.*,
        {{ aurora.to_money(
            'case when rule_bases.tier_upper is null'
            ~ ' or rule_bases.tier_measure_tokens < rule_bases.tier_upper'
            ~ ' then rule_bases.tier_measure_tokens else rule_bases.tier_upper end'
        ) }}
        - {{ aurora.to_money('rule_bases.tier_lower') }} as band_stake_tokens
    from rule_bases
    where
        rule_bases.tier_mode = 'marginal'
        and rule_bases.tier_measure_tokens > 0
        and rule_bases.tier_measure_tokens > rule_bases.tier_lower
),

marginal as (
    select
        marginal_bands.*,
        {{ aurora.to_money('marginal_bands.basis_native') }}
        * marginal_bands.band_stake_tokens
        * {{ aurora.to_money('marginal_bands.rate_bps') }} as numerator,
        {{ aurora.to_money('marginal_bands.tier_measure_tokens') }}
        * {{ aurora.to_money('10000') }} as denominator
    from marginal_bands
),

all_lines as (
    select * from untiered
    union all
    select * from flat
    union all
    select * from marginal
),

final as (
    select
        all_lines.*,
        {{ aurora.int_div('all_lines.numerator', 'all_lines.denominator') }} as amount_native
    from all_lines
)

select *
from final
where amount_native <> 0
