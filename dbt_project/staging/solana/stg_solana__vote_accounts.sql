-- The operator's vote accounts as getVoteAccounts reported them when each epoch was ingested.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'vote_accounts') %}
        source.epoch,
        source.vote_pubkey as vote_account,
        source.node_pubkey as identity_pubkey,
        cast(source.commission as integer) as commission_pct,
        cast(coalesce(source.commission_bps, source.commission * 100) as integer) as commission_bps,
        {{ aurora.to_money('source.activated_stake') }} as activated_stake_lamports,
        source.epoch_vote_account as is_epoch_vote_account,
        source.last_vote as last_vote_slot,
        source.root_slot,
        source.is_delinquent,
{% endcall %}
