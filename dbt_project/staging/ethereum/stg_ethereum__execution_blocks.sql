-- eth_getBlockByNumber(n, true) for each proposed operator block.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'execution_blocks') %}
        source.slot,
        source.block_number,
        lower(source.block_hash) as block_hash,
        lower(source.parent_hash) as parent_hash,
        lower(source.miner) as fee_recipient,
        {{ aurora.to_money('source.base_fee_per_gas') }} as base_fee_per_gas_wei,
        source.gas_used,
        source.gas_limit,
        source.timestamp as block_unix_time,
        source.blob_gas_used,
        source.transaction_count,
{% endcall %}
