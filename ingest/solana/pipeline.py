"""Solana ingestion, the chain's entry point: plan the epochs, fetch them in chunks, load each chunk.

:func:`ingest_solana` loads closed epochs into the dataset ``raw_solana`` of the target's warehouse.
``epochs=None`` is incremental: every closed epoch from ``chains.solana.start_epoch`` not loaded yet,
plus a Kobe-only re-ingest of loaded epochs whose MEV data Kobe had not published when they were
loaded. Each chunk of epochs is fetched whole (solana/fetch.py), then loaded in ONE dlt load
(solana/source.py) together with its ``ingestion_runs`` rows and ``staging_payloads``: a failure
leaves no half-loaded epoch visible (staging reads rows of completed loads only,
``_dlt_loads.status = 0``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.config import AuroraConfig
from ingest.core.archive import ResponseArchive
from ingest.core.destination import dlt_pipeline, finish_pending, load
from ingest.core.http import Fetched, ProviderHttpClient, RetryPolicy
from ingest.core.lock import warehouse_lock
from ingest.core.progress import ProgressCallback
from ingest.core.rows import RawRows, aurora_version, payload_row
from ingest.core.seeds import OperatorValidator, read_operator_validators
from ingest.core.warehouse import Target
from ingest.env import REPO_ROOT
from ingest.errors import IngestError, SeedError
from ingest.solana import kobe, rpc
from ingest.solana.fetch import ChunkFetcher, ChunkResult, EpochPlan
from ingest.solana.kobe import JitoKobeClient
from ingest.solana.rpc import EpochInfo, EpochNotClosed, EpochSchedule, SolanaRpcClient
from ingest.solana.schema import CHAIN, DATASET, PIPELINE_NAME
from ingest.solana.source import solana_raw_source
from ingest.solana.state import read_loaded_state

DEFAULT_CHUNK_EPOCHS = 8
DEFAULT_MAX_CHUNK_ROWS = 500_000


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


# ------------------------------------------------------------------------------------- job
@dataclass(frozen=True)
class ChunkLimits:
    """A chunk (fetched whole, then loaded at once) holds at most ``epochs`` epochs, fewer when the
    estimated rows of an epoch would exceed ``rows`` in one chunk."""

    epochs: int = DEFAULT_CHUNK_EPOCHS
    rows: int = DEFAULT_MAX_CHUNK_ROWS

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise IngestError("chunk_epochs must be >= 1")


@dataclass(frozen=True)
class Providers:
    """The providers a run asks: Solana JSON-RPC for the chain, Jito Kobe for MEV."""

    rpc: str
    kobe: str

    @classmethod
    def configured(cls, config: AuroraConfig) -> Providers:
        return cls(
            rpc=_provider_for(config, "inflation_rewards", rpc.PROVIDER_KIND),
            kobe=_provider_for(config, "mev", kobe.PROVIDER_KIND),
        )


@dataclass(frozen=True)
class IngestJob:
    """One run of Solana ingestion: what to ingest, from which providers, into which pipeline."""

    target: Target
    epochs: list[int] | None  # None: incremental
    config: AuroraConfig
    validators: list[OperatorValidator]
    providers: Providers
    pipeline: Any  # the dlt pipeline of raw_solana on the target
    limits: ChunkLimits = ChunkLimits()
    retry: RetryPolicy | None = None  # overrides the providers' backoff schedule (tests)
    archive: ResponseArchive | None = None  # archives every response, for `aurora replay`
    progress: ProgressCallback | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.monotonic)

    @property
    def start_epoch(self) -> int:
        chain = self.config.chains.get(CHAIN)
        return chain.start_epoch if chain is not None else 0

    def http_client(self, provider_id: str) -> ProviderHttpClient:
        provider = self.config.provider(provider_id)
        return ProviderHttpClient(provider_id, provider, retry=self.retry, sink=self.archive)

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


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
    ``plan``, ``requests``, ``epochs`` and ``load``. ``chunk_epochs`` and ``max_chunk_rows``: see
    :class:`ChunkLimits`. ``retry`` overrides the backoff schedule (tests); ``archive_dir``
    archives every response for ``aurora replay``; ``pipelines_dir``: dlt's working folder.
    """
    started = time.monotonic()
    limits = ChunkLimits(chunk_epochs, max_chunk_rows)
    validators = _operator_validators(Path(seeds_dir) if seeds_dir else REPO_ROOT / "seeds")
    providers = Providers.configured(config)
    # one writer per warehouse: the packages a crashed run left pending are completed only under
    # the lock, never those of a run still going (re-entrant: the CLI holds it already)
    with warehouse_lock(target, f"aurora ingest {CHAIN}"):
        pipeline = dlt_pipeline(target, PIPELINE_NAME, DATASET, pipelines_dir)
        finish_pending(pipeline, target)
        job = IngestJob(
            target=target,
            epochs=epochs,
            config=config,
            validators=validators,
            providers=providers,
            pipeline=pipeline,
            limits=limits,
            retry=retry,
            archive=ResponseArchive(archive_dir) if archive_dir is not None else None,
            progress=progress,
            started=started,
        )
        return asyncio.run(_run(job))


