-- Jito Kobe /api/v1/validator_rewards per vote account and epoch.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'kobe_validator_rewards') }}
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
        {{ aurora.to_money('source.mev_revenue') }} as mev_revenue_lamports,
        cast(source.mev_commission as integer) as mev_commission_bps,
        {{ aurora.to_money('source.priority_fee_revenue') }} as priority_fee_revenue_lamports,
        cast(source.priority_fee_commission as integer) as priority_fee_commission_bps,
        source.num_stakers,
        source.claim_status_account,
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
