-- The statements that are still drafts (methodology §9): every statement of the scope in a month its
-- chain has not closed, plus one statement in the chain's first open month for each agreement that
-- has adjustment lines there but no statement of its own (a terminated agreement, or one no longer
-- attributed): it carries the adjustments, with no period, no per-statement rule (statement_version
-- null) and the month's price.
{%- set scope_columns = [
    'chain', 'partner_id', 'agreement_id', 'statement_month', 'month_start', 'first_period_date',
    'last_period_date', 'period_count', 'stake_account_count', 'statement_currency',
    'terminated_on', 'starts_after_termination', 'statement_version', 'native_asset', 'decimals',
    'native_unit', 'price_date', 'price_micro_usd'
] %}

with scope as (
    select * from {{ ref('int_finance__statement_scope') }}
),

closed_months as (
    select * from {{ ref('int_finance__closed_months') }}
),

adjustments as (
    select * from {{ ref('int_finance__adjustment_lines') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

chains as (
    select * from {{ ref('chains') }}
),

month_prices as (
    select * from {{ ref('int_finance__month_prices') }}
),

open_scope as (
    select scope.*
    from scope
    left join closed_months
        on
            scope.chain = closed_months.chain
            and scope.statement_month = closed_months.statement_month
    where closed_months.statement_month is null
),

carried as (
    select distinct
        adjustments.chain,
        adjustments.partner_id,
        adjustments.agreement_id,
        adjustments.statement_month
    from adjustments
    left join open_scope
        on
            adjustments.agreement_id = open_scope.agreement_id
            and adjustments.statement_month = open_scope.statement_month
    where open_scope.agreement_id is null
),

carriers as (
    select
        carried.chain,
        carried.partner_id,
        carried.agreement_id,
        carried.statement_month,
        cast(carried.statement_month || '-01' as date) as month_start,
        cast(null as date) as first_period_date,
        cast(null as date) as last_period_date,
        0 as period_count,
        0 as stake_account_count,
        agreements.statement_currency,
        agreements.terminated_on,
        coalesce(
            agreements.terminated_on is not null
            and cast(carried.statement_month || '-01' as date) >= agreements.terminated_on,
            false
        ) as starts_after_termination,
        cast(null as integer) as statement_version,
        chains.native_asset,
        chains.decimals,
        {{ aurora.pow10('chains.decimals') }} as native_unit,
        month_prices.price_date,
        month_prices.price_micro_usd
    from carried
    inner join agreements
        on carried.agreement_id = agreements.agreement_id
    inner join chains
        on carried.chain = chains.chain
    left join month_prices
        on
            carried.chain = month_prices.chain
            and carried.statement_month = month_prices.statement_month
),

final as (
    select {{ scope_columns | join(', ') }} from open_scope
    union all
    select {{ scope_columns | join(', ') }} from carriers
)

select * from final
