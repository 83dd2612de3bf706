{#- The period-close ledger (methodology §9): tables that `aurora close` (ingest/close.py) owns in
    schema `ledger`. dbt reads them as sources and never creates, alters or drops anything there.
    A warehouse where nothing was ever closed has no ledger yet: each read then becomes an empty
    relation with the same columns and types, so every model builds the same way. -#}

{% macro ledger_relation(table_name) -%}
    {#- a unit test knows only its given inputs: without one, the ledger reads as empty -#}
    {%- if model is defined and model.resource_type == 'unit_test' -%}
        {{- return('(' ~ aurora.ledger_empty(table_name) ~ ')') -}}
    {%- endif -%}
    {%- set relation = source('ledger', table_name) -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- if found is not none -%}
            {{- return(found) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return('(' ~ aurora.ledger_empty(table_name) ~ ')') -}}
{%- endmacro %}

{#- The columns of each ledger table as (name, type) pairs; `money` is the money type. -#}
{% macro ledger_columns(table_name) -%}
    {%- set common = [('closed_at', 'timestamp'), ('closed_by', 'text')] -%}
    {%- if table_name == 'closed_months' -%}
        {{- return([('chain', 'text'), ('statement_month', 'text')] + common) -}}
    {%- elif table_name == 'closed_statements' -%}
        {{- return([
            ('partner_id', 'text'), ('partner_name', 'text'), ('agreement_id', 'text'),
            ('chain', 'text'), ('statement_month', 'text'), ('statement_currency', 'text'),
            ('statement_version', 'integer'), ('first_period_date', 'date'),
            ('last_period_date', 'date'), ('period_count', 'integer'),
            ('stake_account_count', 'integer'), ('line_count', 'integer'),
            ('total_native', 'money'), ('native_asset', 'text'), ('decimals', 'integer'),
            ('price_date', 'date'), ('price_micro_usd', 'money'), ('total_usd_micro', 'money'),
            ('total_usd_cents', 'money'), ('knowledge_date', 'date'), ('lines_sha256', 'text'),
            ('payable_unit', 'text'), ('payable_amount', 'money'), ('payable_decimals', 'integer')
        ] + common) -}}
    {%- elif table_name == 'closed_statement_lines' -%}
        {{- return([
            ('chain', 'text'), ('partner_id', 'text'), ('agreement_id', 'text'),
            ('version', 'integer'), ('statement_month', 'text'), ('adjusts_month', 'text'),
            ('period_id', 'text'), ('period_date', 'date'), ('validator_id', 'text'),
            ('rule_id', 'text'), ('tier_index', 'integer'), ('rule_type', 'text'),
            ('tier_mode', 'text'), ('component', 'text'), ('basis_kind', 'text'),
            ('basis_native', 'money'), ('tier_measure_tokens', 'money'),
            ('band_stake_tokens', 'money'), ('rate_bps', 'integer'), ('rule_amount', 'money'),
            ('rule_amount_unit', 'text'), ('numerator', 'money'), ('denominator', 'money'),
            ('amount_native', 'money'), ('line_text', 'text')
        ] + common) -}}
    {%- endif -%}
    {{- exceptions.raise_compiler_error('unknown ledger table ' ~ table_name) -}}
{%- endmacro %}

{% macro ledger_empty(table_name) -%}
    select
    {%- for name, kind in aurora.ledger_columns(table_name) %}
        cast(null as {{ aurora.money_type() if kind == 'money' else (dbt.type_string() if kind == 'text' else kind) }}) as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}

{#- 'YYYY-MM' of a date expression. -#}
{% macro month_text(expr) -%}
    cast(
        lpad(cast(extract(year from {{ expr }}) as {{ dbt.type_string() }}), 4, '0')
        || '-'
        || lpad(cast(extract(month from {{ expr }}) as {{ dbt.type_string() }}), 2, '0')
        as {{ dbt.type_string() }}
    )
{%- endmacro %}

{#- The month after a 'YYYY-MM' text, as 'YYYY-MM'. -#}
{% macro next_month_text(month_expr) -%}
    {{ aurora.month_text(
        'cast(' ~ dbt.dateadd('month', 1, 'cast(' ~ month_expr ~ " || '-01' as date)") ~ ' as date)'
    ) }}
{%- endmacro %}

{#- A commission line serialised for lines_sha256 (methodology §6), with `|` + adjusts_month
    appended on an adjustment line (§9). `rel` prefixes the columns. -#}
{% macro commission_line_text(rel, adjusts_month=none) -%}
    cast(
        coalesce({{ rel }}.period_id, '')
        || '|' || coalesce({{ rel }}.validator_id, '')
        || '|' || {{ rel }}.rule_id
        || '|' || {{ aurora.int_to_text(rel ~ '.tier_index') }}
        || '|' || {{ rel }}.component
        || '|' || {{ aurora.int_to_text(rel ~ '.basis_native') }}
        || '|' || {{ aurora.int_to_text(rel ~ '.rate_bps') }}
        || '|' || {{ aurora.int_to_text(rel ~ '.amount_native') }}
        {%- if adjusts_month is not none %}
        || '|' || {{ adjusts_month }}
        {%- endif %}
        as {{ dbt.type_string() }}
    )
{%- endmacro %}

{#- The columns of a ledger table read through `rel`, each cast to its type (money to the money
    type), comma-separated; `exclude` leaves some out. -#}
{% macro ledger_typed_columns(table_name, rel, exclude=[]) -%}
    {%- set out = [] -%}
    {%- for name, kind in aurora.ledger_columns(table_name) if name not in exclude -%}
        {%- if kind == 'money' -%}
            {%- do out.append(aurora.to_money(rel ~ '.' ~ name) ~ ' as ' ~ name) -%}
        {%- elif kind == 'text' -%}
            {%- do out.append('cast(' ~ rel ~ '.' ~ name ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ name) -%}
        {%- else -%}
            {%- do out.append('cast(' ~ rel ~ '.' ~ name ~ ' as ' ~ kind ~ ') as ' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- out | join(',\n        ') -}}
{%- endmacro %}