def _operator_validators(seeds_dir: Path) -> list[OperatorValidator]:
    try:
        validators = read_operator_validators(seeds_dir, CHAIN)
    except SeedError as exc:
        raise IngestError(str(exc)) from None
    if not validators:
        raise IngestError(f"no {CHAIN} validator in {seeds_dir}/validators.csv")
    return validators


def _provider_for(config: AuroraConfig, fact: str, kind: str) -> str:
    for provider_id in config.providers_for(CHAIN, fact):
        if config.provider(provider_id).kind == kind:
            return provider_id
    for provider_id, provider in sorted(config.providers.items()):
        if provider.chain == CHAIN and provider.kind == kind:
            return provider_id
    raise IngestError(f"no {kind} provider configured for {CHAIN} (fact {fact!r})")


# ------------------------------------------------------------------------------------- run
@dataclass
class _Tally:
    """What the loads of a run added up to."""

    loaded: list[int] = field(default_factory=list)
    mev: list[int] = field(default_factory=list)
    not_closed: list[int] = field(default_factory=list)
    load_ids: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    fetch_seconds: float = 0.0
    load_seconds: float = 0.0


async def _run(job: IngestJob) -> IngestResult:
    rpc_http = job.http_client(job.providers.rpc)
    kobe_http = job.http_client(job.providers.kobe)
    async with rpc_http, kobe_http:
        rpc_client = SolanaRpcClient(rpc_http)
        job.report("plan", 0, 1)
        schedule: Fetched[EpochSchedule] = await rpc_client.get_epoch_schedule()
        info: Fetched[EpochInfo] = await rpc_client.get_epoch_info()
        plans = await _plan(job, info)
        job.report("plan", 1, 1)

        fetcher = ChunkFetcher(
            rpc=rpc_client,
            kobe=JitoKobeClient(kobe_http),
            schedule=schedule,
            validators=job.validators,
            run_id=job.run_id,
            batch_size=job.config.provider(job.providers.rpc).batch_size,
            progress=job.progress,
        )
        rpc_http.on_response = fetcher.on_response
        kobe_http.on_response = fetcher.on_response
        try:
            return await _load_chunks(job, fetcher, plans, schedule, info, rpc_http, kobe_http)
        finally:
            await fetcher.aclose()


async def _load_chunks(
    job: IngestJob,
    fetcher: ChunkFetcher,
    plans: list[EpochPlan],
    schedule: Fetched[EpochSchedule],
    info: Fetched[EpochInfo],
    rpc_http: ProviderHttpClient,
    kobe_http: ProviderHttpClient,
) -> IngestResult:
    tally = _Tally()
    t_prefetch = time.monotonic()
    size = await _chunk_size(job, fetcher, plans, schedule.value)
    chunks = [plans[i : i + size] for i in range(0, len(plans), size)]
    tally.fetch_seconds += time.monotonic() - t_prefetch
    first_load = True  # the epoch_schedule row and the run's first payloads go with it
    done_epochs = 0
    for index, chunk in enumerate(chunks):
        t0 = time.monotonic()
        result = await fetcher.fetch_chunk(
            chunk,
            include_schedule=first_load,
            skip_not_closed=job.epochs is None,
            epochs_total=len(plans),
            epochs_done_before=done_epochs,
        )
        done_epochs += len(chunk)
        if first_load:
            result.rows.add("staging_payloads", payload_row(info.record, job.run_id))
        _add_run_rows(result, job.run_id)
        tally.not_closed += result.not_closed
        tally.fetch_seconds += time.monotonic() - t0
        if not result.closed and not result.mev_only:
            continue
        t1 = time.monotonic()
        tables = result.rows.to_arrow_tables()
        job.report("load", index, len(chunks))
        load_id = await asyncio.to_thread(_load_chunk, job, tables)
        tally.load_seconds += time.monotonic() - t1
        tally.load_ids.append(load_id)
        for name, table in tables.items():
            tally.row_counts[name] = tally.row_counts.get(name, 0) + table.num_rows
        first_load = False
        fetcher.mark_loaded()
        tally.loaded += result.closed
        tally.mev += result.mev_only
        job.report("load", index + 1, len(chunks))
    return IngestResult(
        target=job.target,
        ingestion_run_id=job.run_id,
        epochs_loaded=tuple(sorted(tally.loaded)),
        mev_reingested=tuple(sorted(tally.mev)),
        not_closed=tuple(sorted(tally.not_closed)),
        current_epoch=info.value.epoch,
        load_ids=tuple(tally.load_ids),
        row_counts=dict(sorted(tally.row_counts.items())),
        requests=rpc_http.stats.requests + kobe_http.stats.requests,
        http_attempts=rpc_http.stats.attempts + kobe_http.stats.attempts,
        fetch_seconds=tally.fetch_seconds,
        load_seconds=tally.load_seconds,
        elapsed_seconds=time.monotonic() - job.started,
    )


