-- Stake-account snapshots (getProgramAccounts on the stake program, filtered by voter), taken the first time each epoch was ingested.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'stake_accounts') %}
        source.snapshot_epoch,
        source.stake_pubkey as stake_account,
        source.vote_account,
        lower(source.account_type) as account_type,
        source.staker,
        source.withdrawer as withdraw_authority,
        {{ aurora.to_money('source.delegated_stake') }} as delegated_stake_lamports,
        {{ aurora.to_money('source.activation_epoch') }} as activation_epoch,
        {{ aurora.to_money('source.deactivation_epoch') }} as deactivation_epoch,
        {{ aurora.to_money('source.lamports') }} as balance_lamports,
        {{ aurora.to_money('source.rent_exempt_reserve') }} as rent_exempt_reserve_lamports,
        {{ aurora.to_money('source.credits_observed') }} as credits_observed,
{% endcall %}
