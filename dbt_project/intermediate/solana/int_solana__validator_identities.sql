-- The identity (node pubkey) of each validator (vote account) per epoch, as getVoteAccounts
-- reported it when the epoch was first ingested (methodology §3). Feeds
-- canonical_validator_identities.

with vote_accounts as (
    select * from {{ ref('stg_solana__vote_accounts') }}
),

vote_account as (
    {{ aurora.preferred_provider_rows('vote_accounts', 'vote_accounts', ['epoch'], 'solana') }}
),

final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        vote_account.vote_account as validator_id,
        cast(vote_account.epoch as {{ dbt.type_string() }}) as period_id,
        cast(vote_account.epoch as bigint) as epoch,
        vote_account.identity_pubkey,
        vote_account.provider,
        vote_account.request_id,
        vote_account.response_sha256,
        vote_account._dlt_load_id,
        vote_account._dlt_loaded_at
    from vote_account
)

select * from final
