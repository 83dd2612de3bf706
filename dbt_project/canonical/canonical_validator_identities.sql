{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['chain', 'period_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ aurora.hash_join_hints() }}",
    )
}}

-- The identity (node pubkey) of each validator (vote account) per epoch, as getVoteAccounts
-- reported it when the epoch was first ingested.

with vote_accounts as (
    select * from {{ ref('stg_solana__vote_accounts') }}
),

mapping_fingerprint as (
    {{ aurora.provider_mappings_fingerprint() }}
),

incremental_state as (
    {{ aurora.incremental_load_state('mapping_fingerprint') }}
),

touched_epochs as (
    select distinct vote_accounts.epoch
    from vote_accounts
    where
        vote_accounts._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
        or (select incremental_state.is_remapped from incremental_state)
),

vote_accounts_in_scope as (
    select vote_accounts.*
    from vote_accounts
    inner join touched_epochs
        on vote_accounts.epoch = touched_epochs.epoch
),

preferred_vote_accounts as (
    {{ aurora.preferred_providers('vote_accounts_in_scope', 'vote_accounts', ['epoch']) }}
),

vote_account as (
    select vote_accounts_in_scope.*
    from vote_accounts_in_scope
    inner join preferred_vote_accounts
        on
            vote_accounts_in_scope.epoch = preferred_vote_accounts.epoch
            and vote_accounts_in_scope.provider = preferred_vote_accounts.provider
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
        vote_account._dlt_loaded_at,
        mapping_fingerprint.provider_mappings_sha256
    from vote_account
    cross join mapping_fingerprint
)

select * from final
