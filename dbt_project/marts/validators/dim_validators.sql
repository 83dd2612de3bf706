-- One row per operator validator (seeds/validators.csv): its name, the identity the operator
-- expects, and the identity the providers reported for the latest ingested epoch.

with validators as (
    select * from {{ ref('validators') }}
),

identities as (
    select * from {{ ref('canonical_validator_identities') }}
),

latest_identities as (
    select
        ranked.chain,
        ranked.validator_id,
        ranked.period_id,
        ranked.identity_pubkey
    from (
        select
            identities.chain,
            identities.validator_id,
            identities.period_id,
            identities.identity_pubkey,
            row_number() over (
                partition by identities.chain, identities.validator_id
                order by identities.epoch desc
            ) as recency_rank
        from identities
    ) as ranked
    where ranked.recency_rank = 1
),

period_spans as (
    select
        identities.chain,
        identities.validator_id,
        min(identities.epoch) as first_epoch,
        max(identities.epoch) as last_epoch,
        count(*) as period_count
    from identities
    group by
        identities.chain,
        identities.validator_id
),

final as (
    select
        validators.chain,
        validators.validator_id,
        validators.validator_name,
        validators.identity_pubkey as expected_identity_pubkey,
        latest_identities.identity_pubkey as latest_identity_pubkey,
        latest_identities.period_id as latest_identity_period_id,
        coalesce(latest_identities.identity_pubkey = validators.identity_pubkey, false) as is_identity_as_expected,
        cast(period_spans.first_epoch as {{ dbt.type_string() }}) as first_period_id,
        cast(period_spans.last_epoch as {{ dbt.type_string() }}) as last_period_id,
        cast(coalesce(period_spans.period_count, 0) as bigint) as period_count
    from validators
    left join latest_identities
        on
            validators.chain = latest_identities.chain
            and validators.validator_id = latest_identities.validator_id
    left join period_spans
        on
            validators.chain = period_spans.chain
            and validators.validator_id = period_spans.validator_id
)

select * from final