async def _plan(job: IngestJob, info: Fetched[EpochInfo]) -> list[EpochPlan]:
    """The epochs of the run: those asked for (all closed), or every closed epoch from the start
    epoch not loaded yet plus the loaded ones whose MEV Kobe had not published."""
    current = info.value.epoch
    rpc_id, kobe_id = job.providers.rpc, job.providers.kobe
    if job.epochs is not None:
        wanted = sorted(set(job.epochs))
        open_epochs = [e for e in wanted if e >= current]
        if open_epochs:
            raise EpochNotClosed(
                rpc_id,
                "getEpochInfo",
                info.record.params_json,
                open_epochs[0],
                f"the current epoch is {current}: epochs {open_epochs} are not closed",
            )
        state = await asyncio.to_thread(read_loaded_state, job.pipeline, rpc_id, kobe_id, wanted)
        return [
            EpochPlan(e, True, state.vote_snapshots.get(e), state.stake_snapshots.get(e))
            for e in wanted
        ]
    state = await asyncio.to_thread(read_loaded_state, job.pipeline, rpc_id, kobe_id, None)
    start = job.start_epoch
    plans = [
        EpochPlan(e, True, state.vote_snapshots.get(e), state.stake_snapshots.get(e))
        for e in range(start, current)
        if e not in state.loaded_epochs
    ]
    plans += [
        EpochPlan(e, False)
        for e in sorted(state.unpublished_kobe)
        if e in state.loaded_epochs and start <= e < current
    ]
    return sorted(plans, key=lambda p: p.epoch)


async def _chunk_size(
    job: IngestJob, fetcher: ChunkFetcher, plans: Sequence[EpochPlan], schedule: EpochSchedule
) -> int:
    """Epochs per chunk: the limit, fewer when an epoch's estimated rows (from the operator's stake
    accounts and the slots of an epoch) would exceed the row limit in one chunk."""
    if not any(p.full for p in plans):
        return job.limits.epochs
    if any(p.full and p.stake_snapshot is None for p in plans):
        accounts = await fetcher.stake_account_count()
    else:
        accounts = max(len(p.stake_snapshot or ()) for p in plans if p.full)
    per_epoch = 3 * accounts + schedule.slots_per_epoch * (3 + len(job.validators))
    return max(1, min(job.limits.epochs, job.limits.rows // max(per_epoch, 1)))


def _add_run_rows(result: ChunkResult, run_id: str) -> None:
    """The ``ingestion_runs`` rows of a chunk: one per epoch, in the chunk's own load."""
    version = aurora_version()
    rows: RawRows = result.rows
    for scope, epochs in (("full", result.closed), ("mev", result.mev_only)):
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
                    "started_at": result.started_at,
                    "finished_at": result.finished_at,
                    "request_count": result.request_counts.get(epoch, 0),
                    "aurora_version": version,
                },
            )


def _load_chunk(job: IngestJob, tables: dict[str, pa.Table]) -> str:
    """One dlt load for a chunk; returns its load id."""
    return load(job.pipeline, job.target, solana_raw_source(tables))
