-- One row per operator validator (seeds/validators.csv): its name, the identity the operator
-- expects, and the identity the providers reported for the latest ingested period (periods are
-- ordered by their start, the same on every chain).

with validators as (
    select * from {{ ref('validators') }}
),

identities as (
    select * from {{ ref('canonical_validator_identities') }}
),

periods as (
    select * from {{ ref('canonical_periods') }}
),

-- each identity row with its period's position in the chain (by start time)
ordered_identities as (
    select
        identities.chain,
        identities.validator_id,
        identities.period_id,
        identities.identity_pubkey,
        row_number() over (
            partition by identities.chain, identities.validator_id
            order by periods.start_at, identities.period_id
        ) as period_rank,
        count(*) over (partition by identities.chain, identities.validator_id) as period_count
    from identities
    inner join periods
        on
            identities.chain = periods.chain
            and identities.period_id = periods.period_id
),

latest_identities as (
    select
        ordered_identities.chain,
        ordered_identities.validator_id,
        ordered_identities.period_id,
        ordered_identities.identity_pubkey
    from ordered_identities
    where ordered_identities.period_rank = ordered_identities.period_count
),

period_spans as (
    select
        ordered_identities.chain,
        ordered_identities.validator_id,
        max(case when ordered_identities.period_rank = 1 then ordered_identities.period_id end) as first_period_id,
        max(
            case when ordered_identities.period_rank = ordered_identities.period_count then ordered_identities.period_id end
        ) as last_period_id,
        max(ordered_identities.period_count) as period_count
    from ordered_identities
    group by
        ordered_identities.chain,
        ordered_identities.validator_id
),

final as (
    select
        validators.chain,
        validators.validator_id,
        validators.validator_name,
        validators.identity_pubkey as expected_identity_pubkey,
        latest_identities.identity_pubkey as latest_identity_pubkey,
        latest_identities.period_id as latest_identity_period_id,
        coalesce(latest_identities.identity_pubkey = validators.identity_pubkey, false) as is_identity_as_expected,
        cast(period_spans.first_period_id as {{ dbt.type_string() }}) as first_period_id,
        cast(period_spans.last_period_id as {{ dbt.type_string() }}) as last_period_id,
        cast(coalesce(period_spans.period_count, 0) as bigint) as period_count
    from validators
    left join latest_identities
        on
            validators.chain = latest_identities.chain
            and validators.validator_id = latest_identities.validator_id
    left join period_spans
        on
            validators.chain = period_spans.chain
            and validators.validator_id = period_spans.validator_id
)

select * from final
