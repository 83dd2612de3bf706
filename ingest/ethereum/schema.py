"""The Ethereum raw tables, declared once: columns, kinds, primary keys, and what each holds.

Everything else follows from :data:`TABLES` (the arrow schemas and dlt hints of the loads in
ingest/ethereum/source.py, the rows' completeness check); kinds: see ingest/core/rawschema.py.
Consensus amounts are gwei and execution amounts wei, both ``amount`` (decimal(38,0)): staging
multiplies gwei by 10^9. Epoch fields of the validator registry are ``amount`` too: their
FAR_FUTURE_EPOCH (2^64-1) does not fit a bigint.
"""

from __future__ import annotations

from ingest.core.rawschema import STAGING_PAYLOADS, TableSpec, table_spec

CHAIN = "ethereum"
DATASET = "raw_ethereum"  # the dlt dataset (a schema in the warehouse)
SOURCE_NAME = "ethereum_raw"  # the dlt source, and the name of its dlt schema
PIPELINE_NAME = "aurora_ethereum"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        table_spec(
            "beacon_genesis",
            ["provider"],
            [
                ("genesis_time", "bigint", "unix seconds"),
                ("genesis_validators_root", "text"),
                ("genesis_fork_version", "text"),
            ],
            source="GET /eth/v1/beacon/genesis",
        ),
        table_spec(
            "beacon_spec",
            ["provider"],
            [
                ("seconds_per_slot", "bigint", "SECONDS_PER_SLOT, when the node sends it"),
                ("slot_duration_ms", "bigint", "SLOT_DURATION_MS, or SECONDS_PER_SLOT x 1000"),
                ("slots_per_epoch", "bigint"),
                ("epochs_per_sync_committee_period", "bigint"),
                ("sync_committee_size", "bigint"),
            ],
            source="GET /eth/v1/config/spec (the values periods need; the body keeps all)",
        ),
        table_spec(
            "finality_checkpoints",
            ["provider", "ingestion_run_id"],
            [
                ("state_id", "text"),
                ("finalized_epoch", "bigint"),
                ("finalized_root", "text"),
                ("current_justified_epoch", "bigint"),
                ("previous_justified_epoch", "bigint"),
            ],
            source="GET /eth/v1/beacon/states/head/finality_checkpoints, once per run",
        ),
        table_spec(
            "proposer_duties",
            ["provider", "slot"],
            [
                ("epoch", "bigint"),
                ("slot", "bigint"),
                ("validator_index", "bigint"),
                ("pubkey", "text", "lowercase 0x hex"),
                ("dependent_root", "text"),
            ],
            source=(
                "GET /eth/v1/validator/duties/proposer/{epoch} for each epoch of a day, only "
                "the operator's validators' duties"
            ),
        ),
        table_spec(
            "attestation_rewards",
            ["provider", "epoch", "validator_index"],
            [
                ("epoch", "bigint", "requested"),
                ("validator_index", "bigint"),
                ("head", "amount", "gwei"),
                ("target", "amount", "gwei, negative for a missed target"),
                ("source", "amount", "gwei, negative for a missed source"),
                ("inclusion_delay", "amount", "gwei; phase0 only, else null"),
                ("inactivity", "amount", "gwei, <= 0"),
                ("is_finalized", "bool", "the answer's `finalized`"),
                ("is_execution_optimistic", "bool"),
            ],
            source=(
                "POST /eth/v1/beacon/rewards/attestations/{epoch}, the operator's indices as the "
                "body (batched); a validator without duties in the epoch has no row"
            ),
        ),
        table_spec(
            "blocks",
            ["provider", "slot"],
            [
                ("epoch", "bigint"),
                ("slot", "bigint"),
                ("proposer_index", "bigint", "the duty's validator"),
                ("status", "text", "`proposed`, or `missed` (HTTP 404: no block in the slot)"),
                (
                    "error_message",
                    "text",
                    "the 404 message of a missed slot (the 404 answer is the row's payload)",
                ),
                ("consensus_version", "text", "the answer's `version`"),
                ("parent_root", "text"),
                ("state_root", "text"),
                ("execution_block_number", "bigint"),
                ("execution_block_hash", "text"),
                ("fee_recipient", "text", "the execution payload's, lowercase"),
                ("base_fee_per_gas", "amount", "wei"),
                ("gas_used", "bigint"),
                ("gas_limit", "bigint"),
                ("execution_timestamp", "bigint"),
                ("transaction_count", "bigint"),
                ("is_finalized", "bool"),
            ],
            source=(
                "GET /eth/v2/beacon/blocks/{slot} for each of the operator's proposal slots; a "
                "missed slot's row has a null response_sha256"
            ),
        ),
        table_spec(
            "block_rewards",
            ["provider", "slot"],
            [
                ("slot", "bigint"),
                ("proposer_index", "bigint"),
                ("total", "amount", "gwei: the sum of the four parts"),
                ("attestations", "amount", "gwei"),
                ("sync_aggregate", "amount", "gwei"),
                ("proposer_slashings", "amount", "gwei (whistleblower rewards)"),
                ("attester_slashings", "amount", "gwei"),
                ("is_finalized", "bool"),
            ],
            source="GET /eth/v1/beacon/rewards/blocks/{slot} for each proposed operator block",
        ),
        table_spec(
            "sync_committee_members",
            ["provider", "sync_period", "epoch", "position"],
            [
                ("sync_period", "bigint"),
                (
                    "epoch",
                    "bigint",
                    "requested: the day's first epoch in the period (a period two days touch is "
                    "read by each, so re-ingesting one day leaves the other's row alone)",
                ),
                ("state_id", "text", "a state inside the period"),
                ("position", "bigint", "in the committee (a validator may hold two)"),
                ("validator_index", "bigint"),
            ],
            source=(
                "GET /eth/v1/beacon/states/{state}/sync_committees?epoch=e for each period a day "
                "touches, only the operator's members"
            ),
        ),
        table_spec(
            "sync_committee_rewards",
            ["provider", "slot", "validator_index"],
            [
                ("epoch", "bigint"),
                ("slot", "bigint"),
                ("validator_index", "bigint"),
                ("reward", "amount", "gwei, negative when the member did not sign"),
                ("is_finalized", "bool"),
            ],
            source=(
                "POST /eth/v1/beacon/rewards/sync_committee/{slot} with the operator's members, "
                "for each slot of a day while one is a member"
            ),
        ),
        table_spec(
            "sync_committee_slots",
            ["provider", "slot"],
            [
                ("epoch", "bigint"),
                ("slot", "bigint"),
                ("has_block", "bool", "false: HTTP 404, the slot pays no sync reward"),
                ("member_count", "bigint", "operator members asked"),
            ],
            source="every slot whose sync-committee rewards were asked",
        ),
        table_spec(
            "validators",
            ["provider", "state_slot", "validator_index"],
            [
                ("period_id", "text", "the day whose state this is (YYYY-MM-DD)"),
                ("state_slot", "bigint", "the first slot of the day's last epoch"),
                ("validator_index", "bigint"),
                ("pubkey", "text", "lowercase 0x hex"),
                ("status", "text"),
                ("balance", "amount", "gwei"),
                ("effective_balance", "amount", "gwei"),
                ("slashed", "bool"),
                ("withdrawal_credentials", "text"),
                ("activation_eligibility_epoch", "amount"),
                ("activation_epoch", "amount"),
                ("exit_epoch", "amount", "FAR_FUTURE_EPOCH = 2^64-1"),
                ("withdrawable_epoch", "amount"),
            ],
            source=(
                "GET /eth/v1/beacon/states/{state_slot}/validators?id=... (at most 64 ids a "
                "request), the operator's validators; one absent from the state has no row"
            ),
        ),
        table_spec(
            "execution_blocks",
            ["provider", "block_number"],
            [
                ("slot", "bigint", "request context: the beacon block's slot"),
                ("block_number", "bigint"),
                ("block_hash", "text"),
                ("parent_hash", "text"),
                ("miner", "text", "the fee recipient, lowercase"),
                ("base_fee_per_gas", "amount", "wei"),
                ("gas_used", "bigint"),
                ("gas_limit", "bigint"),
                ("timestamp", "bigint"),
                ("blob_gas_used", "bigint"),
                ("transaction_count", "bigint"),
            ],
            source="eth_getBlockByNumber(n, true) for each proposed operator block",
        ),
        table_spec(
            "execution_transactions",
            ["provider", "block_number", "transaction_index"],
            [
                ("block_number", "bigint"),
                ("transaction_index", "bigint"),
                ("transaction_hash", "text"),
                ("from_address", "text"),
                ("to_address", "text", "null for a contract creation"),
                ("value", "amount", "wei"),
                ("type", "bigint"),
                ("gas", "bigint"),
                ("gas_price", "amount", "wei"),
                ("max_fee_per_gas", "amount", "wei"),
                ("max_priority_fee_per_gas", "amount", "wei"),
                ("is_last", "bool", "the block's last transaction (a builder's payment)"),
            ],
            source="eth_getBlockByNumber(n, true) `transactions[]`",
        ),
        table_spec(
            "execution_receipts",
            ["provider", "block_number", "transaction_index"],
            [
                ("block_number", "bigint"),
                ("transaction_index", "bigint"),
                ("transaction_hash", "text"),
                ("block_hash", "text"),
                ("from_address", "text"),
                ("to_address", "text"),
                ("status", "bigint", "1 success, 0 failed"),
                ("gas_used", "bigint"),
                ("cumulative_gas_used", "bigint"),
                ("effective_gas_price", "amount", "wei per gas"),
                ("type", "bigint"),
                ("blob_gas_used", "bigint"),
                ("blob_gas_price", "amount", "wei (blob fees are burned)"),
                ("contract_address", "text"),
            ],
            source="eth_getBlockReceipts(n) for each proposed operator block",
        ),
        table_spec(
            "relay_deliveries",
            ["provider", "slot", "block_hash"],
            [
                ("slot", "bigint"),
                ("block_hash", "text"),
                ("block_number", "bigint"),
                ("parent_hash", "text"),
                ("builder_pubkey", "text"),
                ("proposer_pubkey", "text"),
                ("proposer_fee_recipient", "text", "lowercased (relays send EIP-55)"),
                ("gas_limit", "bigint"),
                ("gas_used", "bigint"),
                ("value", "amount", "wei: the relay's claim"),
                ("num_tx", "bigint"),
            ],
            source=(
                "GET /relay/v1/data/bidtraces/proposer_payload_delivered?slot=S of each configured "
                "relay (the provider) for each of the operator's proposal slots, missed ones too"
            ),
        ),
        table_spec(
            "relay_queries",
            ["provider", "slot"],
            [
                ("slot", "bigint"),
                ("delivered_count", "bigint", "entries the relay answered (0: none)"),
            ],
            source="every (relay, slot) asked",
        ),
        table_spec(
            "ingestion_runs",
            ["ingestion_run_id", "period_id"],
            [
                ("ingestion_run_id", "text"),
                ("chain", "text"),
                ("period_id", "text", "the UTC day, YYYY-MM-DD"),
                ("first_epoch", "bigint"),
                ("last_epoch", "bigint"),
                ("status", "text", "`complete`"),
                ("started_at", "timestamp", "the day's fetch"),
                ("finished_at", "timestamp"),
                ("request_count", "bigint"),
                ("aurora_version", "text"),
            ],
            source=(
                "written in the same load as the day's data; its provider, method, request_id "
                "and response_sha256 are null"
            ),
        ),
        STAGING_PAYLOADS,
    ]
}

# RAW_TABLES.md: what holds for the Ethereum tables beyond the rules of every raw table.
DOC = """\
The period is the UTC day: day D holds the epochs whose first slot starts in [D, D+1) UTC, and
only closed days are ingested (finalized epoch >= D's last epoch + 2). The beacon node, the
execution client and each relay are providers of their own; all load into `raw_ethereum`.

- Loads: one dlt load per day, with its `ingestion_runs` row and `staging_payloads`: a day becomes
  visible whole, when `_dlt_loads.status = 0`.
- What is fetched: attestation rewards once per epoch for the operator's indices (batched); block,
  block rewards, execution block, receipts and every relay's deliveries only for the operator's
  proposal slots; sync-committee rewards only for the slots of periods where an operator validator
  is a member; the validators' state once per day.
"""
