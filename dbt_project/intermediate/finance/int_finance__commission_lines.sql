-- Every partner commission line (methodology §6): the period lines (per epoch and validator) and the
-- per-statement lines (fixed fee, minimum, cap) of each statement. Each line says which rule, version,
-- basis, rate and division (numerator / denominator, truncated toward zero) produced it; `line_text`
-- is the line as serialised for the statement's lines_sha256. The mart partner_commission_lines
-- serves it; the statements aggregate it.
with period_lines as (
    select * from {{ ref('int_finance__period_lines') }}
),

statement_lines as (
    select * from {{ ref('int_finance__statement_lines') }}
),

unioned as (
    select
        chain,
        partner_id,
        agreement_id,
        version,
        statement_month,
        period_id,
        period_date,
        validator_id,
        rule_id,
        tier_index,
        rule_type,
        tier_mode,
        component,
        basis_kind,
        basis_native,
        tier_measure_tokens,
        band_stake_tokens,
        rate_bps,
        cast(null as {{ aurora.money_type() }}) as rule_amount,
        cast(null as {{ dbt.type_string() }}) as rule_amount_unit,
        numerator,
        denominator,
        amount_native
    from period_lines
    union all
    select
        chain,
        partner_id,
        agreement_id,
        version,
        statement_month,
        cast(null as {{ dbt.type_string() }}) as period_id,
        cast(null as date) as period_date,
        cast(null as {{ dbt.type_string() }}) as validator_id,
        rule_id,
        tier_index,
        rule_type,
        tier_mode,
        component,
        case when rule_type = 'fixed_fee' then null else 'statement_total' end as basis_kind,
        basis_native,
        cast(null as {{ aurora.money_type() }}) as tier_measure_tokens,
        cast(null as {{ aurora.money_type() }}) as band_stake_tokens,
        cast(null as integer) as rate_bps,
        rule_amount,
        rule_amount_unit,
        numerator,
        denominator,
        amount_native
    from statement_lines
),

typed as (
    select
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(version as integer) as version,
        cast(statement_month as {{ dbt.type_string() }}) as statement_month,
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
        {{ aurora.to_money('amount_native') }} as amount_native
    from unioned
),

final as (
    select
        typed.*,
        {{ aurora.commission_line_text('typed') }} as line_text
    from typed
)

select * from final
