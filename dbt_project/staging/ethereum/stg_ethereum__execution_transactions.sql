-- eth_getBlockByNumber(n, true) transactions[] of each proposed operator block.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'execution_transactions') %}
        source.block_number,
        source.transaction_index,
        lower(source.transaction_hash) as transaction_hash,
        lower(source.from_address) as from_address,
        lower(source.to_address) as to_address,
        {{ aurora.to_money('source.value') }} as value_wei,
        source.type as transaction_type,
        source.gas,
        {{ aurora.to_money('source.gas_price') }} as gas_price_wei,
        {{ aurora.to_money('source.max_fee_per_gas') }} as max_fee_per_gas_wei,
        {{ aurora.to_money('source.max_priority_fee_per_gas') }} as max_priority_fee_per_gas_wei,
        source.is_last,
{% endcall %}
