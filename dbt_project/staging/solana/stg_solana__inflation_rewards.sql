-- getInflationReward answers for the operator's vote accounts and their stake accounts, per epoch.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'inflation_rewards') %}
        source.epoch,
        source.address,
        lower(source.address_kind) as address_kind,
        source.vote_account,
        source.is_null,
        {{ aurora.to_money('source.amount') }} as reward_lamports,
        {{ aurora.to_money('source.post_balance') }} as post_balance_lamports,
        source.effective_slot,
        source.reward_epoch,
        cast(source.commission as integer) as commission_pct,
        cast(coalesce(source.commission_bps, source.commission * 100) as integer) as commission_bps,
{% endcall %}
