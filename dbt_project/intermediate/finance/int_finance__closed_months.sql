-- The months that `aurora close` froze (methodology §9), one row per chain and month, from the
-- ledger (empty while nothing was ever closed). first_open_month is the chain's first month after
-- its latest closed one: months close in order, so it is where adjustments to closed months go.
with closed as (
    select
        chain,
        statement_month,
        closed_at,
        closed_by
    from {{ aurora.ledger_relation('closed_months') }} as ledger_months
),

latest as (
    select
        chain,
        max(statement_month) as last_closed_month
    from closed
    group by 1
),

final as (
    select
        cast(closed.chain as {{ dbt.type_string() }}) as chain,
        cast(closed.statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(closed.closed_at as timestamp) as closed_at,
        cast(closed.closed_by as {{ dbt.type_string() }}) as closed_by,
        {{ aurora.next_month_text('latest.last_closed_month') }} as first_open_month
    from closed
    inner join latest
        on closed.chain = latest.chain
)

select * from final
