-- Every partner commission line (methodology §6, §9): the lines of every statement the statements
-- mart serves, so each lines_sha256 recomputes from this table alone.
--   open months (drafts): the recomputed lines of int_finance__commission_lines, then the
--     adjustment lines of int_finance__adjustment_lines in the chain's first open month;
--   closed months: the frozen lines from the ledger, as they were when the month closed.
-- is_closed says which; adjusts_month is set on adjustment lines only. Rebuilt whole on every build.
{%- set columns = [
    'chain', 'partner_id', 'agreement_id', 'version', 'statement_month', 'adjusts_month',
    'period_id', 'period_date', 'validator_id', 'rule_id', 'tier_index', 'rule_type', 'tier_mode',
    'component', 'basis_kind', 'basis_native', 'tier_measure_tokens', 'band_stake_tokens',
    'rate_bps', 'rule_amount', 'rule_amount_unit', 'numerator', 'denominator', 'amount_native',
    'line_text'
] %}

with recomputed as (
    select * from {{ ref('int_finance__commission_lines') }}
),

adjustments as (
    select * from {{ ref('int_finance__adjustment_lines') }}
),

frozen as (
    select * from {{ ref('int_finance__frozen_lines') }}
),

closed_months as (
    select * from {{ ref('int_finance__closed_months') }}
),

open_lines as (
    select
        recomputed.*,
        cast(null as {{ dbt.type_string() }}) as adjusts_month
    from recomputed
    left join closed_months
        on
            recomputed.chain = closed_months.chain
            and recomputed.statement_month = closed_months.statement_month
    where closed_months.statement_month is null
),

unioned as (
    select
        {{ columns | join(', ') }},
        false as is_closed
    from open_lines
    union all
    select
        {{ columns | join(', ') }},
        false as is_closed
    from adjustments
    union all
    select
        {{ columns | join(', ') }},
        true as is_closed
    from frozen
),

final as (
    select
        {{ aurora.ledger_typed_columns('closed_statement_lines', 'unioned', ['closed_at', 'closed_by']) }},
        cast(unioned.is_closed as boolean) as is_closed
    from unioned
)

select * from final
