-- Fails when a period is missing between loaded ones, on any chain: ordered by start time (a
-- period whose start is unknown last), each period must end where the next one starts (a gap
-- would silently drop a period from P&L and statements). Solana's epoch E ends at the start of
-- E+1 and Ethereum's day D at the start of D+1's first epoch, so the order needs no epoch number;
-- where the chain numbers its periods (Solana epochs) a skipped number is a gap too. Returns each
-- gap with the periods on both sides.
with periods as (
    select * from {{ ref('canonical_periods') }}
),

neighbours as (
    select
        periods.chain,
        periods.period_id,
        periods.end_at,
        periods.epoch,
        lead(periods.epoch) over (
            partition by periods.chain order by periods.start_at nulls last, periods.period_id
        ) as next_epoch,
        lead(periods.period_id) over (
            partition by periods.chain order by periods.start_at nulls last, periods.period_id
        ) as next_period_id,
        lead(periods.start_at) over (
            partition by periods.chain order by periods.start_at nulls last, periods.period_id
        ) as next_start_at
    from periods
),

final as (
    select
        neighbours.chain,
        neighbours.period_id as period_before_gap,
        neighbours.next_period_id as period_after_gap,
        neighbours.end_at as gap_start_at,
        neighbours.next_start_at as gap_end_at
    from neighbours
    where
        neighbours.next_period_id is not null
        and (
            neighbours.end_at is distinct from neighbours.next_start_at
            or neighbours.next_epoch - neighbours.epoch <> 1
        )
)

select * from final
