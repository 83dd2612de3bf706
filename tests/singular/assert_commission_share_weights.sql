{{ config(severity='warn') }}
-- Warning (methodology §4): the validator's stakers earned nothing in the epoch (R_V = 0) and its
-- stake accounts have no delegated stake either, so the agreement's share is 0. Returns the
-- agreement, validator and epoch.
with bases as (
    select * from {{ ref('partner_commission_bases') }}
),

final as (
    select distinct
        agreement_id,
        validator_id,
        period_id,
        validator_rewards_native,
        validator_delegated_native
    from bases
    where share_weight = 'none'
)

select * from final
