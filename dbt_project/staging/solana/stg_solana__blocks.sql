-- getBlock on each operator leader slot: produced, or skipped (-32007/-32009).
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'blocks') }}
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
        source.slot,
        source.epoch as request_epoch,
        lower(source.status) as block_status,
        lower(source.status) = 'produced' as is_produced,
        source.block_time as block_unix_time,
        {{ aurora.unix_to_timestamp('source.block_time') }} as block_at,
        source.block_height,
        source.blockhash,
        source.previous_blockhash,
        source.parent_slot,
        source.num_reward_partitions,
        source.error_code,
        source.error_message,
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
