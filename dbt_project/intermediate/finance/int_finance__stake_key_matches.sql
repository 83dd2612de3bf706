-- Every attribution key that applies to a stake unit of an operator validator in a closed period
-- (methodology §4, §8): one row per stake unit, period and agreement at each key precedence. The
-- canonical contract names each unit's keys and their types, most specific first: 1 the unit itself
-- (Solana stake_account), 2 its owner (Solana withdraw_authority), 3 its validator (Solana
-- vote_account: white label). A key applies when the period date is in its [valid_from, valid_to).
-- Keys are joined by equality, one precedence at a time; nothing here depends on the chain.
{%- set levels = [
    {'precedence': 1, 'key_value': 'stake_unit_id', 'key_type': 'stake_unit_key_type'},
    {'precedence': 2, 'key_value': 'owner_key', 'key_type': 'owner_key_type'},
    {'precedence': 3, 'key_value': 'validator_id', 'key_type': 'validator_key_type'},
] %}

with stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

periods as (
    select * from {{ ref('canonical_periods') }}
),

validator_pnl as (
    select * from {{ ref('int_finance__validator_pnl') }}
),

partner_attributions as (
    select * from {{ ref('partner_attributions') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

-- the operator's stake units in closed periods: a validator-period with a P&L row
closed_stake as (
    select
        stake_rewards.chain,
        stake_rewards.validator_id,
        stake_rewards.period_id,
        periods.period_date,
        stake_rewards.stake_unit_id,
        stake_rewards.stake_unit_key_type,
        stake_rewards.owner_key,
        stake_rewards.owner_key_type,
        stake_rewards.validator_key_type
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
        partner_attributions.valid_to
    from partner_attributions
    inner join agreements
        on partner_attributions.agreement_id = agreements.agreement_id
),

all_matches as (
    {%- for level in levels %}
        select
            closed_stake.chain,
            closed_stake.validator_id,
            closed_stake.period_id,
            closed_stake.period_date,
            closed_stake.stake_unit_id,
            closed_stake.owner_key,
            attribution_keys.attribution_id,
            attribution_keys.agreement_id,
            attribution_keys.key_type,
            {{ level.precedence }} as key_precedence
        from closed_stake
        inner join attribution_keys
            on
                closed_stake.chain = attribution_keys.chain
                and closed_stake.{{ level.key_type }} = attribution_keys.key_type
                and closed_stake.{{ level.key_value }} = attribution_keys.key_value
                and closed_stake.period_date >= attribution_keys.valid_from
                and (
                    attribution_keys.valid_to is null
                    or closed_stake.period_date < attribution_keys.valid_to
                )
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- one row per agreement and precedence; several keys of one agreement are listed, not counted twice
final as (
    select
        chain,
        validator_id,
        period_id,
        period_date,
        stake_unit_id,
        owner_key,
        agreement_id,
        key_type,
        key_precedence,
        {{ aurora.ordered_string_agg('attribution_id', "','") }} as attribution_ids
    from all_matches
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)

select * from final
