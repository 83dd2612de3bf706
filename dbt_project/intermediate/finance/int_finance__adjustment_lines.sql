-- Adjustment lines (methodology §9): whatever changed a closed month's recomputed lines since it
-- was frozen (a late re-ingest, a correction version, an attribution fix), carried by the
-- agreement's statement in its chain's first open month. One line per agreement and line key
-- (adjusts_month, rule_id, tier_index, period_id, validator_id, component) with
--   amount = recomputed - frozen - adjustments already frozen for that key
-- (a missing side counts 0; zero is not emitted; negative allowed). The line keeps the key's
-- period_date and the version of the recomputed line (of the frozen one when nothing is recomputed);
-- basis, rate, numerator and denominator are null. line_text is the §6 text with `|` +
-- adjusts_month appended.
with closed_months as (
    select * from {{ ref('int_finance__closed_months') }}
),

recomputed as (
    select * from {{ ref('int_finance__commission_lines') }}
),

frozen as (
    select * from {{ ref('int_finance__frozen_lines') }}
),

contributions as (
    select
        recomputed.chain,
        recomputed.partner_id,
        recomputed.agreement_id,
        recomputed.statement_month as adjusts_month,
        recomputed.rule_id,
        recomputed.tier_index,
        recomputed.period_id,
        recomputed.validator_id,
        recomputed.component,
        recomputed.period_date,
        recomputed.version as recomputed_version,
        cast(null as integer) as frozen_version,
        recomputed.amount_native
    from recomputed
    inner join closed_months
        on
            recomputed.chain = closed_months.chain
            and recomputed.statement_month = closed_months.statement_month
    union all
    select
        chain,
        partner_id,
        agreement_id,
        coalesce(adjusts_month, statement_month) as adjusts_month,
        rule_id,
        tier_index,
        period_id,
        validator_id,
        component,
        period_date,
        cast(null as integer) as recomputed_version,
        version as frozen_version,
        0 - amount_native as amount_native
    from frozen
),

summed as (
    select
        chain,
        partner_id,
        agreement_id,
        adjusts_month,
        rule_id,
        tier_index,
        period_id,
        validator_id,
        component,
        max(period_date) as period_date,
        coalesce(max(recomputed_version), max(frozen_version)) as version,
        {{ aurora.to_money('sum(amount_native)') }} as amount_native
    from contributions
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
),

first_open as (
    select distinct
        chain,
        first_open_month
    from closed_months
),

placed as (
    select
        summed.*,
        first_open.first_open_month as statement_month
    from summed
    inner join first_open
        on summed.chain = first_open.chain
    where summed.amount_native <> 0
),

final as (
    select
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(version as integer) as version,
        cast(statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(adjusts_month as {{ dbt.type_string() }}) as adjusts_month,
        cast(period_id as {{ dbt.type_string() }}) as period_id,
        cast(period_date as date) as period_date,
        cast(validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(tier_index as integer) as tier_index,
        cast('adjustment' as {{ dbt.type_string() }}) as rule_type,
        cast(null as {{ dbt.type_string() }}) as tier_mode,
        cast(component as {{ dbt.type_string() }}) as component,
        cast(null as {{ dbt.type_string() }}) as basis_kind,
        cast(null as {{ aurora.money_type() }}) as basis_native,
        cast(null as {{ aurora.money_type() }}) as tier_measure_tokens,
        cast(null as {{ aurora.money_type() }}) as band_stake_tokens,
        cast(null as integer) as rate_bps,
        cast(null as {{ aurora.money_type() }}) as rule_amount,
        cast(null as {{ dbt.type_string() }}) as rule_amount_unit,
        cast(null as {{ aurora.money_type() }}) as numerator,
        cast(null as {{ aurora.money_type() }}) as denominator,
        {{ aurora.to_money('amount_native') }} as amount_native
    from placed
)

select
    final.*,
    {{ aurora.commission_line_text('final', 'final.adjusts_month') }} as line_text
from final
