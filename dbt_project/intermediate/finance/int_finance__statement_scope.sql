-- One row per statement (methodology §6): every agreement and month with at least one attributed stake
-- unit in a closed period dated in that month, even if it ends with no lines. It carries what the
-- per-statement rules need: the version in force on the latest attributed period date of the month,
-- whether the month starts on or after terminated_on, and the statement's one price fixing
-- (int_finance__month_prices; null when the month has no daily close).
with attributions as (
    select * from {{ ref('int_finance__stake_attributions') }}
),

period_versions as (
    select * from {{ ref('int_finance__period_versions') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

chains as (
    select * from {{ ref('chains') }}
),

months as (
    select
        chain,
        partner_id,
        agreement_id,
        statement_month,
        min(period_date) as first_period_date,
        max(period_date) as last_period_date,
        count(distinct period_id) as period_count,
        count(distinct stake_unit_id) as stake_account_count
    from attributions
    group by 1, 2, 3, 4
),

month_bounds as (
    select
        months.*,
        cast(months.statement_month || '-01' as date) as month_start,
        cast(
            {{ dbt.dateadd('month', 1, "cast(months.statement_month || '-01' as date)") }}
            as date
        ) as next_month_start
    from months
),

latest_versions as (
    select distinct
        agreement_id,
        period_date,
        version
    from period_versions
),

month_prices as (
    select * from {{ ref('int_finance__month_prices') }}
),

final as (
    select
        month_bounds.chain,
        month_bounds.partner_id,
        month_bounds.agreement_id,
        month_bounds.statement_month,
        month_bounds.month_start,
        month_bounds.first_period_date,
        month_bounds.last_period_date,
        month_bounds.period_count,
        month_bounds.stake_account_count,
        agreements.statement_currency,
        agreements.terminated_on,
        coalesce(
            agreements.terminated_on is not null
            and month_bounds.month_start >= agreements.terminated_on,
            false
        ) as starts_after_termination,
        latest_versions.version as statement_version,
        chains.native_asset,
        chains.decimals,
        {{ aurora.pow10('chains.decimals') }} as native_unit,
        month_prices.price_date,
        month_prices.price_micro_usd
    from month_bounds
    inner join agreements
        on month_bounds.agreement_id = agreements.agreement_id
    inner join chains
        on month_bounds.chain = chains.chain
    left join latest_versions
        on
            month_bounds.agreement_id = latest_versions.agreement_id
            and month_bounds.last_period_date = latest_versions.period_date
    left join month_prices
        on
            month_bounds.chain = month_prices.chain
            and month_bounds.statement_month = month_prices.statement_month
)

select * from final
