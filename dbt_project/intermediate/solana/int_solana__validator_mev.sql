-- MEV per validator and epoch from Jito Kobe (methodology §3): the MEV pot (after Jito's fee, before
-- the validator/staker split), the MEV commission rate, and the operator's MEV commission
-- trunc(mev_rewards * mev_commission_bps / 10000). A validator absent from Kobe's answer, not
-- running Jito, or an epoch Kobe has not published yet, has 0 (restated when Kobe publishes).
-- Feeds canonical_validator_mev. The gross MEV is the pot itself.

with identities as (
    select * from {{ ref('int_solana__validator_identities') }}
),

kobe_validators as (
    select * from {{ ref('stg_solana__kobe_validators') }}
),

kobe_epochs as (
    select * from {{ ref('stg_solana__kobe_epochs') }}
),

kobe_epoch as (
    {{ aurora.preferred_provider_rows('kobe_epochs', 'mev', ['epoch'], 'solana') }}
),

kobe_validator as (
    {{ aurora.preferred_provider_rows('kobe_validators', 'mev', ['epoch'], 'solana') }}
),

mev as (
    select
        identities.chain,
        identities.validator_id,
        identities.period_id,
        identities.epoch,
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
        identities._dlt_load_id as identity_load_id,
        identities._dlt_loaded_at as identity_loaded_at
    from identities
    left join kobe_validator
        on
            identities.epoch = kobe_validator.epoch
            and identities.validator_id = kobe_validator.vote_account
    left join kobe_epoch
        on identities.epoch = kobe_epoch.epoch
),

final as (
    select
        mev.chain,
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
        mev.mev_rewards_native as mev_gross_native,
        mev.provider,
        mev.request_id,
        mev.response_sha256,
        greatest(mev.identity_load_id, coalesce(mev.kobe_load_id, mev.identity_load_id)) as _dlt_load_id,
        greatest(mev.identity_loaded_at, coalesce(mev.kobe_loaded_at, mev.identity_loaded_at)) as _dlt_loaded_at
    from mev
)

select * from final
