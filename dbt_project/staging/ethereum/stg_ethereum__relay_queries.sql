-- Every (relay, slot) asked, with how many deliveries the relay answered.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'relay_queries') %}
        source.slot,
        source.delivered_count,
{% endcall %}
