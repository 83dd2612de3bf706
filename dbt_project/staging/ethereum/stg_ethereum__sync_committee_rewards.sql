-- POST /eth/v1/beacon/rewards/sync_committee/{slot}: per member and slot, in wei.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'sync_committee_rewards') %}
        source.epoch,
        source.slot,
        cast(source.validator_index as {{ dbt.type_string() }}) as validator_id,
        source.validator_index,
        {{ aurora.to_money(aurora.to_money('source.reward') ~ ' * ' ~ aurora.pow10(9)) }} as reward_wei,
        source.is_finalized,
{% endcall %}
