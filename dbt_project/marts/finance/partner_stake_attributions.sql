-- Which agreement each stake unit of an operator validator belongs to, per closed period
-- (methodology §4): the public face of int_finance__stake_attributions. Rebuilt whole on every
-- build.

with attributions as (
    select * from {{ ref('int_finance__stake_attributions') }}
),

final as (
    select
        attributions.chain,
        attributions.partner_id,
        attributions.agreement_id,
        attributions.validator_id,
        attributions.period_id,
        attributions.period_date,
        attributions.statement_month,
        attributions.stake_account,
        attributions.withdraw_authority,
        attributions.key_type,
        attributions.attribution_ids,
        attributions.reward_native,
        attributions.has_reward,
        attributions.delegated_stake_native,
        attributions.post_balance_native,
        attributions.stake_unit_id,
        attributions.owner_key,
        attributions.attribution_weight_native,
        attributions.fallback_weight_native,
        attributions.tier_stake_native
    from attributions
)

select * from final
