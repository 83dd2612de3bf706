-- GET /eth/v1/beacon/states/{state}/sync_committees?epoch=e: the operator's members per sync period.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'sync_committee_members') %}
        source.sync_period,
        source.epoch,
        source.state_id,
        source.position,
        cast(source.validator_index as {{ dbt.type_string() }}) as validator_id,
        source.validator_index,
{% endcall %}
