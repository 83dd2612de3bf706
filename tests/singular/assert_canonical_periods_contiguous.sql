-- Fails when an epoch is missing between loaded ones: every epoch from the first to the last one
-- the warehouse holds must be there (a gap would silently drop a period from P&L and statements).
-- Returns each gap with the epochs on both sides.
with periods as (
    select * from {{ ref('canonical_periods') }}
),

neighbours as (
    select
        periods.chain,
        periods.epoch,
        lead(periods.epoch) over (partition by periods.chain order by periods.epoch) as next_epoch
    from periods
),

final as (
    select
        neighbours.chain,
        neighbours.epoch as epoch_before_gap,
        neighbours.next_epoch as epoch_after_gap,
        neighbours.next_epoch - neighbours.epoch - 1 as missing_epoch_count
    from neighbours
    where neighbours.next_epoch - neighbours.epoch > 1
)

select * from final
