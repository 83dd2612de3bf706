"""The Solana raw tables, declared once: columns, kinds, primary keys, and what each holds.

Everything else follows from :data:`TABLES`: the arrow schemas and dlt hints of the loads
(ingest/solana/source.py), the rows' completeness check (``RawRows``), and the Solana section of
ingest/RAW_TABLES.md (``python -m ingest.raw_tables``). Kinds: see ingest/core/rawschema.py.
"""

from __future__ import annotations

from ingest.core.rawschema import STAGING_PAYLOADS, TableSpec, table_spec

CHAIN = "solana"
DATASET = "raw_solana"  # the dlt dataset (a schema in the warehouse)
SOURCE_NAME = "solana_raw"  # the dlt source, and the name of its dlt schema
PIPELINE_NAME = "aurora_solana"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        table_spec(
            "epoch_schedule",
            ["provider"],
            [
                ("slots_per_epoch", "bigint"),
                ("leader_schedule_slot_offset", "bigint"),
                ("warmup", "bool"),
                ("first_normal_epoch", "bigint"),
                ("first_normal_slot", "bigint"),
            ],
            source="getEpochSchedule",
        ),
        table_spec(
            "vote_accounts",
            ["provider", "epoch", "vote_pubkey"],
            [
                ("epoch", "bigint", "the epoch being ingested"),
                ("vote_pubkey", "text"),
                ("node_pubkey", "text", "the identity"),
                ("commission", "bigint", "percent"),
                ("commission_bps", "bigint", "when the provider delivers basis points"),
                ("activated_stake", "amount"),
                ("epoch_vote_account", "bool"),
                ("last_vote", "bigint"),
                ("root_slot", "bigint"),
                ("is_delinquent", "bool"),
            ],
            source="getVoteAccounts, only the operator's vote accounts (seeds/validators.csv)",
        ),
        table_spec(
            "leader_schedule",
            ["provider", "epoch", "slot"],
            [
                ("epoch", "bigint"),
                ("identity", "text"),
                ("slot_index", "bigint", "relative to the epoch's first slot"),
                ("slot", "bigint", "absolute: the epoch's first slot + slot_index"),
            ],
            source="getLeaderSchedule(first slot of the epoch, {identity}) for each operator identity",
        ),
        table_spec(
            "blocks",
            ["provider", "slot"],
            [
                ("slot", "bigint"),
                ("epoch", "bigint", "request context"),
                ("status", "text", "`produced` or `skipped`"),
                ("block_time", "bigint", "unix seconds"),
                ("block_height", "bigint"),
                ("blockhash", "text"),
                ("previous_blockhash", "text"),
                ("parent_slot", "bigint"),
                ("num_reward_partitions", "bigint"),
                ("error_code", "bigint", "of a skipped slot"),
                ("error_message", "text"),
            ],
            source=(
                "getBlock on each operator leader slot (rewards true, transactionDetails none); "
                "skipped slots (-32007, -32009) recorded with status `skipped`"
            ),
        ),
        table_spec(
            "block_rewards",
            ["provider", "slot", "reward_index"],
            [
                ("slot", "bigint"),
                ("reward_index", "bigint", "position in `rewards[]`"),
                ("pubkey", "text"),
                ("lamports", "amount", "may be < 0"),
                ("post_balance", "amount"),
                ("reward_type", "text", "as delivered, e.g. `Fee`"),
                ("commission", "bigint"),
                ("commission_bps", "bigint"),
            ],
            source="getBlock `rewards[]`",
        ),
        table_spec(
            "block_times",
            ["provider", "slot"],
            [
                ("slot", "bigint"),
                ("block_time", "bigint"),
                ("is_skipped", "bool"),
                ("error_code", "bigint"),
            ],
            source=(
                "getBlockTime probes from the first slot of epochs E and E+1 until the first "
                "produced slot (period boundaries)"
            ),
        ),
        table_spec(
            "inflation_rewards",
            ["provider", "epoch", "address"],
            [
                ("epoch", "bigint", "requested"),
                ("address", "text"),
                ("address_kind", "text", "`vote` or `stake`"),
                ("vote_account", "text", "the validator the address belongs to"),
                ("is_null", "bool", "the provider answered null"),
                ("amount", "amount"),
                ("post_balance", "amount"),
                ("effective_slot", "bigint"),
                ("reward_epoch", "bigint", "as delivered"),
                ("commission", "bigint"),
                ("commission_bps", "bigint"),
            ],
            source=(
                "getInflationReward(addresses batched, {epoch}) for the operator's vote accounts "
                "and their stake accounts"
            ),
        ),
        table_spec(
            "stake_accounts",
            ["provider", "snapshot_epoch", "stake_pubkey"],
            [
                ("snapshot_epoch", "bigint"),
                ("stake_pubkey", "text"),
                ("vote_account", "text", "the delegation's voter"),
                ("account_type", "text", "`delegated`..."),
                ("staker", "text"),
                ("withdrawer", "text"),
                ("delegated_stake", "amount"),
                ("activation_epoch", "amount"),
                ("deactivation_epoch", "amount", "u64::MAX = not deactivating"),
                ("lamports", "amount"),
                ("rent_exempt_reserve", "amount"),
                ("credits_observed", "amount"),
            ],
            source="getProgramAccounts(stake program, jsonParsed, memcmp offset 124 = vote account)",
        ),
        table_spec(
            "vote_signatures",
            ["provider", "vote_account", "signature"],
            [
                ("vote_account", "text"),
                ("signature", "text"),
                ("slot", "bigint"),
                ("block_time", "bigint"),
                ("is_failed", "bool"),
                ("err", "text", "JSON"),
                ("confirmation_status", "text"),
                ("epoch", "bigint", "request context"),
            ],
            source=(
                "getSignaturesForAddress(vote account, before/until paging) over the slots of "
                "the epochs of the chunk"
            ),
        ),
        table_spec(
            "kobe_validators",
            ["provider", "epoch", "vote_account"],
            [
                ("epoch", "bigint"),
                ("vote_account", "text"),
                ("identity_account", "text"),
                ("mev_commission_bps", "bigint"),
                ("mev_rewards", "amount"),
                ("priority_fee_commission_bps", "bigint"),
                ("priority_fee_rewards", "amount"),
                ("running_jito", "bool"),
                ("running_bam", "bool"),
                ("active_stake", "amount"),
            ],
            source='Kobe POST /api/v1/validators {"epoch": E}, only the operator\'s vote accounts',
        ),
        table_spec(
            "kobe_validator_rewards",
            ["provider", "epoch", "vote_account"],
            [
                ("epoch", "bigint"),
                ("vote_account", "text"),
                ("mev_revenue", "amount"),
                ("mev_commission", "bigint", "bps"),
                ("priority_fee_revenue", "amount"),
                ("priority_fee_commission", "bigint"),
                ("num_stakers", "bigint"),
                ("claim_status_account", "text"),
            ],
            source="Kobe GET /api/v1/validator_rewards?vote_account=V&epoch=E",
        ),
        table_spec(
            "kobe_epochs",
            ["provider", "epoch"],
            [
                ("epoch", "bigint"),
                ("is_published", "bool", "Kobe returned data for the epoch"),
                ("validator_count", "bigint"),
            ],
            source="Kobe POST /api/v1/validators, one row per requested epoch",
        ),
        table_spec(
            "ingestion_runs",
            ["ingestion_run_id", "epoch"],
            [
                ("ingestion_run_id", "text"),
                ("chain", "text"),
                ("epoch", "bigint"),
                ("status", "text", "`complete`"),
                ("scope", "text", "`full`, or `mev`: a Kobe-only re-ingest"),
                ("started_at", "timestamp", "the chunk's fetch"),
                ("finished_at", "timestamp"),
                ("request_count", "bigint"),
                ("aurora_version", "text"),
            ],
            source=(
                "written in the same load as the epoch's data, one row per epoch of the chunk; "
                "its provider, method, request_id and response_sha256 are null"
            ),
        ),
        STAGING_PAYLOADS,
    ]
}

# RAW_TABLES.md: what holds for the Solana tables beyond the rules of every raw table.
DOC = """\
The period is the epoch. Both providers, Solana JSON-RPC and Jito Kobe, load into `raw_solana`.

- Loads: a run ingests its epochs in chunks of at most {chunk_epochs} epochs, fewer when the rows
  an epoch is estimated to hold (from the operator's stake accounts and the slots of an epoch)
  would exceed {chunk_rows:,} in one chunk. A chunk is fetched whole, then loaded in ONE dlt load
  together with its `ingestion_runs` rows and `staging_payloads`: the epochs of a chunk become
  visible together, when `_dlt_loads.status = 0`; a failed chunk leaves none of its epochs visible.
- Snapshots: the stake-account snapshot and the vote-account snapshot (identity) of an epoch are
  taken the first time the epoch is ingested and never replaced (ingestion reuses them on a
  re-ingest).
- MEV: an epoch loaded while Kobe had not published it (`kobe_epochs.is_published` false) is
  re-ingested from Kobe alone (scope `mev`) once Kobe publishes it.
"""
