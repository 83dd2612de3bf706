-- getBlockTime probes from the first slot of an epoch until its first produced block.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'block_times') %}
        source.slot,
        source.block_time as block_unix_time,
        {{ aurora.unix_to_timestamp('source.block_time') }} as block_at,
        source.is_skipped,
        source.error_code,
{% endcall %}
