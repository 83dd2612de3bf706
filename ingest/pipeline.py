"""Solana ingestion: plan the epochs, fetch them (ingest.sources.solana), load them with dlt.

- :func:`ingest_solana` loads closed epochs into the dataset ``raw_solana`` of the target's warehouse.
  ``epochs=None`` is incremental: every closed epoch from ``chains.solana.start_epoch`` not loaded yet,
  plus a Kobe-only re-ingest of loaded epochs whose MEV data Kobe had not published when they were
  loaded. Each chunk of epochs is fetched whole, then loaded in ONE dlt load together with its
  ``ingestion_runs`` rows and ``staging_payloads``: a failure leaves no half-loaded epoch visible
  (staging reads rows of completed loads only, ``_dlt_loads.status = 0``).
- :func:`load_registry` replaces the ``raw_registry`` tables from config/.

Every raw row carries ``_dlt_load_id``: arrow tables get it through
``NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID=true``, set before the first load.
DuckDB and dlt must not share a process with dbt (file lock): the CLI runs dbt as a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pyarrow as pa

from ingest.archive import ResponseArchive
from ingest.config import REPO_ROOT, AuroraConfig, registry_rows
from ingest.providers.http import Fetched, ProviderHttpClient, RetryPolicy
from ingest.providers.jito_kobe import JitoKobeClient
from ingest.providers.solana_rpc import EpochInfo, EpochNotClosed, EpochSchedule, SolanaRpcClient
from ingest.sources.solana import (
    TABLES,
    ChunkFetcher,
    EpochPlan,
    OperatorValidator,
    RawRows,
    SeedError,
    payload_row,
    read_operator_validators,
    solana_raw_source,
)
from ingest.warehouse import RAW_REGISTRY_DATASET, RAW_SOLANA_DATASET, Target, dlt_destination

CHAIN = "solana"
PIPELINE_NAME = "aurora_solana"
REGISTRY_PIPELINE_NAME = "aurora_registry"
DEFAULT_CHUNK_EPOCHS = 8
DEFAULT_MAX_CHUNK_ROWS = 500_000

ProgressCallback = Callable[[str, int, int], None]


class IngestError(Exception):
    """Ingestion cannot proceed (bad request, nothing to ingest from, a failed load)."""


@dataclass(frozen=True)
class IngestResult:
    target: str
    ingestion_run_id: str
    epochs_loaded: tuple[int, ...]  # fully ingested epochs
    mev_reingested: tuple[int, ...]  # Kobe-only re-ingests
    not_closed: tuple[int, ...]  # candidate epochs skipped: rewards still being paid
    current_epoch: int
    load_ids: tuple[str, ...]
    row_counts: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    http_attempts: int = 0
    fetch_seconds: float = 0.0
    load_seconds: float = 0.0
    elapsed_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())

    def __str__(self) -> str:
        def span(epochs: Sequence[int]) -> str:
            if not epochs:
                return "none"
            if list(epochs) == list(range(epochs[0], epochs[-1] + 1)) and len(epochs) > 2:
                return f"{epochs[0]}..{epochs[-1]}"
            return ",".join(str(e) for e in epochs)

        text = (
            f"epochs {span(self.epochs_loaded)} loaded"
            f" ({self.rows} rows, {self.requests} requests, {len(self.load_ids)} load(s),"
            f" {self.elapsed_seconds:.1f} s)"
        )
        if self.mev_reingested:
            text += f"; MEV re-ingested for {span(self.mev_reingested)}"
        if self.not_closed:
            text += f"; not closed yet: {span(self.not_closed)}"
        return text


def _aurora_version() -> str:
    try:
        from importlib.metadata import version

        return version("aurora")
    except Exception:  # not installed: running from a checkout
        return "0.0.0+checkout"


def configure_dlt_environment() -> None:
    """dlt settings Aurora depends on, fixed before any load (see module docstring)."""
    os.environ["NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID"] = "true"
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")


def default_pipelines_dir(target: Target) -> Path:
    return REPO_ROOT / "data" / "dlt_pipelines" / target


def _pipeline(target: Target, name: str, dataset: str, pipelines_dir: Path | None) -> Any:
    import dlt

    configure_dlt_environment()
    folder = Path(pipelines_dir) if pipelines_dir is not None else default_pipelines_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(folder),
        destination=dlt_destination(target),
        dataset_name=dataset,
    )


def _loader_format(target: Target) -> str | None:
    return "parquet" if target == "duckdb" else None


def _finish_pending(pipeline: Any, target: Target) -> None:
    """Complete the packages a failed previous run left behind (merge: no duplicates); if they
    cannot be completed, drop them: the epochs they held are not loaded and will be fetched again."""
    if not pipeline.has_pending_data:
        return
    try:
        pipeline.normalize(loader_file_format=_loader_format(target))
        pipeline.load()
    except Exception:
        pipeline.abort_packages()


# ----------------------------------------------------------------------- destination state
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


# ------------------------------------------------------------------------------- ingestion
def _provider_for(config: AuroraConfig, fact: str, kind: str) -> str:
    for provider_id in config.providers_for(CHAIN, fact):
        if config.provider(provider_id).kind == kind:
            return provider_id
    for provider_id, provider in sorted(config.providers.items()):
        if provider.chain == CHAIN and provider.kind == kind:
            return provider_id
    raise IngestError(f"no {kind} provider configured for {CHAIN} (fact {fact!r})")


def _make_clients(
    config: AuroraConfig,
    rpc_id: str,
    kobe_id: str,
    *,
    retry: RetryPolicy | None,
    archive: ResponseArchive | None,
) -> tuple[ProviderHttpClient, ProviderHttpClient]:
    rpc_http = ProviderHttpClient(rpc_id, config.provider(rpc_id), retry=retry, sink=archive)
    kobe_http = ProviderHttpClient(kobe_id, config.provider(kobe_id), retry=retry, sink=archive)
    return rpc_http, kobe_http


def _chunks(plans: Sequence[EpochPlan], size: int) -> list[list[EpochPlan]]:
    return [list(plans[i : i + size]) for i in range(0, len(plans), size)]


def _run_rows(
    rows: RawRows,
    run_id: str,
    epochs: Sequence[int],
    scope: str,
    counts: dict[int, int],
    started: datetime,
    finished: datetime,
) -> None:
    version = _aurora_version()
    for epoch in epochs:
        rows.add(
            "ingestion_runs",
            {
                "provider": None,
                "method": None,
                "request_id": None,
                "response_sha256": None,
                "ingestion_run_id": run_id,
                "chain": CHAIN,
                "epoch": epoch,
                "status": "complete",
                "scope": scope,
                "started_at": started,
                "finished_at": finished,
                "request_count": counts.get(epoch, 0),
                "aurora_version": version,
            },
        )


def ingest_solana(
    target: Target,
    epochs: list[int] | None,
    config: AuroraConfig,
    *,
    seeds_dir: Path | None = None,
    pipelines_dir: Path | None = None,
    archive_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    chunk_epochs: int = DEFAULT_CHUNK_EPOCHS,
    max_chunk_rows: int = DEFAULT_MAX_CHUNK_ROWS,
    retry: RetryPolicy | None = None,
) -> IngestResult:
    """Ingest closed Solana epochs into ``raw_solana`` on ``target`` (see module docstring).

    ``epochs``: the epochs to (re-)ingest, or None for incremental. An explicit epoch that is not
    closed raises :class:`EpochNotClosed`. ``progress(stage, done, total)`` is called with stages
    ``plan``, ``requests``, ``epochs`` and ``load``. A chunk (fetched whole, then loaded at once)
    holds at most ``chunk_epochs`` epochs, fewer when the estimated rows of an epoch (from the
    operator's stake accounts) would exceed ``max_chunk_rows`` in one chunk. ``retry`` overrides
    the backoff schedule (tests); ``archive_dir`` archives every response for ``aurora replay``.
    """
    started = time.monotonic()
    if chunk_epochs < 1:
        raise IngestError("chunk_epochs must be >= 1")
    try:
        validators = read_operator_validators(Path(seeds_dir) if seeds_dir else REPO_ROOT / "seeds")
    except SeedError as exc:
        raise IngestError(str(exc)) from None
    if not validators:
        raise IngestError(
            f"no {CHAIN} validator in {seeds_dir or REPO_ROOT / 'seeds'}/validators.csv"
        )
    rpc_id = _provider_for(config, "inflation_rewards", "solana_json_rpc")
    kobe_id = _provider_for(config, "mev", "jito_kobe")
    pipeline = _pipeline(target, PIPELINE_NAME, RAW_SOLANA_DATASET, pipelines_dir)
    _finish_pending(pipeline, target)
    archive = ResponseArchive(archive_dir) if archive_dir is not None else None
    run_id = uuid.uuid4().hex
    return asyncio.run(
        _ingest(
            target=target,
            epochs=epochs,
            config=config,
            validators=validators,
            rpc_id=rpc_id,
            kobe_id=kobe_id,
            pipeline=pipeline,
            archive=archive,
            run_id=run_id,
            progress=progress,
            chunk_epochs=chunk_epochs,
            max_chunk_rows=max_chunk_rows,
            retry=retry,
            started=started,
        )
    )


async def _ingest(
    *,
    target: Target,
    epochs: list[int] | None,
    config: AuroraConfig,
    validators: list[OperatorValidator],
    rpc_id: str,
    kobe_id: str,
    pipeline: Any,
    archive: ResponseArchive | None,
    run_id: str,
    progress: ProgressCallback | None,
    chunk_epochs: int,
    max_chunk_rows: int,
    retry: RetryPolicy | None,
    started: float,
) -> IngestResult:
    rpc_http, kobe_http = _make_clients(config, rpc_id, kobe_id, retry=retry, archive=archive)
    async with rpc_http, kobe_http:
        rpc = SolanaRpcClient(rpc_http)
        kobe = JitoKobeClient(kobe_http)
        if progress:
            progress("plan", 0, 1)
        schedule: Fetched[EpochSchedule] = await rpc.get_epoch_schedule()
        info: Fetched[EpochInfo] = await rpc.get_epoch_info()
        current = info.value.epoch
        start_epoch = config.chains[CHAIN].start_epoch if CHAIN in config.chains else 0

        if epochs is not None:
            wanted = sorted(set(epochs))
            open_epochs = [e for e in wanted if e >= current]
            if open_epochs:
                raise EpochNotClosed(
                    rpc_id,
                    "getEpochInfo",
                    info.record.params_json,
                    open_epochs[0],
                    f"the current epoch is {current}: epochs {open_epochs} are not closed",
                )
            state = await asyncio.to_thread(read_loaded_state, pipeline, rpc_id, kobe_id, wanted)
            plans = [
                EpochPlan(e, True, state.vote_snapshots.get(e), state.stake_snapshots.get(e))
                for e in wanted
            ]
        else:
            state = await asyncio.to_thread(read_loaded_state, pipeline, rpc_id, kobe_id, None)
            candidates = [e for e in range(start_epoch, current) if e not in state.loaded_epochs]
            plans = [
                EpochPlan(e, True, state.vote_snapshots.get(e), state.stake_snapshots.get(e))
                for e in candidates
            ]
            plans += [
                EpochPlan(e, False)
                for e in sorted(state.unpublished_kobe)
                if e in state.loaded_epochs and start_epoch <= e < current
            ]
            plans.sort(key=lambda p: p.epoch)
        if progress:
            progress("plan", 1, 1)

        fetcher = ChunkFetcher(
            rpc=rpc,
            kobe=kobe,
            schedule=schedule,
            validators=validators,
            run_id=run_id,
            batch_size=config.provider(rpc_id).batch_size,
            progress=progress,
        )
        rpc_http.on_response = fetcher.on_response
        kobe_http.on_response = fetcher.on_response

        loaded: list[int] = []
        mev: list[int] = []
        not_closed: list[int] = []
        load_ids: list[str] = []
        row_counts: dict[str, int] = {}
        fetch_seconds = 0.0
        load_seconds = 0.0
        size = chunk_epochs
        t_prefetch = time.monotonic()
        if any(p.full for p in plans):
            if any(p.full and p.stake_snapshot is None for p in plans):
                accounts = await fetcher.stake_account_count()
            else:
                accounts = max(len(p.stake_snapshot or ()) for p in plans if p.full)
            per_epoch = 3 * accounts + schedule.value.slots_per_epoch * (3 + len(validators))
            size = max(1, min(chunk_epochs, max_chunk_rows // max(per_epoch, 1)))
        chunks = _chunks(plans, size)
        fetch_seconds += time.monotonic() - t_prefetch
        schedule_pending = True  # the epoch_schedule row and the run's first payloads
        done_epochs = 0
        for index, chunk in enumerate(chunks):
            t0 = time.monotonic()
            result = await fetcher.fetch_chunk(
                chunk,
                include_schedule=schedule_pending,
                skip_not_closed=epochs is None,
                epochs_total=len(plans),
                epochs_done_before=done_epochs,
            )
            done_epochs += len(chunk)
            rows = result.rows
            if schedule_pending:
                rows.add("staging_payloads", payload_row(info.record, run_id))
            _run_rows(
                rows,
                run_id,
                result.closed,
                "full",
                result.request_counts,
                result.started_at,
                result.finished_at,
            )
            _run_rows(
                rows,
                run_id,
                result.mev_only,
                "mev",
                result.request_counts,
                result.started_at,
                result.finished_at,
            )
            not_closed += result.not_closed
            fetch_seconds += time.monotonic() - t0
            if not result.closed and not result.mev_only:
                continue
            t1 = time.monotonic()
            tables = {name: rows.to_arrow(name) for name in rows.tables()}
            if progress:
                progress("load", index, len(chunks))
            load_id = await asyncio.to_thread(_load, pipeline, target, tables)
            load_seconds += time.monotonic() - t1
            load_ids.append(load_id)
            for name, table in tables.items():
                row_counts[name] = row_counts.get(name, 0) + table.num_rows
            schedule_pending = False
            fetcher.mark_loaded()
            loaded += result.closed
            mev += result.mev_only
            if progress:
                progress("load", index + 1, len(chunks))
        return IngestResult(
            target=target,
            ingestion_run_id=run_id,
            epochs_loaded=tuple(sorted(loaded)),
            mev_reingested=tuple(sorted(mev)),
            not_closed=tuple(sorted(not_closed)),
            current_epoch=current,
            load_ids=tuple(load_ids),
            row_counts=dict(sorted(row_counts.items())),
            requests=rpc_http.stats.requests + kobe_http.stats.requests,
            http_attempts=rpc_http.stats.attempts + kobe_http.stats.attempts,
            fetch_seconds=fetch_seconds,
            load_seconds=load_seconds,
            elapsed_seconds=time.monotonic() - started,
        )


def _load(pipeline: Any, target: Target, tables: dict[str, pa.Table]) -> str:
    """One dlt load for a chunk; returns its load id. Raises on any failed job."""
    info = pipeline.run(solana_raw_source(tables), loader_file_format=_loader_format(target))
    info.raise_on_failed_jobs()
    ids = list(info.loads_ids)
    if len(ids) != 1:
        raise IngestError(f"expected one dlt load for the chunk, got {ids}")
    return str(ids[0])


# -------------------------------------------------------------------------------- registry
_REGISTRY_COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "chains": {
        "chain": {"data_type": "text", "nullable": False},
        "native_asset": {"data_type": "text", "nullable": False},
        "decimals": {"data_type": "bigint", "nullable": False},
        "period_kind": {"data_type": "text", "nullable": False},
    },
    "providers": {
        "provider": {"data_type": "text", "nullable": False},
        "kind": {"data_type": "text", "nullable": False},
        "chain": {"data_type": "text", "nullable": False},
        "base_url": {"data_type": "text", "nullable": False},
        "rate_limit_per_second": {"data_type": "text", "nullable": False},
        "max_concurrency": {"data_type": "bigint", "nullable": False},
    },
    "chain_provider_mappings": {
        "chain": {"data_type": "text", "nullable": False},
        "fact": {"data_type": "text", "nullable": False},
        "provider": {"data_type": "text", "nullable": False},
        "precedence": {"data_type": "bigint", "nullable": False},
    },
}


def load_registry(
    target: Target, config: AuroraConfig, pipelines_dir: Path | None = None
) -> dict[str, int]:
    """Replace the ``raw_registry`` tables (chains, providers, chain_provider_mappings) with the
    rows of ``config`` (secrets excluded). Returns the row count per table."""
    import dlt

    rows = registry_rows(config)
    pipeline = _pipeline(target, REGISTRY_PIPELINE_NAME, RAW_REGISTRY_DATASET, pipelines_dir)
    _finish_pending(pipeline, target)

    @dlt.source(name="registry", max_table_nesting=0)
    def registry() -> Any:
        for name, columns in _REGISTRY_COLUMNS.items():
            yield dlt.resource(
                rows[name], name=name, write_disposition="replace", columns=cast(Any, columns)
            )

    info = pipeline.run(registry())
    info.raise_on_failed_jobs()
    return {name: len(rows[name]) for name in _REGISTRY_COLUMNS}


__all__ = [
    "TABLES",
    "IngestError",
    "IngestResult",
    "ingest_solana",
    "load_registry",
]
