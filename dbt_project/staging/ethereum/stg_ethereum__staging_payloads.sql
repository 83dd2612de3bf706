-- The body of every provider response, keyed by its SHA-256.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'staging_payloads') %}
        source.request_params,
        source.http_status,
        source.body,
{% endcall %}
