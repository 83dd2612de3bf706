"""The chains Aurora ingests: one line per chain package (its ``chain.py`` describes it)."""

from __future__ import annotations

from ingest.core.chain import Chain
from ingest.solana.chain import SOLANA

CHAINS: dict[str, Chain] = {chain.name: chain for chain in (SOLANA,)}
