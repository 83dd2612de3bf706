"""The operator's validators, from seeds/validators.csv (any chain), read strictly."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SeedError

COLUMNS = ("chain", "validator_id", "identity_pubkey", "validator_name")


@dataclass(frozen=True)
class OperatorValidator:
    validator_id: str  # the chain's validator id (Solana: the vote account)
    identity_pubkey: str
    validator_name: str


def read_operator_validators(seeds_dir: Path, chain: str = "solana") -> list[OperatorValidator]:
    """The operator's validators of ``chain`` from ``seeds_dir/validators.csv``, sorted by id."""
    path = Path(seeds_dir) / "validators.csv"
    if not path.is_file():
        raise SeedError(f"{path}: file not found (columns: {', '.join(COLUMNS)})")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise SeedError(f"{path}: missing column(s) {sorted(missing)}")
        out: list[OperatorValidator] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            if (row.get("chain") or "").strip() != chain:
                continue
            validator_id = (row.get("validator_id") or "").strip()
            if not validator_id:
                raise SeedError(f"{path}:{line}: empty validator_id")
            if validator_id in seen:
                raise SeedError(f"{path}:{line}: validator {validator_id} listed twice")
            seen.add(validator_id)
            out.append(
                OperatorValidator(
                    validator_id=validator_id,
                    identity_pubkey=(row.get("identity_pubkey") or "").strip(),
                    validator_name=(row.get("validator_name") or "").strip(),
                )
            )
    return sorted(out, key=lambda v: v.validator_id)
