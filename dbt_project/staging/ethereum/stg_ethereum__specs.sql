-- GET /eth/v1/config/spec: slot and epoch lengths, sync-committee sizes.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'beacon_spec') %}
        source.seconds_per_slot,
        source.slot_duration_ms,
        source.slots_per_epoch,
        source.epochs_per_sync_committee_period,
        source.sync_committee_size,
{% endcall %}
