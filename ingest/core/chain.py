"""What a chain package gives the rest of Aurora: one :class:`Chain` record.

A chain lives in a package of its own (ingest/solana/, ingest/ethereum/) and describes itself with
a ``Chain`` in its ``chain.py``; ingest/chains.py lists them. The run sequence
(ingest/orchestrate.py), the CLI, the preflight check and the RAW_TABLES.md renderer know a chain
only through this record. A chain's periods are its own (Solana: epoch numbers, Ethereum: UTC days):
``periods`` reads them from the command line (ingest/core/periods.py) and ``ingest`` takes what it
returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ingest.config import AuroraConfig
from ingest.core.http import ProviderHttpClient
from ingest.core.periods import PeriodRange
from ingest.core.progress import ProgressCallback
from ingest.core.rawschema import TableSpec
from ingest.core.warehouse import Target

P = TypeVar("P")


class ChainIngest(Protocol[P]):
    """A chain's ingest entry point: load the closed periods not loaded yet (``periods`` None), or
    the periods given, into the chain's dataset on ``target``; the result prints as one line."""

    def __call__(
        self,
        target: Target,
        periods: list[P] | None,
        config: AuroraConfig,
        /,
        *,
        seeds_dir: Path | None = ...,
        pipelines_dir: Path | None = ...,
        archive_dir: Path | None = ...,
        progress: ProgressCallback | None = ...,
    ) -> object: ...


# One cheap request to a provider of a kind: returns when it answers, raises ProviderError if not.
Probe = Callable[[ProviderHttpClient], Awaitable[object]]


@dataclass(frozen=True)
class Chain(Generic[P]):
    name: str  # as in config/chains.yaml and seeds/validators.csv
    dataset: str  # the dlt dataset (warehouse schema) of its raw tables
    tables: Mapping[str, TableSpec]  # its raw tables, declared once
    ingest: ChainIngest[P]  # `aurora ingest <name>`
    periods: PeriodRange[P]  # `--epochs A..B` / `--days A..B`: what `ingest` takes
    probes: Mapping[str, Probe] = field(default_factory=dict)  # provider kind -> connection check
    doc: str = ""  # RAW_TABLES.md: what holds for its tables beyond the rules of every raw table
