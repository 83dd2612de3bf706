-- Whether Kobe had published each requested epoch when it was (re-)ingested.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'kobe_epochs') %}
        source.epoch,
        source.is_published,
        source.validator_count,
{% endcall %}
