{#- Time helpers: every timestamp is UTC and without time zone. -#}

{#- A unix timestamp (seconds) as a UTC timestamp without time zone. -#}
{% macro unix_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('unix_to_timestamp', 'aurora')(expr)) }}
{%- endmacro %}

{% macro default__unix_to_timestamp(expr) -%}
    (to_timestamp(cast({{ expr }} as bigint)) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__unix_to_timestamp(expr) -%}
    make_timestamp(cast({{ expr }} as bigint) * 1000000)
{%- endmacro %}

{#- Whole seconds from timestamp a to timestamp b, as the money type (exact integer). -#}
{% macro seconds_between(a, b) -%}
    {{ return(adapter.dispatch('seconds_between', 'aurora')(a, b)) }}
{%- endmacro %}

{% macro default__seconds_between(a, b) -%}
    cast(extract(epoch from (({{ b }}) - ({{ a }}))) as numeric(38, 0))
{%- endmacro %}

{% macro duckdb__seconds_between(a, b) -%}
    cast(date_diff('second', {{ a }}, {{ b }}) as hugeint)
{%- endmacro %}

{#- The UTC date of a timestamp. -#}
{% macro to_utc_date(expr) -%}
    cast({{ expr }} as date)
{%- endmacro %}
