-- One row per ingestion run and epoch, written in the same load as the epoch's data.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'ingestion_runs') %}
        source.epoch,
        source.chain,
        lower(source.status) as run_status,
        lower(source.scope) as run_scope,
        source.started_at,
        source.finished_at,
        source.request_count,
        source.aurora_version,
{% endcall %}
