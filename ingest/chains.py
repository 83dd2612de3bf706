"""The chains Aurora ingests: one line per chain package (its ``chain.py`` describes it)."""

from __future__ import annotations

from typing import Any

from ingest.core.chain import Chain
from ingest.ethereum.chain import ETHEREUM
from ingest.solana.chain import SOLANA

CHAINS: dict[str, Chain[Any]] = {chain.name: chain for chain in (SOLANA, ETHEREUM)}
