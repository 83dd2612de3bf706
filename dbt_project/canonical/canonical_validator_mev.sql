{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['chain', 'period_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ aurora.hash_join_hints() }}",
    )
}}

-- MEV per validator and epoch from Jito Kobe: the MEV pot (after Jito's fee, before the
-- validator/staker split), the MEV commission rate, and the operator's MEV commission
-- trunc(mev_rewards * mev_commission_bps / 10000). A validator absent from Kobe's answer, not
-- running Jito, or an epoch Kobe has not published yet, has 0 (restated when Kobe publishes).

with identities as (
    select * from {{ ref('canonical_validator_identities') }}
),

kobe_validators as (
    select * from {{ ref('stg_solana__kobe_validators') }}
),

kobe_epochs as (
    select * from {{ ref('stg_solana__kobe_epochs') }}
),

mapping_fingerprint as (
    {{ aurora.provider_mappings_fingerprint() }}
),

incremental_state as (
    {{ aurora.incremental_load_state('mapping_fingerprint') }}
),

touched_epochs as (
    select identities.epoch
    from identities
    where
        identities._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
        or (select incremental_state.is_remapped from incremental_state)
    union
    select kobe_validators.epoch
    from kobe_validators
    where kobe_validators._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
    union
    select kobe_epochs.epoch
    from kobe_epochs
    where kobe_epochs._dlt_loaded_at > (select incremental_state.loaded_after from incremental_state)
),

validator_periods as (
    select identities.*
    from identities
    inner join touched_epochs
        on identities.epoch = touched_epochs.epoch
),

kobe_epochs_in_scope as (
    select kobe_epochs.*
    from kobe_epochs
    inner join touched_epochs
        on kobe_epochs.epoch = touched_epochs.epoch
),

preferred_kobe_epochs as (
    {{ aurora.preferred_providers('kobe_epochs_in_scope', 'mev', ['epoch']) }}
),

kobe_epoch as (
    select kobe_epochs_in_scope.*
    from kobe_epochs_in_scope
    inner join preferred_kobe_epochs
        on
            kobe_epochs_in_scope.epoch = preferred_kobe_epochs.epoch
            and kobe_epochs_in_scope.provider = preferred_kobe_epochs.provider
),

kobe_validators_in_scope as (
    select kobe_validators.*
    from kobe_validators
    inner join touched_epochs
        on kobe_validators.epoch = touched_epochs.epoch
),

preferred_kobe_validators as (
    {{ aurora.preferred_providers('kobe_validators_in_scope', 'mev', ['epoch']) }}
),

kobe_validator as (
    select kobe_validators_in_scope.*
    from kobe_validators_in_scope
    inner join preferred_kobe_validators
        on
            kobe_validators_in_scope.epoch = preferred_kobe_validators.epoch
            and kobe_validators_in_scope.provider = preferred_kobe_validators.provider
),

mev as (
    select
        validator_periods.validator_id,
        validator_periods.period_id,
        validator_periods.epoch,
        coalesce(kobe_epoch.is_published, kobe_validator.epoch is not null) as is_mev_published,
        coalesce(kobe_validator.is_running_jito, false) as is_running_jito,
        case
            when kobe_validator.is_running_jito
                then {{ aurora.to_money('coalesce(kobe_validator.mev_rewards_lamports, 0)') }}
            else {{ aurora.to_money('0') }}
        end as mev_rewards_native,
        case
            when kobe_validator.is_running_jito then kobe_validator.mev_commission_bps
        end as mev_commission_bps,
        coalesce(kobe_validator.provider, kobe_epoch.provider) as provider,
        coalesce(kobe_validator.request_id, kobe_epoch.request_id) as request_id,
        coalesce(kobe_validator.response_sha256, kobe_epoch.response_sha256) as response_sha256,
        coalesce(kobe_validator._dlt_load_id, kobe_epoch._dlt_load_id) as kobe_load_id,
        coalesce(kobe_validator._dlt_loaded_at, kobe_epoch._dlt_loaded_at) as kobe_loaded_at,
        validator_periods._dlt_load_id as identity_load_id,
        validator_periods._dlt_loaded_at as identity_loaded_at
    from validator_periods
    left join kobe_validator
        on
            validator_periods.epoch = kobe_validator.epoch
            and validator_periods.validator_id = kobe_validator.vote_account
    left join kobe_epoch
        on validator_periods.epoch = kobe_epoch.epoch
),

final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        mev.validator_id,
        mev.period_id,
        mev.epoch,
        coalesce(mev.is_mev_published, false) as is_mev_published,
        mev.is_running_jito,
        mev.mev_rewards_native,
        cast(mev.mev_commission_bps as integer) as mev_commission_bps,
        cast(
            case
                when mev.mev_commission_bps is null then {{ aurora.to_money('0') }}
                else {{ aurora.mul_div('mev.mev_rewards_native', 'mev.mev_commission_bps', '10000') }}
            end
            as {{ aurora.money_type() }}
        ) as mev_commission_native,
        mev.provider,
        mev.request_id,
        mev.response_sha256,
        greatest(mev.identity_load_id, coalesce(mev.kobe_load_id, mev.identity_load_id)) as _dlt_load_id,
        greatest(mev.identity_loaded_at, coalesce(mev.kobe_loaded_at, mev.identity_loaded_at)) as _dlt_loaded_at,
        mapping_fingerprint.provider_mappings_sha256
    from mev
    cross join mapping_fingerprint
)

select * from final
