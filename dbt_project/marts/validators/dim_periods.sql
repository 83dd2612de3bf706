-- One row per reward period (Solana epoch, Ethereum UTC day) the warehouse holds: its slots, its time span, the
-- period date that decides its statement month, and whether it is closed.

with periods as (
    select * from {{ ref('canonical_periods') }}
),

final as (
    select
        periods.chain,
        periods.period_id,
        periods.epoch,
        cast(row_number() over (
            partition by periods.chain
            order by periods.start_at, periods.period_id
        ) as bigint) as period_ordinal,
        periods.first_slot,
        periods.last_slot,
        periods.last_slot - periods.first_slot + 1 as slot_count,
        periods.start_at,
        periods.end_at,
        cast({{ aurora.seconds_between('periods.start_at', 'periods.end_at') }} as bigint) as duration_seconds,
        periods.period_date,
        substring(cast(periods.period_date as {{ dbt.type_string() }}), 1, 7) as period_month,
        periods.is_closed
    from periods
)

select * from final
