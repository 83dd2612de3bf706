-- getInflationReward answers for the operator's vote accounts and their stake accounts, per epoch.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'inflation_rewards') }}
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
        source.address,
        lower(source.address_kind) as address_kind,
        source.vote_account,
        source.is_null,
        {{ aurora.to_money('source.amount') }} as reward_lamports,
        {{ aurora.to_money('source.post_balance') }} as post_balance_lamports,
        source.effective_slot,
        source.reward_epoch,
        cast(source.commission as integer) as commission_pct,
        cast(coalesce(source.commission_bps, source.commission * 100) as integer) as commission_bps,
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
