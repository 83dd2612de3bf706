-- Jito Kobe /api/v1/validator_rewards per vote account and epoch.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('solana', 'kobe_validator_rewards') %}
        source.epoch,
        source.vote_account,
        {{ aurora.to_money('source.mev_revenue') }} as mev_revenue_lamports,
        cast(source.mev_commission as integer) as mev_commission_bps,
        {{ aurora.to_money('source.priority_fee_revenue') }} as priority_fee_revenue_lamports,
        cast(source.priority_fee_commission as integer) as priority_fee_commission_bps,
        source.num_stakers,
        source.claim_status_account,
{% endcall %}
