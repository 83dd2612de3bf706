-- One row per ingested Ethereum UTC day (methodology §2, §8): day D holds the epochs whose first
-- slot starts in [D 00:00, D+1 00:00) UTC, as ingestion recorded them (ingestion_runs first_epoch,
-- last_epoch); start_at = the start of D's first epoch, end_at = the start of D+1's first epoch,
-- both from the genesis time and the slot and epoch lengths the beacon node reports (never
-- hard-coded); period_date = D; closed when the finalized epoch is >= D's last epoch + 2. Feeds
-- canonical_periods. A day arrives whole in one load, so its lineage is that load.

with ingestion_runs as (
    select * from {{ ref('stg_ethereum__ingestion_runs') }}
),

genesis_rows as (
    select * from {{ ref('stg_ethereum__genesis') }}
),

spec_rows as (
    select * from {{ ref('stg_ethereum__specs') }}
),

finality_checkpoints as (
    select * from {{ ref('stg_ethereum__finality_checkpoints') }}
),

genesis as (
    {{ aurora.preferred_provider_rows('genesis_rows', 'consensus_rewards', [], 'ethereum') }}
),

spec as (
    {{ aurora.preferred_provider_rows('spec_rows', 'consensus_rewards', [], 'ethereum') }}
),

-- the newest run of each day (a re-ingest replaces the day's rows)
ingested_days as (
    select
        ranked.period_id,
        ranked.first_epoch,
        ranked.last_epoch,
        ranked._dlt_load_id,
        ranked._dlt_loaded_at
    from (
        select
            ingestion_runs.period_id,
            ingestion_runs.first_epoch,
            ingestion_runs.last_epoch,
            ingestion_runs._dlt_load_id,
            ingestion_runs._dlt_loaded_at,
            row_number() over (
                partition by ingestion_runs.period_id
                order by ingestion_runs._dlt_load_id desc, ingestion_runs.ingestion_run_id desc
            ) as run_rank
        from ingestion_runs
        where ingestion_runs.run_status = 'complete'
    ) as ranked
    where ranked.run_rank = 1
),

finality as (
    select max(finality_checkpoints.finalized_epoch) as finalized_epoch
    from finality_checkpoints
),

-- epoch length in milliseconds (SLOT_DURATION_MS x SLOTS_PER_EPOCH)
bounds as (
    select
        ingested_days.period_id,
        ingested_days.first_epoch,
        ingested_days.last_epoch,
        ingested_days.first_epoch * spec.slots_per_epoch as first_slot,
        (ingested_days.last_epoch + 1) * spec.slots_per_epoch - 1 as last_slot,
        ingested_days.last_epoch * spec.slots_per_epoch as state_slot,
        genesis.genesis_unix_time
        + {{ aurora.int_div(
            'cast(ingested_days.first_epoch as bigint) * spec.slots_per_epoch * spec.slot_duration_ms', '1000'
        ) }} as start_unix_time,
        genesis.genesis_unix_time
        + {{ aurora.int_div(
            'cast(ingested_days.last_epoch + 1 as bigint) * spec.slots_per_epoch * spec.slot_duration_ms', '1000'
        ) }} as end_unix_time,
        coalesce(finality.finalized_epoch >= ingested_days.last_epoch + 2, false) as is_closed,
        genesis.provider,
        ingested_days._dlt_load_id,
        ingested_days._dlt_loaded_at
    from ingested_days
    cross join genesis
    cross join spec
    cross join finality
),

final as (
    select
        cast('ethereum' as {{ dbt.type_string() }}) as chain,
        cast(bounds.period_id as {{ dbt.type_string() }}) as period_id,
        cast(null as bigint) as epoch,
        cast(bounds.first_epoch as bigint) as first_epoch,
        cast(bounds.last_epoch as bigint) as last_epoch,
        cast(bounds.first_slot as bigint) as first_slot,
        cast(bounds.last_slot as bigint) as last_slot,
        -- the state of the day is read at the first slot of its last epoch (methodology §8)
        cast(bounds.state_slot as bigint) as state_slot,
        {{ aurora.unix_to_timestamp('bounds.start_unix_time') }} as start_at,
        {{ aurora.unix_to_timestamp('bounds.end_unix_time') }} as end_at,
        cast(bounds.period_id as date) as period_date,
        bounds.is_closed,
        bounds.provider,
        cast(null as {{ dbt.type_string() }}) as block_times_provider,
        bounds._dlt_load_id,
        bounds._dlt_loaded_at
    from bounds
)

select * from final
