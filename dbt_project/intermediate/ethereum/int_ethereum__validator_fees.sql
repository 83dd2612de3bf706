-- Per operator validator and day with a P&L row (methodology §8): its proposal duties, proposed
-- blocks and missed proposals, the operator revenue of component block_fees (trunc(execution_fees
-- x execution_fee_bps / 10000)) and the gross execution fees. Ethereum has no vote fees (0). Feeds
-- canonical_validator_fees.

with validator_days as (
    select * from {{ ref('int_ethereum__validator_days') }}
),

final as (
    select
        validator_days.chain,
        validator_days.validator_id,
        validator_days.period_id,
        cast(null as bigint) as epoch,
        validator_days.pubkey as identity_pubkey,
        validator_days.proposal_duty_count as leader_slot_count,
        validator_days.proposed_block_count as produced_block_count,
        validator_days.missed_proposal_count as skipped_slot_count,
        validator_days.block_fees_wei as block_fees_native,
        validator_days.execution_fees_wei as block_fees_gross_native,
        cast(0 as bigint) as vote_tx_count,
        {{ aurora.to_money('0') }} as vote_fees_native,
        validator_days.execution_provider as provider,
        validator_days.blocks_provider,
        validator_days.duties_provider as leader_schedule_provider,
        cast(null as {{ dbt.type_string() }}) as vote_signatures_provider,
        validator_days._dlt_load_id,
        validator_days._dlt_loaded_at
    from validator_days
    where validator_days.has_row
)

select * from final
