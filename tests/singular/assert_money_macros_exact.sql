-- noqa: disable=AL03
-- The money layer (macros/money.sql, macros/time.sql) on known cases, compared as text so that a
-- float, a DECIMAL(18,3) default or a floor instead of a truncation cannot pass. Returns the cases
-- whose result differs from the expected text; a correct engine returns no rows.
with cases as (
    -- truncation toward zero, negative operands included (floor would give -4)
    select 'int_div 7/2' as case_name, {{ aurora.int_div('7', '2') }} as got, '3' as expected
    union all
    select 'int_div -7/2', {{ aurora.int_div('-7', '2') }}, '-3'
    union all
    select 'int_div 7/-2', {{ aurora.int_div('7', '-2') }}, '-3'
    union all
    select 'int_div -7/-2', {{ aurora.int_div('-7', '-2') }}, '3'
    union all
    select 'int_div -1/3', {{ aurora.int_div('-1', '3') }}, '0'
    union all
    -- 30 digits: a float or DECIMAL(18,3) cannot hold it
    select
        'int_div 30 digits',
        {{ aurora.int_div("cast('123456789012345678901234567890' as " ~ aurora.money_type() ~ ")", '7') }},
        '17636684144620811271604938270'
    union all
    select
        'int_div negative 31 digits',
        {{ aurora.int_div("cast('-1000000000000000000000000000007' as " ~ aurora.money_type() ~ ")", '1') }},
        '-1000000000000000000000000000007'
    union all
    -- multiply first, divide once
    select
        'mul_div',
        {{ aurora.mul_div("cast('987654321987654321' as " ~ aurora.money_type() ~ ")", '10000', '3') }},
        '3292181073292181070000'
    union all
    select 'mul_div negative', {{ aurora.mul_div('-10', '3', '4') }}, '-7'
    union all
    -- 2^53 + 1 is where a double first loses an integer
    select 'mul_div 2^53+1', {{ aurora.mul_div('9007199254740993', '1', '1') }}, '9007199254740993'
    union all
    -- half-even: ties go to the even neighbour, in both signs
    select 'half_even 2.5', {{ aurora.div_half_even('25', '10') }}, '2'
    union all
    select 'half_even 3.5', {{ aurora.div_half_even('35', '10') }}, '4'
    union all
    select 'half_even -2.5', {{ aurora.div_half_even('-25', '10') }}, '-2'
    union all
    select 'half_even -3.5', {{ aurora.div_half_even('-35', '10') }}, '-4'
    union all
    select 'half_even 2.6', {{ aurora.div_half_even('26', '10') }}, '3'
    union all
    select 'half_even 2.4', {{ aurora.div_half_even('24', '10') }}, '2'
    union all
    select 'half_even -2.6', {{ aurora.div_half_even('-26', '10') }}, '-3'
    union all
    select 'cents 2177929397 µUSD', {{ aurora.usd_micro_to_cents('2177929397') }}, '217793'
    union all
    select 'cents 15000 µUSD', {{ aurora.usd_micro_to_cents('15000') }}, '2'
    union all
    select 'cents 25000 µUSD', {{ aurora.usd_micro_to_cents('25000') }}, '2'
),

text_cases as (
    select
        case_name,
        cast(got as {{ dbt.type_string() }}) as got_text,
        expected
    from cases
    union all
    select
        'sha256 abc',
        {{ aurora.sha256_hex("'abc'") }},
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    union all
    select
        'sha256 empty',
        {{ aurora.sha256_hex("''") }},
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    union all
    select
        'sha256 utf8',
        {{ aurora.sha256_hex("'é'") }},
        '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'
    union all
    select 'int_to_text negative', {{ aurora.int_to_text('-42') }}, '-42'
    union all
    select 'int_to_text null', {{ aurora.int_to_text('null') }}, ''
    union all
    select
        'seconds_between',
        cast({{ aurora.seconds_between(
            aurora.unix_to_timestamp('1767225600'),
            aurora.unix_to_timestamp('1769904000')
        ) }} as {{ dbt.type_string() }}),
        '2678400'
    union all
    select
        'unix_to_timestamp',
        cast({{ aurora.to_utc_date(aurora.unix_to_timestamp('1769903999')) }} as {{ dbt.type_string() }}),
        '2026-01-31'
),

agg_input as (
    select 'a' as v
    union all
    select 'B'
    union all
    select '_'
    union all
    select 'b'
),

agg_case as (
    -- byte order: 'B' (0x42) < '_' (0x5f) < 'a' (0x61) < 'b'; a locale collation differs
    select
        'ordered_string_agg C collation' as case_name,
        {{ aurora.ordered_string_agg('v', "'|'") }} as got_text,
        'B|_|a|b' as expected
    from agg_input
),

all_cases as (
    select * from text_cases
    union all
    select * from agg_case
),

final as (
    select *
    from all_cases
    where got_text is null or got_text <> expected
)

select * from final
