-- GET /eth/v1/beacon/genesis: when slot 0 started.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'beacon_genesis') %}
        source.genesis_time as genesis_unix_time,
        {{ aurora.unix_to_timestamp('source.genesis_time') }} as genesis_at,
        lower(source.genesis_validators_root) as genesis_validators_root,
        lower(source.genesis_fork_version) as genesis_fork_version,
{% endcall %}
