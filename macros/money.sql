{#- The cross-engine money layer (methodology §1). Every amount is an integer in the chain's
    smallest unit; every division truncates toward zero; nothing on the money path is a float. -#}

{#- The one column type for money. -#}
{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type', 'aurora')()) }}
{%- endmacro %}

{% macro default__money_type() -%}
    numeric(38, 0)
{%- endmacro %}

{% macro duckdb__money_type() -%}
    hugeint
{%- endmacro %}

{#- Cast an expression to the money type. -#}
{% macro to_money(expr) -%}
    cast({{ expr }} as {{ aurora.money_type() }})
{%- endmacro %}

{#- Integer division truncating toward zero, negative operands included: the magnitudes are
    divided, then the sign is applied. Both operands are cast to the money type first, so DuckDB
    never falls back to float division (`/`) or to DOUBLE (`//` on DECIMAL). -#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'aurora')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    (case
        when ({{ numerator }}) is null or ({{ denominator }}) is null then null
        when sign(cast({{ numerator }} as numeric)) * sign(cast({{ denominator }} as numeric)) < 0
            then 0 - div(abs(cast({{ numerator }} as numeric)), abs(cast({{ denominator }} as numeric)))
        else div(abs(cast({{ numerator }} as numeric)), abs(cast({{ denominator }} as numeric)))
    end)
{%- endmacro %}

{% macro duckdb__int_div(numerator, denominator) -%}
    (case
        when ({{ numerator }}) is null or ({{ denominator }}) is null then null
        when sign(cast({{ numerator }} as hugeint)) * sign(cast({{ denominator }} as hugeint)) < 0
            then 0 - (abs(cast({{ numerator }} as hugeint)) // abs(cast({{ denominator }} as hugeint)))
        else abs(cast({{ numerator }} as hugeint)) // abs(cast({{ denominator }} as hugeint))
    end)
{%- endmacro %}

{#- trunc(a * b / c): multiply first, divide once. The product is formed in the money type
    (DuckDB HUGEINT raises on overflow past 1.7e38; PostgreSQL numeric is exact). -#}
{% macro mul_div(a, b, c) -%}
    {{ aurora.int_div(aurora.to_money(a) ~ ' * ' ~ aurora.to_money(b), c) }}
{%- endmacro %}

{#- Half-even rounding of an integer division (used once: micro-USD to cents, methodology §1). -#}
{% macro div_half_even(numerator, denominator) -%}
    {%- set q = aurora.int_div(numerator, denominator) -%}
    {%- set r = '(' ~ aurora.to_money(numerator) ~ ' - ' ~ q ~ ' * ' ~ aurora.to_money(denominator) ~ ')' -%}
    {%- set s = 'sign(' ~ aurora.to_money(numerator) ~ ') * sign(' ~ aurora.to_money(denominator) ~ ')' -%}
    (case
        when ({{ numerator }}) is null or ({{ denominator }}) is null then null
        when abs({{ r }}) * 2 > abs({{ aurora.to_money(denominator) }})
            then {{ q }} + {{ s }}
        when abs({{ r }}) * 2 = abs({{ aurora.to_money(denominator) }})
            and {{ aurora.int_div(q, 2) }} * 2 <> {{ q }}
            then {{ q }} + {{ s }}
        else {{ q }}
    end)
{%- endmacro %}

{#- Micro-USD to cents, half-even (methodology §1, §6). -#}
{% macro usd_micro_to_cents(expr) -%}
    {{ aurora.div_half_even(expr, 10000) }}
{%- endmacro %}

{#- Lowercase hex SHA-256 of the UTF-8 bytes of a text. -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'aurora')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    lower(sha256({{ expr }}))
{%- endmacro %}

{#- An integer as plain decimal digits, '-' when negative, '' for null (hash serialisation). -#}
{% macro int_to_text(expr) -%}
    coalesce(cast({{ aurora.to_money(expr) }} as {{ dbt.type_string() }}), '')
{%- endmacro %}

{#- string_agg ordered byte by byte (C collation), never by the database's locale. -#}
{% macro ordered_string_agg(expr, separator) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'aurora')(expr, separator)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, separator) -%}
    string_agg({{ expr }}, {{ separator }} order by {{ aurora.bytewise(expr) }})
{%- endmacro %}

{#- A text expression compared byte by byte (C collation), never by the database's locale: for
    ordering rule ids and serialised lines the same way on every engine. -#}
{% macro bytewise(expr) -%}
    {{ return(adapter.dispatch('bytewise', 'aurora')(expr)) }}
{%- endmacro %}

{% macro default__bytewise(expr) -%}
    {{ expr }} collate "C"
{%- endmacro %}

{% macro duckdb__bytewise(expr) -%}
    {{ expr }} collate "binary"
{%- endmacro %}

{#- 10^n as an exact integer in the money type (built as text: never a float power()). -#}
{% macro pow10(n) -%}
    cast('1' || repeat('0', cast({{ n }} as integer)) as {{ aurora.money_type() }})
{%- endmacro %}
