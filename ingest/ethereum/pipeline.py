"""Ethereum ingestion, the chain's entry point: plan the closed UTC days, fetch each, load each.

:func:`ingest_ethereum` loads closed days into the dataset ``raw_ethereum`` of the target's
warehouse. ``days=None`` is incremental: every closed day from ``chains.ethereum.start_day`` (the
genesis day when unset) not loaded yet. A day is fetched whole (ethereum/fetch.py), then loaded in
ONE dlt load (ethereum/source.py) with its ``ingestion_runs`` row and ``staging_payloads``: a
failure leaves no half-loaded day visible.

Providers (config/providers.yaml, chain ``ethereum``; config/chains.yaml ``facts``): one beacon
node (kind ``beacon_api``, the first of fact ``consensus_rewards``), one execution client
(``ethereum_json_rpc``, the first of ``execution_fees``) and the relays (``mev_relay``, fact
``mev``, all of them, in that order).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.config import AuroraConfig
from ingest.core.archive import ResponseArchive
from ingest.core.destination import dlt_pipeline, finish_pending, load, read_dataset
from ingest.core.http import Fetched, ProviderHttpClient, ResponseRecord, RetryPolicy
from ingest.core.progress import ProgressCallback
from ingest.core.rows import aurora_version, lineage, payload_row
from ingest.core.seeds import read_operator_validators
from ingest.core.warehouse import Target
from ingest.env import REPO_ROOT
from ingest.errors import IngestError, SeedError
from ingest.ethereum import beacon, execution, relay
from ingest.ethereum.beacon import BeaconClient
from ingest.ethereum.execution import ExecutionClient
from ingest.ethereum.fetch import DayFetcher, DayResult
from ingest.ethereum.payloads import (
    ChainSpecResponse,
    FinalityCheckpointsResponse,
    GenesisResponse,
)
from ingest.ethereum.relay import RelayClient
from ingest.ethereum.schema import CHAIN, DATASET, PIPELINE_NAME
from ingest.ethereum.source import ethereum_raw_source
from ingest.ethereum.timing import BeaconTiming


@dataclass(frozen=True)
class IngestResult:
    target: str
    ingestion_run_id: str
    days_loaded: tuple[date, ...]
    finalized_epoch: int
    load_ids: tuple[str, ...]
    row_counts: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    http_attempts: int = 0
    elapsed_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())

    def __str__(self) -> str:
        days = ", ".join(d.isoformat() for d in self.days_loaded) or "none"
        return (
            f"days {days} loaded ({self.rows} rows, {self.requests} requests, "
            f"{len(self.load_ids)} load(s), {self.elapsed_seconds:.1f} s)"
        )


@dataclass(frozen=True)
class Providers:
    beacon: str
    execution: str
    relays: tuple[str, ...]

    @classmethod
    def configured(cls, config: AuroraConfig) -> Providers:
        return cls(
            beacon=_providers_for(config, "consensus_rewards", beacon.PROVIDER_KIND)[0],
            execution=_providers_for(config, "execution_fees", execution.PROVIDER_KIND)[0],
            relays=tuple(_providers_for(config, "mev", relay.PROVIDER_KIND, required=False)),
        )


def _providers_for(
    config: AuroraConfig, fact: str, kind: str, *, required: bool = True
) -> list[str]:
    listed = [pid for pid in config.providers_for(CHAIN, fact) if config.provider(pid).kind == kind]
    if not listed:
        listed = sorted(
            pid for pid, p in config.providers.items() if p.chain == CHAIN and p.kind == kind
        )
    if required and not listed:
        raise IngestError(f"no {kind} provider configured for {CHAIN} (fact {fact!r})")
    return listed


def operator_indices(seeds_dir: Path) -> list[int]:
    """The operator's validator indices (seeds/validators.csv, chain ``ethereum``)."""
    try:
        validators = read_operator_validators(seeds_dir, CHAIN)
    except SeedError as exc:
        raise IngestError(str(exc)) from None
    if not validators:
        raise IngestError(f"no {CHAIN} validator in {seeds_dir}/validators.csv")
    bad = [v.validator_id for v in validators if not v.validator_id.isdigit()]
    if bad:
        raise IngestError(
            f"{seeds_dir}/validators.csv: an {CHAIN} validator_id is a validator index in "
            f"decimal digits, got {bad[:5]}"
        )
    return sorted(int(v.validator_id) for v in validators)


