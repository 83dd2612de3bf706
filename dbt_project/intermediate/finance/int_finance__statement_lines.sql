{#- Text ordering must be byte order (C collation) on every engine, never the database's locale. -#}
-- Per-statement lines (methodology §5), applied after the period lines of the statement, in this order:
-- fixed fees, then minimums, then caps (ties by seq, then rule_id in byte order), with the version in
-- force on the latest attributed period date of the month. None for a month that starts on or after
-- terminated_on. Not prorated. A `usd_cents` amount is converted at the statement's price:
-- trunc(cents * 10^4 * 10^decimals / price_micro_usd) (numerator and denominator are kept); without a
-- price there is no line and assert_commission_usd_amounts_have_price fails.
--   fixed_fee: basis null, amount = the fee.
--   minimum:   basis = the sum so far; one line of (amount - basis) when the basis is below it.
--   cap:       basis = the sum so far (minimum lines included); one line of (amount - basis) when the
--              basis is above it (negative).
-- The running sum has a closed form: after the fixed fees it is S + F; after minimums m1..mk it is
-- max(S + F, m1..mk); after caps c1..cj it is min(that, c1..cj).
with scope as (
    select * from {{ ref('int_finance__statement_scope') }}
),

period_lines as (
    select * from {{ ref('int_finance__period_lines') }}
),

agreement_rules as (
    select * from {{ ref('agreement_rules') }}
),

statement_rules as (
    select *
    from agreement_rules
    where rule_type in ('fixed_fee', 'minimum', 'cap')
),

period_totals as (
    select
        agreement_id,
        statement_month,
        sum(amount_native) as period_lines_native
    from period_lines
    group by 1, 2
),

applicable as (
    select
        scope.chain,
        scope.partner_id,
        scope.agreement_id,
        scope.statement_month,
        scope.statement_version as version,
        scope.price_micro_usd,
        {{ aurora.to_money('coalesce(period_totals.period_lines_native, 0)') }}
            as period_lines_native,
        statement_rules.rule_id,
        statement_rules.tier_index,
        statement_rules.rule_type,
        statement_rules.component,
        statement_rules.tier_mode,
        statement_rules.seq,
        statement_rules.amount as rule_amount,
        statement_rules.amount_unit as rule_amount_unit,
        case statement_rules.rule_type
            when 'fixed_fee' then 1
            when 'minimum' then 2
            when 'cap' then 3
        end as step,
        case
            when statement_rules.amount_unit = 'usd_cents'
                then
                    {{ aurora.to_money('statement_rules.amount') }}
                    * {{ aurora.to_money('10000') }}
                    * scope.native_unit
        end as numerator,
        case
            when statement_rules.amount_unit = 'usd_cents'
                then {{ aurora.to_money('scope.price_micro_usd') }}
        end as denominator
    from scope
    inner join statement_rules
        on
            scope.agreement_id = statement_rules.agreement_id
            and scope.statement_version = statement_rules.version
    left join period_totals
        on
            scope.agreement_id = period_totals.agreement_id
            and scope.statement_month = period_totals.statement_month
    where not scope.starts_after_termination
),

converted as (
    select
        applicable.*,
        case
            when applicable.rule_amount_unit = 'native'
                then {{ aurora.to_money('applicable.rule_amount') }}
            when applicable.rule_amount_unit = 'usd_cents' and applicable.denominator > 0
                then {{ aurora.int_div('applicable.numerator', 'applicable.denominator') }}
        end as rule_amount_native
    from applicable
),

priced as (
    select *
    from converted
    where rule_amount_native is not null
),

sequenced as (
    select
        priced.*,
        priced.period_lines_native
        + coalesce(sum(case when priced.step = 1 then priced.rule_amount_native end) over (
            partition by priced.agreement_id, priced.statement_month
        ), 0) as after_fixed_native,
        max(case when priced.step = 2 then priced.rule_amount_native end) over (
            partition by priced.agreement_id, priced.statement_month
        ) as largest_minimum_native,
        max(priced.rule_amount_native) over (
            partition by priced.agreement_id, priced.statement_month, priced.step
            order by priced.seq, {{ aurora.bytewise('priced.rule_id') }}
            rows between unbounded preceding and 1 preceding
        ) as earlier_largest_native,
        min(priced.rule_amount_native) over (
            partition by priced.agreement_id, priced.statement_month, priced.step
            order by priced.seq, {{ aurora.bytewise('priced.rule_id') }}
            rows between unbounded preceding and 1 preceding
        ) as earlier_smallest_native
    from priced
),

running as (
    select
        sequenced.*,
        case
            when sequenced.largest_minimum_native > sequenced.after_fixed_native
                then sequenced.largest_minimum_native
            else sequenced.after_fixed_native
        end as after_minimum_native
    from sequenced
),

with_basis as (
    select
        running.*,
        case
            when running.step = 2
                then
                    case
                        when running.earlier_largest_native > running.after_fixed_native
                            then running.earlier_largest_native
                        else running.after_fixed_native
                    end
            when running.step = 3
                then
                    case
                        when running.earlier_smallest_native < running.after_minimum_native
                            then running.earlier_smallest_native
                        else running.after_minimum_native
                    end
        end as basis_native
    from running
),

final as (
    select
        with_basis.*,
        case
            when with_basis.step = 1 then with_basis.rule_amount_native
            when with_basis.step = 2 and with_basis.rule_amount_native > with_basis.basis_native
                then with_basis.rule_amount_native - with_basis.basis_native
            when with_basis.step = 3 and with_basis.rule_amount_native < with_basis.basis_native
                then with_basis.rule_amount_native - with_basis.basis_native
            else {{ aurora.to_money('0') }}
        end as amount_native
    from with_basis
)

select *
from final
where amount_native <> 0
