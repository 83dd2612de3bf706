-- GET /relay/v1/data/bidtraces/proposer_payload_delivered?slot=S of each relay.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'relay_deliveries') %}
        source.slot,
        lower(source.block_hash) as block_hash,
        source.block_number,
        lower(source.parent_hash) as parent_hash,
        lower(source.builder_pubkey) as builder_pubkey,
        lower(source.proposer_pubkey) as proposer_pubkey,
        lower(source.proposer_fee_recipient) as proposer_fee_recipient,
        source.gas_limit,
        source.gas_used,
        {{ aurora.to_money('source.value') }} as value_wei,
        source.num_tx as transaction_count,
{% endcall %}
