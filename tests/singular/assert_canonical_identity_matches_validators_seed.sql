-- Fails when a provider reports, for one of the operator's vote accounts, an identity other than
-- the one seeds/validators.csv expects (methodology §3): a rotated or hijacked identity changes
-- which blocks count as the operator's. Names the validator, the epoch and both identities.
with identities as (
    select * from {{ ref('canonical_validator_identities') }}
),

validators as (
    select * from {{ ref('validators') }}
),

final as (
    select
        identities.chain,
        identities.validator_id,
        validators.validator_name,
        identities.period_id,
        validators.identity_pubkey as expected_identity_pubkey,
        identities.identity_pubkey as reported_identity_pubkey,
        identities.provider
    from identities
    inner join validators
        on
            identities.chain = validators.chain
            and identities.validator_id = validators.validator_id
    where identities.identity_pubkey is distinct from validators.identity_pubkey
)

select * from final
