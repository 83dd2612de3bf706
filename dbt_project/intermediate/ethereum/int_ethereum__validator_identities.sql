-- The BLS pubkey of each operator validator per day, as the beacon state at the first slot of the
-- day's last epoch reports it for the index (methodology §8), for every validator-day with a P&L
-- row. Feeds canonical_validator_identities; a test fails when it differs from the pubkey the
-- operator expects (seeds/validators.csv).

with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        cast(null as bigint) as epoch,
        validator_days.pubkey as identity_pubkey,
        validator_days.state_provider as provider,
        validator_days.state_request_id as request_id,
        validator_days.state_response_sha256 as response_sha256,
        validator_days._dlt_load_id,
        validator_days._dlt_loaded_at
    from validator_days
    where validator_days.has_row
)

select * from final
