-- The agreement version that applies to each attributed period (methodology §5): the highest version whose
-- [valid_from, valid_to) holds the period date and whose recorded_on is on or before the dbt var
-- `knowledge_date` (default 9999-12-31: no limit, so a correction recorded later restates the
-- period). `version` is null when no version applies: assert_commission_periods_have_version fails.
with attributions as (
    select * from {{ ref('int_finance__stake_attributions') }}
),

agreement_versions as (
    select * from {{ ref('agreement_versions') }}
),

attributed_periods as (
    select distinct
        chain,
        partner_id,
        agreement_id,
        period_id,
        period_date,
        statement_month
    from attributions
),

known_versions as (
    select *
    from agreement_versions
    where recorded_on <= cast('{{ var("knowledge_date") }}' as date)
),

final as (
    select
        attributed_periods.chain,
        attributed_periods.partner_id,
        attributed_periods.agreement_id,
        attributed_periods.period_id,
        attributed_periods.period_date,
        attributed_periods.statement_month,
        max(known_versions.version) as version
    from attributed_periods
    left join known_versions
        on
            attributed_periods.agreement_id = known_versions.agreement_id
            and attributed_periods.period_date >= known_versions.valid_from
            and (
                known_versions.valid_to is null
                or attributed_periods.period_date < known_versions.valid_to
            )
    group by 1, 2, 3, 4, 5, 6
)

select * from final
