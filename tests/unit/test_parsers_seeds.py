"""seeds/validators.csv: the operator's validators, read strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import load_config
from ingest.core.seeds import read_operator_validators
from ingest.errors import IngestError, SeedError
from ingest.solana.pipeline import ingest_solana

HEADER = "chain,validator_id,identity_pubkey,validator_name\n"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "validators.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_reads_the_chain_rows_sorted(tmp_path: Path) -> None:
    seeds = write(
        tmp_path,
        HEADER + "solana,VoteB,IdB,b\nethereum,0xabc,,eth\nsolana, VoteA ,IdA,a\n",
    )
    validators = read_operator_validators(seeds)
    assert [(v.validator_id, v.identity_pubkey, v.validator_name) for v in validators] == [
        ("VoteA", "IdA", "a"),
        ("VoteB", "IdB", "b"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chain,validator_id\nsolana,V\n", "missing column"),
        (HEADER + "solana,V,I,a\nsolana,V,I,b\n", "listed twice"),
        (HEADER + "solana,,I,a\n", "empty validator_id"),
    ],
)
def test_bad_seed_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        read_operator_validators(write(tmp_path, text))


def test_missing_file_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"validators\.csv: file not found"):
        ingest_solana("duckdb", None, load_config(), seeds_dir=tmp_path, pipelines_dir=tmp_path)
