"""The Ethereum raw tables: money columns are exact decimals, keys are sound, lineage comes first."""

from __future__ import annotations

import pyarrow as pa

from ingest.core.rawschema import LINEAGE_COLUMNS
from ingest.ethereum.schema import DATASET, TABLES

MONEY = (
    {
        ("attestation_rewards", c)
        for c in ("head", "target", "source", "inclusion_delay", "inactivity")
    }
    | {
        ("block_rewards", c)
        for c in (
            "total",
            "attestations",
            "sync_aggregate",
            "proposer_slashings",
            "attester_slashings",
        )
    }
    | {
        ("sync_committee_rewards", "reward"),
        ("validators", "balance"),
        ("validators", "effective_balance"),
        ("blocks", "base_fee_per_gas"),
        ("execution_blocks", "base_fee_per_gas"),
        ("execution_transactions", "value"),
        ("execution_transactions", "gas_price"),
        ("execution_transactions", "max_fee_per_gas"),
        ("execution_transactions", "max_priority_fee_per_gas"),
        ("execution_receipts", "effective_gas_price"),
        ("execution_receipts", "blob_gas_price"),
        ("relay_deliveries", "value"),
    }
)


def test_dataset_and_tables() -> None:
    assert DATASET == "raw_ethereum"
    assert {
        "attestation_rewards",
        "blocks",
        "relay_deliveries",
        "ingestion_runs",
        "staging_payloads",
    } <= set(TABLES)


def test_money_columns_are_decimal_38_0() -> None:
    for table, column in MONEY:
        field = TABLES[table].arrow_schema.field(column)
        assert field.type == pa.decimal128(38, 0), (table, column)
    for spec in TABLES.values():
        for name, kind in spec.columns:
            assert kind != "double", (spec.name, name)


def test_far_future_epochs_fit() -> None:
    for column in (
        "activation_eligibility_epoch",
        "activation_epoch",
        "exit_epoch",
        "withdrawable_epoch",
    ):
        assert TABLES["validators"].arrow_schema.field(column).type == pa.decimal128(38, 0)
    pa.array([2**64 - 1], type=TABLES["validators"].arrow_schema.field("exit_epoch").type)


def test_lineage_columns_first_and_keys_not_null() -> None:
    lineage = [name for name, _ in LINEAGE_COLUMNS]
    for spec in TABLES.values():
        if spec.name in ("ingestion_runs", "staging_payloads"):
            continue
        assert list(spec.column_names[: len(lineage)]) == lineage, spec.name
        for key in spec.primary_key:
            assert not spec.arrow_schema.field(key).nullable, (spec.name, key)
