-- Every slot whose sync-committee rewards were asked, and whether it had a block.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'sync_committee_slots') %}
        source.epoch,
        source.slot,
        source.has_block,
        source.member_count,
{% endcall %}
