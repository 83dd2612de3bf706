-- A USD amount has a price (methodology §5, §7): a fixed fee, minimum or cap in usd_cents is
-- converted at the statement's price, the latest daily close dated within the month. Returns each
-- statement and rule whose USD amount could not be converted (no line was emitted for it).
with scope as (
    select * from {{ ref('int_finance__statement_scope') }}
),

agreement_rules as (
    select * from {{ ref('agreement_rules') }}
),

final as (
    select
        scope.partner_id,
        scope.agreement_id,
        scope.statement_month,
        agreement_rules.rule_id,
        agreement_rules.rule_type,
        agreement_rules.amount as amount_usd_cents,
        scope.price_micro_usd
    from scope
    inner join agreement_rules
        on
            scope.agreement_id = agreement_rules.agreement_id
            and scope.statement_version = agreement_rules.version
    where
        agreement_rules.rule_type in ('fixed_fee', 'minimum', 'cap')
        and agreement_rules.amount_unit = 'usd_cents'
        and not scope.starts_after_termination
        and (scope.price_micro_usd is null or scope.price_micro_usd <= 0)
)

select * from final
