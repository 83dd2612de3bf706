-- The epoch schedule (getEpochSchedule), one row per provider.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'epoch_schedule') %}
        source.slots_per_epoch,
        source.leader_schedule_slot_offset,
        source.warmup as is_warmup,
        source.first_normal_epoch,
        source.first_normal_slot,
{% endcall %}
