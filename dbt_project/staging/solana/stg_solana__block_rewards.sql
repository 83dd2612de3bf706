-- The rewards[] of each fetched block: Fee rewards to the leader, and on epoch-boundary blocks Voting/Staking rewards.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'block_rewards') %}
        source.slot,
        source.reward_index,
        source.pubkey as recipient_pubkey,
        {{ aurora.to_money('source.lamports') }} as reward_lamports,
        {{ aurora.to_money('source.post_balance') }} as post_balance_lamports,
        lower(source.reward_type) as reward_type,
        cast(source.commission as integer) as commission_pct,
        cast(coalesce(source.commission_bps, source.commission * 100) as integer) as commission_bps,
{% endcall %}
