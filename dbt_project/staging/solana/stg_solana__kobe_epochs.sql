-- Whether Kobe had published each requested epoch when it was (re-)ingested.
-- Rename, cast amounts to the money type, convert units; only rows of completed dlt loads.
with source as (
    select * from {{ source('solana', 'kobe_epochs') }}
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
        source.is_published,
        source.validator_count,
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
