-- The frozen lines of every closed month (methodology §9), as `aurora close` copied them from
-- partner_commission_lines into the ledger: a closed month's own lines (adjusts_month null) and the
-- adjustment lines it carried for earlier closed months (adjusts_month set).
with frozen as (
    select * from {{ aurora.ledger_relation('closed_statement_lines') }} as ledger_lines
),

final as (
    select
        {%- for name, kind in aurora.ledger_columns('closed_statement_lines') %}
        {%- if kind == 'money' %}
        {{ aurora.to_money('frozen.' ~ name) }} as {{ name }}
        {%- elif kind == 'text' %}
        cast(frozen.{{ name }} as {{ dbt.type_string() }}) as {{ name }}
        {%- else %}
        cast(frozen.{{ name }} as {{ kind }}) as {{ name }}
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from frozen
)

select * from final
