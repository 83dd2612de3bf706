-- One statement per partner, agreement and month (methodology §6): every agreement and month with
-- at least one attributed stake unit in a closed period dated in that month, even with zero lines.
-- total_native is the exact sum of the lines; the USD figures use one fixing for the whole statement
-- (the latest daily close dated within the month): total_usd_micro = trunc(total_native * price /
-- 10^decimals), total_usd_cents = half-even(total_usd_micro / 10^4). lines_sha256 is the SHA-256 of the
-- serialised lines sorted byte by byte and joined with a newline (the empty string for no lines).
-- What the partner is paid (methodology §5, agreements.statement_currency): `usd` pays
-- total_usd_cents, in US cents (2 decimals); anything else pays total_native, in the chain's smallest
-- unit (the native asset's decimals). The export sends these columns as they are.
-- Period close (methodology §9): a closed month's statements are served from the ledger as they were
-- frozen (is_closed true, closed_at set), lines and hash included; every other statement is a draft
-- (is_closed false) over int_finance__open_statements, whose lines (adjustment lines included: they
-- come after the per-statement rules and are priced at this month's fixing) are those of
-- partner_commission_lines. Rebuilt whole on every build.
with scope as (
    select * from {{ ref('int_finance__open_statements') }}
),

lines as (
    select * from {{ ref('partner_commission_lines') }}
    where not is_closed
),

frozen as (
    select * from {{ aurora.ledger_relation('closed_statements') }} as ledger_statements
),

partners as (
    select * from {{ ref('partners') }}
),

line_totals as (
    select
        agreement_id,
        statement_month,
        count(*) as line_count,
        sum(amount_native) as total_native,
        {{ aurora.ordered_string_agg('line_text', 'chr(10)') }} as lines_text
    from lines
    group by 1, 2
),

totals as (
    select
        scope.*,
        partners.partner_name,
        coalesce(line_totals.line_count, 0) as line_count,
        {{ aurora.to_money('coalesce(line_totals.total_native, 0)') }} as total_native,
        coalesce(line_totals.lines_text, '') as lines_text
    from scope
    inner join partners
        on scope.partner_id = partners.partner_id
    left join line_totals
        on
            scope.agreement_id = line_totals.agreement_id
            and scope.statement_month = line_totals.statement_month
),

priced as (
    select
        totals.*,
        {{ aurora.mul_div('totals.total_native', 'totals.price_micro_usd', 'totals.native_unit') }}
            as total_usd_micro
    from totals
),

settled as (
    select
        priced.*,
        {{ aurora.to_money(aurora.usd_micro_to_cents('priced.total_usd_micro')) }} as total_usd_cents
    from priced
),

final as (
    select
        cast(partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(partner_name as {{ dbt.type_string() }}) as partner_name,
        cast(agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(statement_currency as {{ dbt.type_string() }}) as statement_currency,
        cast(statement_version as integer) as statement_version,
        cast(first_period_date as date) as first_period_date,
        cast(last_period_date as date) as last_period_date,
        cast(period_count as integer) as period_count,
        cast(stake_account_count as integer) as stake_account_count,
        cast(line_count as integer) as line_count,
        {{ aurora.to_money('total_native') }} as total_native,
        cast(native_asset as {{ dbt.type_string() }}) as native_asset,
        cast(decimals as integer) as decimals,
        cast(price_date as date) as price_date,
        {{ aurora.to_money('price_micro_usd') }} as price_micro_usd,
        {{ aurora.to_money('total_usd_micro') }} as total_usd_micro,
        total_usd_cents,
        cast('{{ var("knowledge_date") }}' as date) as knowledge_date,
        cast({{ aurora.sha256_hex('lines_text') }} as {{ dbt.type_string() }}) as lines_sha256,
        cast(
            case when statement_currency = 'usd' then 'usd_cents' else 'native' end
            as {{ dbt.type_string() }}
        ) as payable_unit,
        case
            when statement_currency = 'usd' then total_usd_cents
            else {{ aurora.to_money('total_native') }}
        end as payable_amount,
        cast(case when statement_currency = 'usd' then 2 else decimals end as integer) as payable_decimals,
        false as is_closed,
        cast(null as timestamp) as closed_at
    from settled
),

frozen_final as (
    select
        {{ aurora.ledger_typed_columns('closed_statements', 'frozen', ['closed_at', 'closed_by']) }},
        true as is_closed,
        cast(frozen.closed_at as timestamp) as closed_at
    from frozen
)

select * from final
union all
select * from frozen_final