def ingest_ethereum(
    target: Target,
    days: Sequence[date] | None,
    config: AuroraConfig,
    *,
    seeds_dir: Path | None = None,
    pipelines_dir: Path | None = None,
    archive_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    retry: RetryPolicy | None = None,
) -> IngestResult:
    """Ingest closed Ethereum days into ``raw_ethereum`` on ``target`` (see module docstring).

    ``days``: the days to (re-)ingest, each closed (else :class:`IngestError`), or None for
    incremental. ``progress(stage, done, total)`` is called with stages ``plan``, ``requests`` and
    ``days``. ``retry`` overrides the backoff schedule (tests); ``archive_dir`` archives every
    response for ``aurora replay``; ``pipelines_dir``: dlt's working folder.
    """
    started = time.monotonic()
    validators = operator_indices(Path(seeds_dir) if seeds_dir else REPO_ROOT / "seeds")
    providers = Providers.configured(config)
    pipeline = dlt_pipeline(target, PIPELINE_NAME, DATASET, pipelines_dir)
    finish_pending(pipeline, target)
    archive = ResponseArchive(archive_dir) if archive_dir is not None else None
    chain = config.chains.get(CHAIN)
    start_day = chain.start_day if chain is not None else None
    return asyncio.run(
        _run(
            target,
            None if days is None else sorted(set(days)),
            config,
            validators,
            providers,
            pipeline,
            start_day=start_day,
            retry=retry,
            archive=archive,
            progress=progress,
            started=started,
        )
    )


def loaded_days(pipeline: Any) -> set[date]:
    with read_dataset(pipeline) as ds:
        rows = ds.completed_rows("ingestion_runs", "distinct t.period_id", "t.status = 'complete'")
    return {date.fromisoformat(str(day)) for (day,) in rows}


async def _run(
    target: Target,
    days: list[date] | None,
    config: AuroraConfig,
    validators: list[int],
    providers: Providers,
    pipeline: Any,
    *,
    start_day: date | None,
    retry: RetryPolicy | None,
    archive: ResponseArchive | None,
    progress: ProgressCallback | None,
    started: float,
) -> IngestResult:
    run_id = uuid.uuid4().hex

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    def http(provider_id: str) -> ProviderHttpClient:
        return ProviderHttpClient(
            provider_id, config.provider(provider_id), retry=retry, sink=archive
        )

    clients = [http(providers.beacon), http(providers.execution)]
    relay_https = {pid: http(pid) for pid in providers.relays}
    clients += list(relay_https.values())
    try:
        report("plan", 0, 1)
        beacon_client = BeaconClient(clients[0])
        genesis = await beacon_client.genesis()
        spec = await beacon_client.spec()
        finality = await beacon_client.finality_checkpoints("head")
        timing = BeaconTiming.of(genesis.value.data, spec.value.data)
        finalized = finality.value.data.finalized.epoch
        plan = await _plan(days, timing, finalized, start_day, pipeline, providers.beacon)
        fetcher = DayFetcher(
            beacon=beacon_client,
            execution=ExecutionClient(clients[1]),
            relays={pid: RelayClient(h) for pid, h in relay_https.items()},
            timing=timing,
            spec=spec.value.data,
            validators=validators,
            run_id=run_id,
            batch_size=config.provider(providers.beacon).batch_size,
        )
        report("plan", 1, 1)

        def on_response(record: ResponseRecord) -> None:
            fetcher.on_response(record)
            report("requests", len(fetcher.records), len(fetcher.records))

        for client in clients:
            client.on_response = on_response
        load_ids: list[str] = []
        counts: dict[str, int] = {}
        loaded: list[date] = []
        report("days", 0, len(plan))
        for index, day in enumerate(plan):
            result = await fetcher.fetch_day(day)
            if index == 0:
                _add_chain_rows(result, genesis, spec, finality, run_id)
            _add_run_row(result, run_id)
            tables = result.rows.to_arrow_tables()
            load_ids.append(await asyncio.to_thread(_load_day, pipeline, target, tables))
            for name, table in tables.items():
                counts[name] = counts.get(name, 0) + table.num_rows
            loaded.append(day)
            report("days", len(loaded), len(plan))
        return IngestResult(
            target=target,
            ingestion_run_id=run_id,
            days_loaded=tuple(loaded),
            finalized_epoch=finalized,
            load_ids=tuple(load_ids),
            row_counts=dict(sorted(counts.items())),
            requests=sum(c.stats.requests for c in clients),
            http_attempts=sum(c.stats.attempts for c in clients),
            elapsed_seconds=time.monotonic() - started,
        )
    finally:
        for client in clients:
            await client.aclose()


