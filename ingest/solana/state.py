"""What the warehouse already holds of Solana: loaded epochs, unpublished MEV, snapshots.

Read from completed loads only (``_dlt_loads.status = 0``), before a run plans its epochs, through
the one reader of a dataset (``core.destination.read_dataset``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.core.destination import read_dataset


@dataclass
class LoadedState:
    loaded_epochs: set[int] = field(default_factory=set)  # fully ingested (scope `full`)
    unpublished_kobe: set[int] = field(default_factory=set)  # loaded before Kobe published them
    vote_snapshots: dict[int, dict[str, str]] = field(default_factory=dict)  # vote -> identity
    stake_snapshots: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # (stake, vote)


def read_loaded_state(
    pipeline: Any, rpc_provider: str, kobe_provider: str, epochs: Sequence[int] | None
) -> LoadedState:
    """The state of the raw dataset of ``pipeline``; snapshots of ``epochs`` only (None: all)."""
    state = LoadedState()
    with read_dataset(pipeline) as ds:
        for (epoch,) in ds.completed_rows(
            "ingestion_runs", "distinct t.epoch", "t.status = 'complete' and t.scope = 'full'"
        ):
            state.loaded_epochs.add(int(epoch))
        for (epoch,) in ds.completed_rows(
            "kobe_epochs", "t.epoch", "t.provider = %s and not t.is_published", kobe_provider
        ):
            state.unpublished_kobe.add(int(epoch))
        if epochs is not None and not epochs:
            return state
        listed = ",".join(str(int(e)) for e in sorted(set(epochs or ())))

        def in_epochs(column: str) -> str:
            return "" if epochs is None else f" and {column} in ({listed})"

        for epoch, vote, node in ds.completed_rows(
            "vote_accounts",
            "t.epoch, t.vote_pubkey, t.node_pubkey",
            f"t.provider = %s{in_epochs('t.epoch')}",
            rpc_provider,
        ):
            state.vote_snapshots.setdefault(int(epoch), {})[str(vote)] = str(node)
        for epoch, stake, vote in ds.completed_rows(
            "stake_accounts",
            "t.snapshot_epoch, t.stake_pubkey, t.vote_account",
            f"t.provider = %s{in_epochs('t.snapshot_epoch')}",
            rpc_provider,
        ):
            state.stake_snapshots.setdefault(int(epoch), []).append((str(stake), str(vote)))
    return state
