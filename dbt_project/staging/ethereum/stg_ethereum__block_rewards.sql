-- GET /eth/v1/beacon/rewards/blocks/{slot} for each proposed operator block, in wei.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'block_rewards') %}
        source.slot,
        cast(source.proposer_index as {{ dbt.type_string() }}) as validator_id,
        source.proposer_index,
        {{ aurora.to_money(aurora.to_money('source.total') ~ ' * ' ~ aurora.pow10(9)) }} as total_wei,
        {{ aurora.to_money(aurora.to_money('source.attestations') ~ ' * ' ~ aurora.pow10(9)) }} as attestations_wei,
        {{ aurora.to_money(aurora.to_money('source.sync_aggregate') ~ ' * ' ~ aurora.pow10(9)) }} as sync_aggregate_wei,
        {{ aurora.to_money(aurora.to_money('source.proposer_slashings') ~ ' * ' ~ aurora.pow10(9)) }} as proposer_slashings_wei,
        {{ aurora.to_money(aurora.to_money('source.attester_slashings') ~ ' * ' ~ aurora.pow10(9)) }} as attester_slashings_wei,
        source.is_finalized,
{% endcall %}
