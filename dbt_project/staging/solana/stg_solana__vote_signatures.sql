-- Transactions referencing each operator vote account (getSignaturesForAddress), failed ones included.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'vote_signatures') %}
        source.vote_account,
        source.signature,
        source.slot,
        source.block_time as block_unix_time,
        {{ aurora.unix_to_timestamp('source.block_time') }} as block_at,
        source.is_failed,
        source.err as error_json,
        source.confirmation_status,
        source.epoch as request_epoch,
{% endcall %}
