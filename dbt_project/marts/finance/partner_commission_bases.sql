-- What each agreement's stake earned the operator, per validator, closed epoch and revenue component
-- (methodology §4): the bases that partner rules apply to. The agreement's share of validator V in
-- epoch E is R_A / R_V (staker rewards of its attributed accounts over those of all of V's
-- accounts), or, when V's stakers earned nothing (R_V = 0, a 100% commission validator), the
-- delegated stake of the same accounts; when that is 0 too the share is 0 (a warning test names
-- it). The share is never rounded on its own: each basis is one multiplication and one truncated
-- division. Rebuilt whole.
with attributions as (
    select * from {{ ref('partner_stake_attributions') }}
),

key_matches as (
    select * from {{ ref('int_commission_key_matches') }}
),

stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

validator_pnl as (
    select * from {{ ref('validator_pnl') }}
),

validator_mev as (
    select * from {{ ref('canonical_validator_mev') }}
),

chains as (
    select * from {{ ref('chains') }}
),

chain_units as (
    -- 10^decimals as an exact integer (built as text: no float power())
    select
        chain,
        {{ aurora.pow10('decimals') }} as native_unit
    from chains
),

-- R_V and the delegated stake of all of V's stake accounts in the snapshot of E
validator_periods as (
    select distinct
        chain,
        validator_id,
        period_id
    from key_matches
),

validator_totals as (
    select
        stake_rewards.chain,
        stake_rewards.validator_id,
        stake_rewards.period_id,
        sum({{ aurora.to_money('coalesce(stake_rewards.reward_native, 0)') }})
            as validator_rewards_native,
        sum({{ aurora.to_money('coalesce(stake_rewards.delegated_stake_native, 0)') }})
            as validator_delegated_native
    from stake_rewards
    inner join validator_periods
        on
            stake_rewards.chain = validator_periods.chain
            and stake_rewards.validator_id = validator_periods.validator_id
            and stake_rewards.period_id = validator_periods.period_id
    group by 1, 2, 3
),

-- R_A and the delegated stake of the agreement's attributed accounts on V in E
agreement_totals as (
    select
        chain,
        partner_id,
        agreement_id,
        validator_id,
        period_id,
        period_date,
        statement_month,
        count(*) as attributed_account_count,
        sum(reward_native) as attributed_rewards_native,
        sum(coalesce(delegated_stake_native, 0)) as attributed_delegated_native
    from attributions
    group by 1, 2, 3, 4, 5, 6, 7
),

-- tier measure per agreement and epoch, across all operator validators: whole tokens of
-- sum(postBalance - a_s) over attributed accounts that earned a reward in E (never negative)
tier_measures as (
    select
        attributions.chain,
        attributions.agreement_id,
        attributions.period_id,
        {{ aurora.int_div(
            'sum(attributions.post_balance_native - attributions.reward_native)',
            'max(chain_units.native_unit)'
        ) }} as tier_measure_tokens
    from attributions
    inner join chain_units
        on attributions.chain = chain_units.chain
    where attributions.has_reward
    group by 1, 2, 3
),

shares as (
    select
        agreement_totals.*,
        validator_totals.validator_rewards_native,
        validator_totals.validator_delegated_native,
        case
            when validator_totals.validator_rewards_native > 0 then 'staker_rewards'
            when validator_totals.validator_delegated_native > 0 then 'delegated_stake'
            else 'none'
        end as share_weight,
        case
            when validator_totals.validator_rewards_native > 0
                then agreement_totals.attributed_rewards_native
            when validator_totals.validator_delegated_native > 0
                then agreement_totals.attributed_delegated_native
        end as share_numerator_native,
        case
            when validator_totals.validator_rewards_native > 0
                then validator_totals.validator_rewards_native
            when validator_totals.validator_delegated_native > 0
                then validator_totals.validator_delegated_native
        end as share_denominator_native,
        {{ aurora.to_money('coalesce(validator_pnl.inflation_commission_native, 0)') }}
            as inflation_commission_native,
        {{ aurora.to_money('coalesce(validator_pnl.block_fees_native, 0)') }}
            as block_fees_native,
        {{ aurora.to_money('coalesce(validator_pnl.mev_commission_native, 0)') }}
            as mev_commission_native,
        {{ aurora.to_money('coalesce(validator_mev.mev_rewards_native, 0)') }}
            as mev_rewards_native,
        coalesce(
            tier_measures.tier_measure_tokens, {{ aurora.to_money('0') }}
        ) as tier_measure_tokens
    from agreement_totals
    inner join validator_totals
        on
            agreement_totals.chain = validator_totals.chain
            and agreement_totals.validator_id = validator_totals.validator_id
            and agreement_totals.period_id = validator_totals.period_id
    inner join validator_pnl
        on
            agreement_totals.chain = validator_pnl.chain
            and agreement_totals.validator_id = validator_pnl.validator_id
            and agreement_totals.period_id = validator_pnl.period_id
    left join validator_mev
        on
            agreement_totals.chain = validator_mev.chain
            and agreement_totals.validator_id = validator_mev.validator_id
            and agreement_totals.period_id = validator_mev.period_id
    left join tier_measures
        on
            agreement_totals.chain = tier_measures.chain
            and agreement_totals.agreement_id = tier_measures.agreement_id
            and agreement_totals.period_id = tier_measures.period_id
),

