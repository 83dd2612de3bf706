-- Which agreement each stake unit of an operator validator belongs to, per closed period
-- (methodology §4, §8). Among the keys that apply on the period date, the most specific wins
-- across agreements (Solana: stake_account > withdraw_authority > vote_account). A stake unit that
-- two agreements claim at its winning precedence is a data error
-- (assert_commission_attribution_unambiguous names both) and is attributed to neither. Carries the
-- unit's attribution weight, fallback weight and tier stake from the canonical contract, and the
-- chain's own detail for display. A table: the versions, bases and statements all read it.

with key_matches as (
    select * from {{ ref('int_finance__stake_key_matches') }}
),

stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

agreements as (
    select * from {{ ref('agreements') }}
),

ranked as (
    select
        key_matches.*,
        min(key_matches.key_precedence) over (
            partition by
                key_matches.chain,
                key_matches.validator_id,
                key_matches.period_id,
                key_matches.stake_unit_id
        ) as winning_precedence,
        count(*) over (
            partition by
                key_matches.chain,
                key_matches.validator_id,
                key_matches.period_id,
                key_matches.stake_unit_id,
                key_matches.key_precedence
        ) as agreements_at_precedence
    from key_matches
),

winners as (
    select *
    from ranked
    where
        key_precedence = winning_precedence
        and agreements_at_precedence = 1
),

final as (
    select
        cast(winners.chain as {{ dbt.type_string() }}) as chain,
        cast(agreements.partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(winners.agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(winners.validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(winners.period_id as {{ dbt.type_string() }}) as period_id,
        cast(winners.period_date as date) as period_date,
        cast(
            lpad(cast(extract(year from winners.period_date) as {{ dbt.type_string() }}), 4, '0')
            || '-'
            || lpad(cast(extract(month from winners.period_date) as {{ dbt.type_string() }}), 2, '0')
            as {{ dbt.type_string() }}
        ) as statement_month,
        cast(winners.stake_unit_id as {{ dbt.type_string() }}) as stake_unit_id,
        cast(winners.owner_key as {{ dbt.type_string() }}) as owner_key,
        cast(winners.key_type as {{ dbt.type_string() }}) as key_type,
        cast(winners.attribution_ids as {{ dbt.type_string() }}) as attribution_ids,
        {{ aurora.to_money('coalesce(stake_rewards.attribution_weight_native, 0)') }} as attribution_weight_native,
        cast(stake_rewards.attribution_weight_kind as {{ dbt.type_string() }}) as attribution_weight_kind,
        {{ aurora.to_money('coalesce(stake_rewards.fallback_weight_native, 0)') }} as fallback_weight_native,
        cast(stake_rewards.fallback_weight_kind as {{ dbt.type_string() }}) as fallback_weight_kind,
        {{ aurora.to_money('stake_rewards.tier_stake_native') }} as tier_stake_native,
        cast(stake_rewards.stake_account as {{ dbt.type_string() }}) as stake_account,
        cast(stake_rewards.withdraw_authority as {{ dbt.type_string() }}) as withdraw_authority,
        {{ aurora.to_money('coalesce(stake_rewards.reward_native, 0)') }} as reward_native,
        cast(coalesce(stake_rewards.has_reward, false) as boolean) as has_reward,
        {{ aurora.to_money('stake_rewards.delegated_stake_native') }} as delegated_stake_native,
        {{ aurora.to_money('stake_rewards.post_balance_native') }} as post_balance_native
    from winners
    inner join stake_rewards
        on
            winners.chain = stake_rewards.chain
            and winners.validator_id = stake_rewards.validator_id
            and winners.period_id = stake_rewards.period_id
            and winners.stake_unit_id = stake_rewards.stake_unit_id
    inner join agreements
        on winners.agreement_id = agreements.agreement_id
)

select * from final
