-- Fails when an Ethereum validator-day with a P&L row has no operator fee terms
-- (seeds/validator_fee_terms.csv, methodology §8): exactly one row must apply to each
-- validator-day, or its operator revenue would silently be 0. Overlaps are failed by the seed's
-- own test. Names the validator and the day.
with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id
    from validator_days
    where
        validator_days.has_row
        and (validator_days.consensus_fee_bps is null or validator_days.execution_fee_bps is null)
)

select * from final
