-- The partners the operator shares revenue with (seeds/partners.csv), with how many agreements each
-- has. One row per partner.
with partners as (
    select * from {{ ref('partners') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

agreement_counts as (
    select
        partner_id,
        count(*) as agreement_count
    from agreements
    group by 1
),

final as (
    select
        cast(partners.partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(partners.partner_name as {{ dbt.type_string() }}) as partner_name,
        cast(partners.partner_type as {{ dbt.type_string() }}) as partner_type,
        cast(partners.payout_asset as {{ dbt.type_string() }}) as payout_asset,
        cast(partners.status as {{ dbt.type_string() }}) as status,
        cast(coalesce(agreement_counts.agreement_count, 0) as integer) as agreement_count
    from partners
    left join agreement_counts
        on partners.partner_id = agreement_counts.partner_id
)

select * from final
