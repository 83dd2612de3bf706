-- Leader slots of the operator's identities (getLeaderSchedule), one row per slot.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'leader_schedule') %}
        source.epoch,
        source.identity as identity_pubkey,
        source.slot_index,
        source.slot,
{% endcall %}
