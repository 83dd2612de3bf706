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
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(version as integer) as version,
        cast(statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(adjusts_month as {{ dbt.type_string() }}) as adjusts_month,
        cast(is_closed as boolean) as is_closed,
        cast(period_id as {{ dbt.type_string() }}) as period_id,
        cast(period_date as date) as period_date,
        cast(validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(tier_index as integer) as tier_index,
        cast(rule_type as {{ dbt.type_string() }}) as rule_type,
        cast(tier_mode as {{ dbt.type_string() }}) as tier_mode,
        cast(component as {{ dbt.type_string() }}) as component,
        cast(basis_kind as {{ dbt.type_string() }}) as basis_kind,
        {{ aurora.to_money('basis_native') }} as basis_native,
        {{ aurora.to_money('tier_measure_tokens') }} as tier_measure_tokens,
        {{ aurora.to_money('band_stake_tokens') }} as band_stake_tokens,
        cast(rate_bps as integer) as rate_bps,
        {{ aurora.to_money('rule_amount') }} as rule_amount,
        cast(rule_amount_unit as {{ dbt.type_string() }}) as rule_amount_unit,
        {{ aurora.to_money('numerator') }} as numerator,
        {{ aurora.to_money('denominator') }} as denominator,
        {{ aurora.to_money('amount_native') }} as amount_native,
        cast(line_text as {{ dbt.type_string() }}) as line_text
    from unioned
)

select * from final
