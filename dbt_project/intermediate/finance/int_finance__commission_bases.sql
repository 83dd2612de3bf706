-- What each agreement's stake earned the operator, per validator, closed period and revenue
-- component (methodology §4, §8): the bases that partner rules apply to, for every chain from the
-- canonical contracts alone. The agreement's share of validator V in period E is the attribution
-- weight of its units over that of all of V's units (Solana: R_A / R_V, staker rewards), or, when
-- V's weights sum to 0 (Solana: a 100% commission validator), the same with the fallback weights
-- (Solana: delegated stake); when those sum to 0 too the share is 0 (a warning test names it). The
-- share is never rounded on its own: each basis is one multiplication and one truncated division,
-- operator_commission = trunc(operator revenue x share) and gross = trunc(gross x share). (On
-- Solana the gross inflation is R_V + the inflation commission, so trunc(gross x R_A / R_V) =
-- R_A + the operator_commission basis, as methodology §4 states it.) Tier measure per agreement
-- and period, across all operator validators: floor(sum of the attributed units' tier stake /
-- 10^decimals) in whole tokens.

with attributions as (
    select * from {{ ref('int_finance__stake_attributions') }}
),

key_matches as (
    select * from {{ ref('int_finance__stake_key_matches') }}
),

stake_rewards as (
    select * from {{ ref('canonical_stake_rewards') }}
),

validator_components as (
    select * from {{ ref('int_finance__validator_components') }}
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

-- the weights of all of V's stake units in E
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
        sum({{ aurora.to_money('coalesce(stake_rewards.attribution_weight_native, 0)') }})
            as validator_weight_native,
        sum({{ aurora.to_money('coalesce(stake_rewards.fallback_weight_native, 0)') }})
            as validator_fallback_weight_native
    from stake_rewards
    inner join validator_periods
        on
            stake_rewards.chain = validator_periods.chain
            and stake_rewards.validator_id = validator_periods.validator_id
            and stake_rewards.period_id = validator_periods.period_id
    group by 1, 2, 3
),

-- the weights of the agreement's attributed units on V in E
agreement_totals as (
    select
        chain,
        partner_id,
        agreement_id,
        validator_id,
        period_id,
        period_date,
        statement_month,
        count(*) as attributed_unit_count,
        sum(attribution_weight_native) as attributed_weight_native,
        sum(fallback_weight_native) as attributed_fallback_weight_native,
        max(attribution_weight_kind) as attribution_weight_kind,
        max(fallback_weight_kind) as fallback_weight_kind
    from attributions
    group by 1, 2, 3, 4, 5, 6, 7
),

-- tier measure per agreement and period, across all operator validators: whole tokens of the
-- attributed units' tier stake (a unit without tier stake adds nothing)
tier_measures as (
    select
        attributions.chain,
        attributions.agreement_id,
        attributions.period_id,
        {{ aurora.int_div(
            'sum(attributions.tier_stake_native)',
            'max(chain_units.native_unit)'
        ) }} as tier_measure_tokens
    from attributions
    inner join chain_units
        on attributions.chain = chain_units.chain
    where attributions.tier_stake_native is not null
    group by 1, 2, 3
),

shares as (
    select
        agreement_totals.*,
        validator_totals.validator_weight_native,
        validator_totals.validator_fallback_weight_native,
        case
            when validator_totals.validator_weight_native > 0 then agreement_totals.attribution_weight_kind
            when validator_totals.validator_fallback_weight_native > 0 then agreement_totals.fallback_weight_kind
            else 'none'
        end as share_weight,
        case
            when validator_totals.validator_weight_native > 0
                then agreement_totals.attributed_weight_native
            when validator_totals.validator_fallback_weight_native > 0
                then agreement_totals.attributed_fallback_weight_native
        end as share_numerator_native,
        case
            when validator_totals.validator_weight_native > 0
                then validator_totals.validator_weight_native
            when validator_totals.validator_fallback_weight_native > 0
                then validator_totals.validator_fallback_weight_native
        end as share_denominator_native,
        coalesce(
            tier_measures.tier_measure_tokens, {{ aurora.to_money('0') }}
        ) as tier_measure_tokens
    from agreement_totals
    inner join validator_totals
        on
            agreement_totals.chain = validator_totals.chain
            and agreement_totals.validator_id = validator_totals.validator_id
            and agreement_totals.period_id = validator_totals.period_id
    left join tier_measures
        on
            agreement_totals.chain = tier_measures.chain
            and agreement_totals.agreement_id = tier_measures.agreement_id
            and agreement_totals.period_id = tier_measures.period_id
),

-- one row per component: basis = trunc(validator figure x share numerator / share denominator)
components as (
    select
        shares.*,
        validator_components.component,
        validator_components.revenue_native,
        validator_components.gross_native,
        coalesce(
            {{ aurora.mul_div(
                'validator_components.revenue_native',
                'shares.share_numerator_native',
                'shares.share_denominator_native'
            ) }},
            0
        ) as operator_commission_basis_native,
        coalesce(
            {{ aurora.mul_div(
                'validator_components.gross_native',
                'shares.share_numerator_native',
                'shares.share_denominator_native'
            ) }},
            0
        ) as gross_basis_native
    from shares
    inner join validator_components
        on
            shares.chain = validator_components.chain
            and shares.validator_id = validator_components.validator_id
            and shares.period_id = validator_components.period_id
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
        cast(attributed_unit_count as integer) as attributed_account_count,
        {{ aurora.to_money('attributed_weight_native') }} as attributed_rewards_native,
        {{ aurora.to_money('validator_weight_native') }} as validator_rewards_native,
        {{ aurora.to_money('attributed_fallback_weight_native') }} as attributed_delegated_native,
        {{ aurora.to_money('validator_fallback_weight_native') }} as validator_delegated_native,
        cast(share_weight as {{ dbt.type_string() }}) as share_weight,
        {{ aurora.to_money('share_numerator_native') }} as share_numerator_native,
        {{ aurora.to_money('share_denominator_native') }} as share_denominator_native,
        {{ aurora.to_money('revenue_native') }} as validator_component_native,
        {{ aurora.to_money('gross_native') }} as validator_gross_native,
        case
            when component = 'mev' then {{ aurora.to_money('gross_native') }}
        end as validator_mev_rewards_native,
        {{ aurora.to_money('operator_commission_basis_native') }}
            as operator_commission_basis_native,
        {{ aurora.to_money('gross_basis_native') }} as gross_basis_native,
        {{ aurora.to_money('tier_measure_tokens') }} as tier_measure_tokens
    from components
)

select * from final
