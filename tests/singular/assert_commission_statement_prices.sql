{{ config(severity='warn') }}
-- Warning (methodology §6): a statement month without a daily close of the native asset: its USD
-- totals are null. Returns the statement and the month.
with statements as (
    select * from {{ ref('partner_commission_statements') }}
),

final as (
    select
        partner_id,
        agreement_id,
        statement_month,
        native_asset
    from statements
    where price_micro_usd is null
)

select * from final
