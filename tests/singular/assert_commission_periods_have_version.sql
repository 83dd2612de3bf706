-- Every attributed period has an agreement version (methodology §5, §7): a version whose
-- [valid_from, valid_to) holds the period date and whose recorded_on is on or before the dbt var
-- knowledge_date. Returns the agreement and the period dates without one (they get no lines).
with period_versions as (
    select * from {{ ref('int_finance__period_versions') }}
),

final as (
    select
        partner_id,
        agreement_id,
        period_id,
        period_date,
        statement_month
    from period_versions
    where version is null
)

select * from final