-- one row per component; operator_commission basis = trunc(revenue * weight_A / weight_V)
inflation as (
    select
        shares.*,
        'inflation' as component,
        shares.inflation_commission_native as validator_component_native,
        coalesce(
            {{ aurora.mul_div(
                'shares.inflation_commission_native',
                'shares.share_numerator_native',
                'shares.share_denominator_native'
            ) }},
            0
        ) as operator_commission_basis_native
    from shares
),

block_fees as (
    select
        shares.*,
        'block_fees' as component,
        shares.block_fees_native as validator_component_native,
        coalesce(
            {{ aurora.mul_div(
                'shares.block_fees_native',
                'shares.share_numerator_native',
                'shares.share_denominator_native'
            ) }},
            0
        ) as operator_commission_basis_native
    from shares
),

mev as (
    select
        shares.*,
        'mev' as component,
        shares.mev_commission_native as validator_component_native,
        coalesce(
            {{ aurora.mul_div(
                'shares.mev_commission_native',
                'shares.share_numerator_native',
                'shares.share_denominator_native'
            ) }},
            0
        ) as operator_commission_basis_native
    from shares
),

-- gross basis: inflation = R_A + its operator_commission basis; block fees = operator_commission;
-- mev = trunc(mev_rewards * weight_A / weight_V)
components as (
    select
        inflation.*,
        inflation.attributed_rewards_native
        + inflation.operator_commission_basis_native as gross_basis_native
    from inflation
    union all
    select
        block_fees.*,
        block_fees.operator_commission_basis_native as gross_basis_native
    from block_fees
    union all
    select
        mev.*,
        coalesce(
            {{ aurora.mul_div(
                'mev.mev_rewards_native',
                'mev.share_numerator_native',
                'mev.share_denominator_native'
            ) }},
            0
        ) as gross_basis_native
    from mev
),

final as (
    select
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(partner_id as {{ dbt.type_string() }}) as partner_id,
        cast(agreement_id as {{ dbt.type_string() }}) as agreement_id,
        cast(validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(period_id as {{ dbt.type_string() }}) as period_id,
        cast(period_date as date) as period_date,
        cast(statement_month as {{ dbt.type_string() }}) as statement_month,
        cast(component as {{ dbt.type_string() }}) as component,
        cast(attributed_account_count as integer) as attributed_account_count,
        {{ aurora.to_money('attributed_rewards_native') }} as attributed_rewards_native,
        {{ aurora.to_money('validator_rewards_native') }} as validator_rewards_native,
        {{ aurora.to_money('attributed_delegated_native') }} as attributed_delegated_native,
        {{ aurora.to_money('validator_delegated_native') }} as validator_delegated_native,
        cast(share_weight as {{ dbt.type_string() }}) as share_weight,
        {{ aurora.to_money('share_numerator_native') }} as share_numerator_native,
        {{ aurora.to_money('share_denominator_native') }} as share_denominator_native,
        {{ aurora.to_money('validator_component_native') }} as validator_component_native,
        case
            when component = 'mev' then {{ aurora.to_money('mev_rewards_native') }}
        end as validator_mev_rewards_native,
        {{ aurora.to_money('operator_commission_basis_native') }}
            as operator_commission_basis_native,
        {{ aurora.to_money('gross_basis_native') }} as gross_basis_native,
        {{ aurora.to_money('tier_measure_tokens') }} as tier_measure_tokens
    from components
)

select * from final
