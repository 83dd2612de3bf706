-- Jito Kobe /api/v1/validators for each epoch, operator vote accounts only.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'kobe_validators') %}
        source.epoch,
        source.vote_account,
        source.identity_account as identity_pubkey,
        cast(source.mev_commission_bps as integer) as mev_commission_bps,
        {{ aurora.to_money('source.mev_rewards') }} as mev_rewards_lamports,
        cast(source.priority_fee_commission_bps as integer) as priority_fee_commission_bps,
        {{ aurora.to_money('source.priority_fee_rewards') }} as priority_fee_rewards_lamports,
        source.running_jito as is_running_jito,
        source.running_bam as is_running_bam,
        {{ aurora.to_money('source.active_stake') }} as active_stake_lamports,
{% endcall %}
