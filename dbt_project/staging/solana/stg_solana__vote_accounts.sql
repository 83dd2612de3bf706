-- The operator's vote accounts as getVoteAccounts reported them when each epoch was ingested.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'vote_accounts') }}
),

completed_loads as (
    select
        _dlt_loads.load_id,
        _dlt_loads.inserted_at
    from {{ source('solana', '_dlt_loads') }} as _dlt_loads
    where _dlt_loads.status = 0
),

final as (
    select
        source.epoch,
        source.vote_pubkey as vote_account,
        source.node_pubkey as identity_pubkey,
        cast(source.commission as integer) as commission_pct,
        cast(coalesce(source.commission_bps, source.commission * 100) as integer) as commission_bps,
        {{ aurora.to_money('source.activated_stake') }} as activated_stake_lamports,
        source.epoch_vote_account as is_epoch_vote_account,
        source.last_vote as last_vote_slot,
        source.root_slot,
        source.is_delinquent,
        source.provider,
        source.method,
        source.request_id,
        source.response_sha256,
        source.ingestion_run_id,
        source._dlt_load_id,
        completed_loads.inserted_at as _dlt_loaded_at
    from source
    inner join completed_loads
        on source._dlt_load_id = completed_loads.load_id
)

select * from final
