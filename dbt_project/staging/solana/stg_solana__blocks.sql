-- getBlock on each operator leader slot: produced, or skipped (-32007/-32009).
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'blocks') %}
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
{% endcall %}
