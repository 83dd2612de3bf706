-- Every attribution key that applies to a stake account of an operator validator in a closed period
-- (methodology §4): one row per stake account, period and agreement at each key precedence
-- (1 stake_account, 2 withdraw_authority, 3 vote_account). A key applies when the period date is in
-- its [valid_from, valid_to). Keys are joined by equality, one key type at a time.
with stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

periods as (
    select * from {{ ref('canonical_periods') }}
),

validator_pnl as (
    select * from {{ ref('validator_pnl') }}
),

partner_attributions as (
    select * from {{ ref('partner_attributions') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

-- the operator's stake accounts in closed periods: a validator-period with a P&L row
closed_stake as (
    select
        stake_rewards.chain,
        stake_rewards.validator_id,
        stake_rewards.period_id,
        periods.period_date,
        stake_rewards.stake_account,
        stake_rewards.withdraw_authority
    from stake_rewards
    inner join periods
        on
            stake_rewards.chain = periods.chain
            and stake_rewards.period_id = periods.period_id
    inner join validator_pnl
        on
            stake_rewards.chain = validator_pnl.chain
            and stake_rewards.validator_id = validator_pnl.validator_id
            and stake_rewards.period_id = validator_pnl.period_id
    where periods.is_closed
),

attribution_keys as (
    select
        partner_attributions.attribution_id,
        partner_attributions.agreement_id,
        agreements.chain,
        partner_attributions.key_type,
        partner_attributions.key_value,
        partner_attributions.valid_from,
        partner_attributions.valid_to,
        case partner_attributions.key_type
            when 'stake_account' then 1
            when 'withdraw_authority' then 2
            when 'vote_account' then 3
        end as key_precedence
    from partner_attributions
    inner join agreements
        on partner_attributions.agreement_id = agreements.agreement_id
),

stake_account_matches as (
    select
        closed_stake.*,
        attribution_keys.attribution_id,
        attribution_keys.agreement_id,
        attribution_keys.key_type,
        attribution_keys.key_precedence
    from closed_stake
    inner join attribution_keys
        on
            closed_stake.chain = attribution_keys.chain
            and closed_stake.stake_account = attribution_keys.key_value
            and attribution_keys.key_type = 'stake_account'
            and closed_stake.period_date >= attribution_keys.valid_from
            and (
                attribution_keys.valid_to is null
                or closed_stake.period_date < attribution_keys.valid_to
            )
),

withdraw_authority_matches as (
    select
        closed_stake.*,
        attribution_keys.attribution_id,
        attribution_keys.agreement_id,
        attribution_keys.key_type,
        attribution_keys.key_precedence
    from closed_stake
    inner join attribution_keys
        on
            closed_stake.chain = attribution_keys.chain
            and closed_stake.withdraw_authority = attribution_keys.key_value
            and attribution_keys.key_type = 'withdraw_authority'
            and closed_stake.period_date >= attribution_keys.valid_from
            and (
                attribution_keys.valid_to is null
                or closed_stake.period_date < attribution_keys.valid_to
            )
),

vote_account_matches as (
    select
        closed_stake.*,
        attribution_keys.attribution_id,
        attribution_keys.agreement_id,
        attribution_keys.key_type,
        attribution_keys.key_precedence
    from closed_stake
    inner join attribution_keys
        on
            closed_stake.chain = attribution_keys.chain
            and closed_stake.validator_id = attribution_keys.key_value
            and attribution_keys.key_type = 'vote_account'
            and closed_stake.period_date >= attribution_keys.valid_from
            and (
                attribution_keys.valid_to is null
                or closed_stake.period_date < attribution_keys.valid_to
            )
),

all_matches as (
    select * from stake_account_matches
    union all
    select * from withdraw_authority_matches
    union all
    select * from vote_account_matches
),

-- one row per agreement and precedence; several keys of one agreement are listed, not counted twice
final as (
    select
        chain,
        validator_id,
        period_id,
        period_date,
        stake_account,
        withdraw_authority,
        agreement_id,
        key_type,
        key_precedence,
        {{ aurora.ordered_string_agg('attribution_id', "','") }} as attribution_ids
    from all_matches
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)

select * from final
