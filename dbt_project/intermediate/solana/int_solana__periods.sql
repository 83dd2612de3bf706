-- One row per ingested Solana epoch (methodology §2): its slot range (from getEpochSchedule, never
-- a hard-coded 432000), its start (block time of its first produced block), its end (the start of
-- the next epoch), its period date (UTC date of the end) and whether it is closed. Feeds
-- canonical_periods; `_dlt_loaded_at` covers every load the row depends on (the next epoch's start
-- included), so a canonical build restates exactly the epochs a new load touched.

with epoch_schedules as (
    select * from {{ ref('stg_solana__epoch_schedules') }}
),

ingestion_runs as (
    select * from {{ ref('stg_solana__ingestion_runs') }}
),

block_times as (
    select * from {{ ref('stg_solana__block_times') }}
),

inflation_rewards as (
    select * from {{ ref('stg_solana__inflation_rewards') }}
),

epoch_schedule as (
    {{ aurora.preferred_provider_rows('epoch_schedules', 'epoch_schedule', [], 'solana') }}
),

-- epochs fully ingested (a Kobe-only re-ingest does not make an epoch)
ingested_epochs as (
    select
        ingestion_runs.epoch,
        max(ingestion_runs._dlt_load_id) as _dlt_load_id,
        max(ingestion_runs._dlt_loaded_at) as _dlt_loaded_at
    from ingestion_runs
    where
        ingestion_runs.run_status = 'complete'
        and ingestion_runs.run_scope = 'full'
    group by ingestion_runs.epoch
),

-- the epochs whose start bounds a period: each ingested epoch and the one after it
boundary_epochs as (
    select ingested_epochs.epoch from ingested_epochs
    union
    select ingested_epochs.epoch + 1 from ingested_epochs
),

-- slot range of an epoch; warmup epochs (before first_normal_epoch) have 32 * 2^epoch slots
epoch_ranges as (
    select
        boundaries.epoch,
        case
            when boundaries.epoch < epoch_schedule.first_normal_epoch
                then cast(32 as bigint) * ((cast(1 as bigint) << cast(boundaries.epoch as integer)) - 1)
            else
                epoch_schedule.first_normal_slot
                + (boundaries.epoch - epoch_schedule.first_normal_epoch) * epoch_schedule.slots_per_epoch
        end as first_slot,
        case
            when boundaries.epoch < epoch_schedule.first_normal_epoch
                then cast(32 as bigint) * ((cast(1 as bigint) << cast(boundaries.epoch + 1 as integer)) - 1) - 1
            else
                epoch_schedule.first_normal_slot
                + (boundaries.epoch - epoch_schedule.first_normal_epoch + 1) * epoch_schedule.slots_per_epoch
                - 1
        end as last_slot,
        epoch_schedule.provider
    from boundary_epochs as boundaries
    cross join epoch_schedule
),

-- the boundary probes, attributed to the epoch whose slot range holds them
probes as (
    select
        epoch_ranges.epoch,
        block_times.slot,
        block_times.block_at,
        block_times.is_skipped,
        block_times.provider,
        block_times._dlt_load_id,
        block_times._dlt_loaded_at
    from block_times
    inner join epoch_ranges
        on block_times.slot between epoch_ranges.first_slot and epoch_ranges.last_slot
),

probe as (
    {{ aurora.preferred_provider_rows('probes', 'block_times', ['epoch'], 'solana') }}
),

first_produced as (
    select
        probe.epoch,
        min(probe.slot) as first_produced_slot
    from probe
    where
        not probe.is_skipped
        and probe.block_at is not null
    group by probe.epoch
),

epoch_starts as (
    select
        probe.epoch,
        probe.block_at as start_at,
        probe.provider,
        probe._dlt_load_id,
        probe._dlt_loaded_at
    from probe
    inner join first_produced
        on
            probe.epoch = first_produced.epoch
            and probe.slot = first_produced.first_produced_slot
),

closed_evidence as (
    select
        inflation_rewards.epoch,
        max(inflation_rewards._dlt_load_id) as _dlt_load_id,
        max(inflation_rewards._dlt_loaded_at) as _dlt_loaded_at
    from inflation_rewards
    where inflation_rewards.address_kind = 'vote'
    group by inflation_rewards.epoch
),

periods as (
    select
        ingested_epochs.epoch,
        this_range.first_slot,
        this_range.last_slot,
        this_start.start_at,
        next_start.start_at as end_at,
        next_start.start_at is not null and closed_evidence.epoch is not null as is_closed,
        this_range.provider,
        this_start.provider as block_times_provider,
        ingested_epochs._dlt_load_id as run_load_id,
        this_start._dlt_load_id as start_load_id,
        next_start._dlt_load_id as end_load_id,
        closed_evidence._dlt_load_id as closed_load_id,
        ingested_epochs._dlt_loaded_at as run_loaded_at,
        this_start._dlt_loaded_at as start_loaded_at,
        next_start._dlt_loaded_at as end_loaded_at,
        closed_evidence._dlt_loaded_at as closed_loaded_at
    from ingested_epochs
    inner join epoch_ranges as this_range
        on ingested_epochs.epoch = this_range.epoch
    left join epoch_starts as this_start
        on ingested_epochs.epoch = this_start.epoch
    left join epoch_starts as next_start
        on ingested_epochs.epoch + 1 = next_start.epoch
    left join closed_evidence
        on ingested_epochs.epoch = closed_evidence.epoch
),

-- (every ingestion run reloads the epoch schedule, which is fixed at genesis: a reload alone
-- restates nothing, and the schedule's load is not part of a period's lineage)
final as (
    select
        cast('solana' as {{ dbt.type_string() }}) as chain,
        cast(periods.epoch as {{ dbt.type_string() }}) as period_id,
        cast(periods.epoch as bigint) as epoch,
        cast(periods.first_slot as bigint) as first_slot,
        cast(periods.last_slot as bigint) as last_slot,
        periods.start_at,
        periods.end_at,
        {{ aurora.to_utc_date('periods.end_at') }} as period_date,
        periods.is_closed,
        periods.provider,
        periods.block_times_provider,
        greatest(
            periods.run_load_id,
            coalesce(periods.start_load_id, periods.run_load_id),
            coalesce(periods.end_load_id, periods.run_load_id),
            coalesce(periods.closed_load_id, periods.run_load_id)
        ) as _dlt_load_id,
        greatest(
            periods.run_loaded_at,
            coalesce(periods.start_loaded_at, periods.run_loaded_at),
            coalesce(periods.end_loaded_at, periods.run_loaded_at),
            coalesce(periods.closed_loaded_at, periods.run_loaded_at)
        ) as _dlt_loaded_at
    from periods
)

select * from final
