"""What the warehouse already holds of Solana: loaded epochs, unpublished MEV, snapshots.

Read from completed loads only (``_dlt_loads.status = 0``), before a run plans its epochs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadedState:
    loaded_epochs: set[int] = field(default_factory=set)
    unpublished_kobe: set[int] = field(default_factory=set)
    vote_snapshots: dict[int, dict[str, str]] = field(default_factory=dict)
    stake_snapshots: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _query(pipeline: Any, sql_builder: Callable[[Callable[[str], str]], str]) -> list[Any]:
    """Rows of a query on the raw dataset; [] when the dataset or a table does not exist yet."""
    from dlt.destinations.exceptions import DatabaseUndefinedRelation

    try:
        with pipeline.sql_client() as client:
            sql = sql_builder(client.make_qualified_table_name)
            return list(client.execute_sql(sql) or [])
    except DatabaseUndefinedRelation:
        return []
    except Exception as exc:  # a missing schema surfaces differently per engine
        text = str(exc).lower()
        if "does not exist" in text or "not found" in text or "no such" in text:
            return []
        raise


def read_loaded_state(
    pipeline: Any, rpc_provider: str, kobe_provider: str, epochs: Sequence[int] | None
) -> LoadedState:
    state = LoadedState()

    def completed(q: Callable[[str], str], alias: str) -> str:
        return f"{alias}._dlt_load_id in (select load_id from {q('_dlt_loads')} where status = 0)"

    for (epoch,) in _query(
        pipeline,
        lambda q: (
            f"select distinct r.epoch from {q('ingestion_runs')} r where r.status = 'complete' "
            f"and r.scope = 'full' and {completed(q, 'r')}"
        ),
    ):
        state.loaded_epochs.add(int(epoch))
    for (epoch,) in _query(
        pipeline,
        lambda q: (
            f"select k.epoch from {q('kobe_epochs')} k where k.provider = {_quote(kobe_provider)} "
            f"and not k.is_published and {completed(q, 'k')}"
        ),
    ):
        state.unpublished_kobe.add(int(epoch))
    if epochs is not None and not epochs:
        return state
    epoch_filter = "" if epochs is None else ",".join(str(int(e)) for e in sorted(set(epochs)))

    def in_epochs(column: str) -> str:
        return "" if epochs is None else f" and {column} in ({epoch_filter})"

    for epoch, vote, node in _query(
        pipeline,
        lambda q: (
            f"select v.epoch, v.vote_pubkey, v.node_pubkey from {q('vote_accounts')} v "
            f"where v.provider = {_quote(rpc_provider)}{in_epochs('v.epoch')} "
            f"and {completed(q, 'v')}"
        ),
    ):
        state.vote_snapshots.setdefault(int(epoch), {})[str(vote)] = str(node)
    for epoch, stake, vote in _query(
        pipeline,
        lambda q: (
            f"select s.snapshot_epoch, s.stake_pubkey, s.vote_account from {q('stake_accounts')} s "
            f"where s.provider = {_quote(rpc_provider)}{in_epochs('s.snapshot_epoch')} "
            f"and {completed(q, 's')}"
        ),
    ):
        state.stake_snapshots.setdefault(int(epoch), []).append((str(stake), str(vote)))
    return state
