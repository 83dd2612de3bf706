-- eth_getBlockReceipts(n) for each proposed operator block.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'execution_receipts') %}
        source.block_number,
        source.transaction_index,
        lower(source.transaction_hash) as transaction_hash,
        lower(source.block_hash) as block_hash,
        lower(source.from_address) as from_address,
        lower(source.to_address) as to_address,
        source.status as receipt_status,
        source.status = 1 as is_success,
        source.gas_used,
        source.cumulative_gas_used,
        {{ aurora.to_money('source.effective_gas_price') }} as effective_gas_price_wei,
        source.type as transaction_type,
        source.blob_gas_used,
        {{ aurora.to_money('source.blob_gas_price') }} as blob_gas_price_wei,
        lower(source.contract_address) as contract_address,
{% endcall %}
