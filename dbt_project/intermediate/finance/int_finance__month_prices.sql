-- The one price fixing of each chain and statement month (methodology §6): the latest daily close of
-- the chain's native asset dated within the month, in micro-USD per whole token. A month without a
-- daily close has no row. Statements (their own lines and any adjustment lines, §9) use it.
with prices as (
    select * from {{ ref('prices') }}
),

chains as (
    select * from {{ ref('chains') }}
),

native_prices as (
    select
        prices.chain,
        prices.price_date,
        {{ aurora.month_text('prices.price_date') }} as statement_month,
        prices.price_micro_usd
    from prices
    inner join chains
        on
            prices.chain = chains.chain
            and prices.asset = chains.native_asset
),

latest as (
    select
        chain,
        statement_month,
        max(price_date) as price_date
    from native_prices
    group by 1, 2
),

final as (
    select
        cast(latest.chain as {{ dbt.type_string() }}) as chain,
        cast(latest.statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(latest.price_date as date) as price_date,
        {{ aurora.to_money('native_prices.price_micro_usd') }} as price_micro_usd
    from latest
    inner join native_prices
        on
            latest.chain = native_prices.chain
            and latest.price_date = native_prices.price_date
)

select * from final
