-- GET /eth/v2/beacon/blocks/{slot} for each operator proposal slot: proposed, or missed (404).
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'blocks') %}
        source.epoch,
        source.slot,
        cast(source.proposer_index as {{ dbt.type_string() }}) as validator_id,
        source.proposer_index,
        lower(source.status) as block_status,
        lower(source.status) = 'proposed' as is_proposed,
        source.error_message,
        source.consensus_version,
        lower(source.parent_root) as parent_root,
        lower(source.state_root) as state_root,
        source.execution_block_number,
        lower(source.execution_block_hash) as execution_block_hash,
        lower(source.fee_recipient) as fee_recipient,
        {{ aurora.to_money('source.base_fee_per_gas') }} as base_fee_per_gas_wei,
        source.gas_used,
        source.gas_limit,
        source.execution_timestamp as execution_unix_time,
        source.transaction_count,
        source.is_finalized,
{% endcall %}
