-- The frozen lines of every closed month (methodology §9), as `aurora close` copied them from
-- partner_commission_lines into the ledger: a closed month's own lines (adjusts_month null) and the
-- adjustment lines it carried for earlier closed months (adjusts_month set).
with frozen as (
    select * from {{ aurora.ledger_relation('closed_statement_lines') }} as ledger_lines
),

final as (
    select {{ aurora.ledger_typed_columns('closed_statement_lines', 'frozen') }}
    from frozen
)

select * from final