async def _plan(
    days: list[date] | None,
    timing: BeaconTiming,
    finalized: int,
    start_day: date | None,
    pipeline: Any,
    provider: str,
) -> list[date]:
    if days is not None:
        open_days = [d for d in days if not timing.is_day_closed(d, finalized)]
        if open_days:
            raise IngestError(
                f"{CHAIN} day {open_days[0]} is not closed: provider {provider!r} reports the "
                f"finalized epoch {finalized}, a day closes when it reaches the day's last "
                "epoch + 2"
            )
        return days
    first = start_day or timing.day_of_epoch(0)
    done = await asyncio.to_thread(loaded_days, pipeline)
    out = []
    day = first
    while timing.is_day_closed(day, finalized):
        if day not in done:
            out.append(day)
        day += timedelta(days=1)
    return out


def _add_chain_rows(
    result: DayResult,
    genesis: Fetched[GenesisResponse],
    spec: Fetched[ChainSpecResponse],
    finality: Fetched[FinalityCheckpointsResponse],
    run_id: str,
) -> None:
    """The genesis, spec and finality rows (and payloads) go with the run's first load."""
    rows = result.rows
    g = genesis.value.data
    s = spec.value.data
    f = finality.value.data
    rows.add(
        "beacon_genesis",
        {
            **lineage(genesis.record, run_id),
            "genesis_time": g.genesis_time,
            "genesis_validators_root": g.genesis_validators_root,
            "genesis_fork_version": g.genesis_fork_version,
        },
    )
    rows.add(
        "beacon_spec",
        {
            **lineage(spec.record, run_id),
            "seconds_per_slot": s.seconds_per_slot,
            "slot_duration_ms": s.slot_ms,
            "slots_per_epoch": s.slots_per_epoch,
            "epochs_per_sync_committee_period": s.epochs_per_sync_committee_period,
            "sync_committee_size": s.sync_committee_size,
        },
    )
    rows.add(
        "finality_checkpoints",
        {
            **lineage(finality.record, run_id),
            "state_id": "head",
            "finalized_epoch": f.finalized.epoch,
            "finalized_root": f.finalized.root,
            "current_justified_epoch": f.current_justified.epoch,
            "previous_justified_epoch": f.previous_justified.epoch,
        },
    )
    for record in (genesis.record, spec.record, finality.record):
        rows.add("staging_payloads", payload_row(record, run_id))


def _add_run_row(result: DayResult, run_id: str) -> None:
    result.rows.add(
        "ingestion_runs",
        {
            "provider": None,
            "method": None,
            "request_id": None,
            "response_sha256": None,
            "ingestion_run_id": run_id,
            "chain": CHAIN,
            "period_id": result.day.isoformat(),
            "first_epoch": result.first_epoch,
            "last_epoch": result.last_epoch,
            "status": "complete",
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "request_count": result.request_count,
            "aurora_version": aurora_version(),
        },
    )


def _load_day(pipeline: Any, target: Target, tables: dict[str, pa.Table]) -> str:
    return load(pipeline, target, ethereum_raw_source(tables))
