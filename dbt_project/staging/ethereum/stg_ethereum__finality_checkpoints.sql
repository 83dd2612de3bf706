-- GET /eth/v1/beacon/states/head/finality_checkpoints, once per ingestion run.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'finality_checkpoints') %}
        source.state_id,
        source.finalized_epoch,
        lower(source.finalized_root) as finalized_root,
        source.current_justified_epoch,
        source.previous_justified_epoch,
{% endcall %}
