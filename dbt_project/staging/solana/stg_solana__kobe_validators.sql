-- Jito Kobe /api/v1/validators for each epoch, operator vote accounts only.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'kobe_validators') }}
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
        source.vote_account,
        source.identity_account as identity_pubkey,
        cast(source.mev_commission_bps as integer) as mev_commission_bps,
        {{ aurora.to_money('source.mev_rewards') }} as mev_rewards_lamports,
        cast(source.priority_fee_commission_bps as integer) as priority_fee_commission_bps,
        {{ aurora.to_money('source.priority_fee_rewards') }} as priority_fee_rewards_lamports,
        source.running_jito as is_running_jito,
        source.running_bam as is_running_bam,
        {{ aurora.to_money('source.active_stake') }} as active_stake_lamports,
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
