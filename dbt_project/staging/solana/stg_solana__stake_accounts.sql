-- Stake-account snapshots (getProgramAccounts on the stake program, filtered by voter), taken the first time each epoch was ingested.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'stake_accounts') }}
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
        source.snapshot_epoch,
        source.stake_pubkey as stake_account,
        source.vote_account,
        lower(source.account_type) as account_type,
        source.staker,
        source.withdrawer as withdraw_authority,
        {{ aurora.to_money('source.delegated_stake') }} as delegated_stake_lamports,
        {{ aurora.to_money('source.activation_epoch') }} as activation_epoch,
        {{ aurora.to_money('source.deactivation_epoch') }} as deactivation_epoch,
        {{ aurora.to_money('source.lamports') }} as balance_lamports,
        {{ aurora.to_money('source.rent_exempt_reserve') }} as rent_exempt_reserve_lamports,
        {{ aurora.to_money('source.credits_observed') }} as credits_observed,
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
