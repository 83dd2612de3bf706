-- Per operator validator and day with a P&L row (methodology §8): the MEV payments of its relay
-- blocks (the gross MEV), the operator's execution fee as the MEV commission rate, and the operator
-- revenue of component mev (trunc(mev x execution_fee_bps / 10000)). Relay data is published with
-- the block, so a closed day is always published. Feeds canonical_validator_mev.

with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        cast(null as bigint) as epoch,
        true as is_mev_published,
        validator_days.relay_block_count > 0 as is_running_jito,
        validator_days.mev_wei as mev_rewards_native,
        validator_days.execution_fee_bps as mev_commission_bps,
        validator_days.mev_commission_wei as mev_commission_native,
        validator_days.mev_wei as mev_gross_native,
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as request_id,
        cast(null as {{ dbt.type_string() }}) as response_sha256,
        validator_days._dlt_load_id,
        validator_days._dlt_loaded_at
    from validator_days
    where validator_days.has_row
)

select * from final
