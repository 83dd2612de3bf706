-- Sum of lines = statement total and line_count = number of lines, for every statement (methodology
-- §7); every line belongs to a statement; lines_sha256 is the hash of the statement's line_text
-- values, sorted byte by byte and joined with a newline. Returns each statement that disagrees.
with statements as (
    select * from {{ ref('partner_commission_statements') }}
),

lines as (
    select * from {{ ref('partner_commission_lines') }}
),

line_totals as (
    select
        partner_id,
        agreement_id,
        statement_month,
        count(*) as line_count,
        sum(amount_native) as total_native,
        {{ aurora.sha256_hex(aurora.ordered_string_agg('line_text', 'chr(10)')) }} as lines_sha256
    from lines
    group by 1, 2, 3
),

compared as (
    select
        coalesce(statements.partner_id, line_totals.partner_id) as partner_id,
        coalesce(statements.agreement_id, line_totals.agreement_id) as agreement_id,
        coalesce(statements.statement_month, line_totals.statement_month) as statement_month,
        statements.line_count as statement_line_count,
        coalesce(line_totals.line_count, 0) as counted_lines,
        statements.total_native as statement_total_native,
        coalesce(line_totals.total_native, 0) as sum_of_lines_native,
        statements.lines_sha256 as statement_sha256,
        coalesce(line_totals.lines_sha256, {{ aurora.sha256_hex("''") }}) as recomputed_sha256
    from statements
    full outer join line_totals
        on
            statements.partner_id = line_totals.partner_id
            and statements.agreement_id = line_totals.agreement_id
            and statements.statement_month = line_totals.statement_month
),

final as (
    select *
    from compared
    where
        statement_line_count is null
        or statement_line_count <> counted_lines
        or statement_total_native <> sum_of_lines_native
        or statement_sha256 <> recomputed_sha256
)

select * from final
