-- GET /eth/v1/validator/duties/proposer/{epoch}: the operator's proposal slots.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'proposer_duties') %}
        source.epoch,
        source.slot,
        cast(source.validator_index as {{ dbt.type_string() }}) as validator_id,
        source.validator_index,
        lower(source.pubkey) as pubkey,
        lower(source.dependent_root) as dependent_root,
{% endcall %}
