-- One row per ingestion run and day, written in the same load as the day's data.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'ingestion_runs') %}
        source.period_id,
        source.chain,
        source.first_epoch,
        source.last_epoch,
        lower(source.status) as run_status,
        source.started_at,
        source.finished_at,
        source.request_count,
        source.aurora_version,
{% endcall %}
