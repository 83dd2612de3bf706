-- noqa: disable=AL03
-- The money layer at Ethereum magnitudes (methodology §8.7): wei amounts times prices, marginal
-- tier weights and USD fixed fees form products up to about 1e35, which the money type must hold
-- exactly on every engine (DuckDB HUGEINT raises past 1.7e38; PostgreSQL NUMERIC(38,0) must not mix
-- scale). Each case is trunc(a x b / c) compared as text with its value worked in integer Python;
-- a correct engine returns no rows.
{%- set m = aurora.money_type() %}
with cases as (
    select
        'wei x price: a network-year of MEV at 10,000 USD' as case_name,
        {{ aurora.mul_div("cast('1000000000000000123456789' as " ~ m ~ ")", "cast('10000000007' as " ~ m ~ ")", aurora.pow10(18)) }} as got,
        '10000000007000001' as expected
    union all
    select
        'marginal band: basis x band stake x rate',
        {{ aurora.mul_div("cast('9999997000000009876540247037037' as " ~ m ~ ")", '9999', "cast('100000000000' as " ~ m ~ ")") }},
        '999899700030000987555259'
    union all
    select
        'usd fixed fee: cents x 10^4 x 10^18 / price',
        {{ aurora.mul_div("cast('1000000000' as " ~ m ~ ") * " ~ aurora.pow10(22), '1', "cast('3141592653' as " ~ m ~ ")") }},
        '3183098862435492205742'
    union all
    select
        'negative consensus day x rate',
        {{ aurora.mul_div("cast('-10000000000000000000011' as " ~ m ~ ")", '10000', '10000') }},
        '-10000000000000000000011'
    union all
    select
        'statement total of the large scenario in usd micro',
        {{ aurora.mul_div("cast('600000000000000000000017' as " ~ m ~ ")", "cast('3500000001' as " ~ m ~ ")", aurora.pow10(18)) }},
        '2100000000600000'
),

final as (
    select
        cases.case_name,
        cast(cases.got as {{ dbt.type_string() }}) as got,
        cases.expected
    from cases
    where cast(cases.got as {{ dbt.type_string() }}) <> cases.expected
)

select * from final
