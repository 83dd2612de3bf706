-- POST /eth/v1/beacon/rewards/attestations/{epoch}: per validator and epoch, in wei (gwei x 10^9).
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'attestation_rewards') %}
        source.epoch,
        cast(source.validator_index as {{ dbt.type_string() }}) as validator_id,
        source.validator_index,
        {{ aurora.to_money(aurora.to_money('source.head') ~ ' * ' ~ aurora.pow10(9)) }} as head_wei,
        {{ aurora.to_money(aurora.to_money('source.target') ~ ' * ' ~ aurora.pow10(9)) }} as target_wei,
        {{ aurora.to_money(aurora.to_money('source.source') ~ ' * ' ~ aurora.pow10(9)) }} as source_wei,
        {{ aurora.to_money(aurora.to_money('source.inclusion_delay') ~ ' * ' ~ aurora.pow10(9)) }} as inclusion_delay_wei,
        {{ aurora.to_money(aurora.to_money('source.inactivity') ~ ' * ' ~ aurora.pow10(9)) }} as inactivity_wei,
        {{ aurora.to_money(aurora.to_money('source.head') ~ ' + ' ~ aurora.to_money('source.target') ~ ' + ' ~ aurora.to_money('source.source') ~ ' + ' ~ aurora.to_money('coalesce(source.inclusion_delay, 0)') ~ ' + ' ~ aurora.to_money('coalesce(source.inactivity, 0)')) }} * {{ aurora.pow10(9) }} as total_rewards_wei,
        source.is_finalized,
        source.is_execution_optimistic,
{% endcall %}
