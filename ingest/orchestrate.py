"""Aurora's run sequence, written once: registry -> ingest -> build -> print.

The commands are compositions of the same steps:

- :func:`demo`: the simulator on loopback as the providers (ingest/demo.py), then :func:`run_all`;
- :func:`run`: the providers of config/providers.yaml, checked first (ingest/preflight.py), then
  :func:`run_all`;
- :func:`build`: the registry, then dbt build;
- :func:`ingest`: one chain's ingestion.

:func:`run_all` ingests every chain of ingest/chains.py that has operator validators in
seeds/validators.csv (a chain without any is skipped, with one line). Periods are per chain
(``{"solana": [epochs], "ethereum": [days]}``; a chain not named: every closed period not loaded
yet). The CLI (ingest/cli.py) parses arguments and reports errors; nothing here reads arguments, and
nothing here imports the CLI.

Every command that writes holds the warehouse lock for its whole run (ingest/core/lock.py): a second
run on the same warehouse refuses with one line naming the holder, or waits (``wait``). Every build
is recorded in ``aurora_meta.build_status`` with the build fingerprint (ingest/build_status.py):
``started`` before dbt runs, ``succeeded`` or ``failed`` after; a killed build stays ``started``, so
the export and the demo refuse a half-built or stale warehouse. The seed files are checked before
dbt reads them (ingest/core/seeds.py ``check_seed_files``).
"""

from __future__ import annotations

import contextlib
import csv
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from ingest import build_status
from ingest.build import dbt_build, summary
from ingest.chains import CHAINS
from ingest.config import AuroraConfig, load_config
from ingest.console import progress_bars
from ingest.core.chain import Chain
from ingest.core.destination import pipelines_dir
from ingest.core.lock import warehouse_lock
from ingest.core.seeds import check_seed_files, read_operator_validators
from ingest.core.warehouse import Target, duckdb_path, query
from ingest.env import REPO_ROOT
from ingest.errors import AuroraError, IngestError

Periods = Mapping[str, list[Any]]  # chain name -> its periods (Solana epochs, Ethereum days)

# ----------------------------------------------------------------------------------- steps


def load_registry_step(target: Target, config: AuroraConfig) -> None:
    from ingest.access import grant_owned_reads
    from ingest.registry import load_registry

    load_registry(target, config, pipelines_dir(target))
    grant_owned_reads(target, "loader")  # the transformer reads what the loader wrote


def chains_to_ingest(console: Any) -> list[Chain[Any]]:
    """The chains with operator validators in seeds/validators.csv; one line for each other."""
    out = []
    for chain in CHAINS.values():
        if read_operator_validators(REPO_ROOT / "seeds", chain.name):
            out.append(chain)
        else:
            console.print(
                f"skipped {chain.name}: no {chain.name} validator in seeds/validators.csv"
            )
    return out


def ingest_step(
    target: Target,
    config: AuroraConfig,
    chain: Chain[Any],
    periods: list[Any] | None,
    *,
    console: Any,
    archive_dir: Path | None = None,
) -> object:
    """Ingest ``periods`` of ``chain`` (None: every closed one not loaded yet), with progress bars."""
    progress = progress_bars(console)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"{chain.name} {stage}", total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    from ingest.access import grant_owned_reads

    with progress:
        result = chain.ingest(
            target,
            periods,
            config,
            seeds_dir=REPO_ROOT / "seeds",
            pipelines_dir=pipelines_dir(target),
            archive_dir=archive_dir,
            progress=update,
        )
    grant_owned_reads(target, "loader")  # the transformer reads what the loader wrote
    return result


def build_step(
    target: Target,
    console: Any,
    *,
    full_refresh: bool = False,
    select: Sequence[str] = (),
    command: str = "aurora build",
    allow_empty_seeds: Sequence[str] = (),
) -> str:
    """dbt build on the target, recorded in ``aurora_meta.build_status``; returns dbt's summary."""
    check_seed_files(REPO_ROOT)
    if not full_refresh:
        reshaped = reshaped_seeds(target)
        if reshaped:
            # dbt reloads an existing seed table in place and fails when the file gained or lost a
            # column: recreate just those seeds first (the build that follows rebuilds downstream)
            if console is not None:
                console.print(f"seeds with new columns, recreated: {', '.join(reshaped)}")
            dbt_build(target, console=console, full_refresh=True, select=reshaped, command="seed")
    fingerprint = build_status.current_fingerprint(target)
    build_id = build_status.record_start(
        target, fingerprint, command=command, selection=select, full_refresh=full_refresh
    )
    variables: dict[str, Any] = {}
    if allow_empty_seeds:
        variables["allow_empty_seeds"] = sorted(allow_empty_seeds)
    since = None if full_refresh or select else tests_since(target)
    if since is not None:
        variables["aurora_tests_since"] = since
    try:
        lines = dbt_build(
            target,
            console=console,
            full_refresh=full_refresh,
            select=select,
            vars=variables or None,
        )
    except BaseException as exc:
        reason = (
            exc.message if isinstance(exc, AuroraError) else f"interrupted ({type(exc).__name__})"
        )
        # if even this fails, the row stays `started`: the build still counts as not finished
        with contextlib.suppress(AuroraError):
            build_status.record_end(target, build_id, "failed", reason.splitlines()[0])
            _grant_build_status_reads(target)
        raise
    done = summary(lines)
    build_status.record_end(target, build_id, "succeeded", done)
    _grant_build_status_reads(target)
    return done


def reshaped_seeds(target: Target) -> list[str]:
    """The seeds under seeds/ whose table in the warehouse has other columns than the file's header
    (a column added or dropped since the last build); none when the warehouse is new or unreadable."""
    files = {path.stem: path for path in sorted((REPO_ROOT / "seeds").glob("*.csv"))}
    try:
        _, rows = query(
            target,
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'seeds' order by table_name, ordinal_position",
        )
    except AuroraError:
        return []
    built: dict[str, list[str]] = {}
    for table, column in rows:
        built.setdefault(str(table), []).append(str(column))
    reshaped = []
    for name, path in files.items():
        if name not in built:
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
        if [c.strip() for c in header] != built[name]:
            reshaped.append(name)
    return reshaped


def tests_since(target: Target) -> str | None:
    """When the canonical tables' tests may check only the periods a build restates
    (macros/test_scope.sql): the start (UTC) of the last build, if it was a successful complete
    one and only new loads came since (same seeds, configuration and models); else None (check
    every row). Call before recording the new build."""
    state = build_status.freshness(target)
    base = state.last
    if state.state != "stale" or base is None or base.selection or base.status != "succeeded":
        return None
    if state.current.changed(base.fingerprint) != ["loads"]:
        return None
    return base.started_at.isoformat(sep=" ")


def _grant_build_status_reads(target: Target) -> None:
    from ingest.access import grant_owned_reads

    grant_owned_reads(target, "transformer")  # finance reads the build status


def print_step(target: Target, console: Any) -> None:
    from ingest.report import print_pnl_and_statements

    build_status.require_current(target, "print the P&L and statements")
    print_pnl_and_statements(target, console)


def run_all(
    target: Target,
    console: Any,
    providers: AbstractContextManager[AuroraConfig],
    periods: Periods | None = None,
    chains: Sequence[Chain[Any]] | None = None,
    *,
    command: str = "aurora run",
    registry: AuroraConfig | None = None,
) -> None:
    """The whole sequence. ``providers`` gives the configuration while the providers serve: the
    registry is loaded and every chain (``chains``, default :func:`chains_to_ingest`) ingested
    inside it; dbt builds (skipped when nothing changed since the last successful build: a rerun
    with nothing new loaded) and the results print after. ``registry``: the configuration the
    registry records, when it is not the one the providers serve under (the demo's)."""
    with providers as config:
        load_registry_step(target, registry or config)
        for chain in chains_to_ingest(console) if chains is None else chains:
            wanted = (periods or {}).get(chain.name)
            result = ingest_step(target, config, chain, wanted, console=console)
            console.print(f"ingested {chain.name}: {result}")
    if not skip_current_build(target, console):
        console.print(f"dbt build: {build_step(target, console, command=command)}")
    print_step(target, console)


def skip_current_build(
    target: Target, console: Any, hint: str = "`aurora build --force` builds anyway"
) -> bool:
    """Whether dbt can be skipped: the last complete successful build had today's fingerprint (the
    same loads, seeds, config and models), so a build would change nothing (methodology §7: a rerun
    changes nothing). Prints one line when it skips."""
    state = build_status.freshness(target)
    if state.is_current:
        console.print(
            f"warehouse up to date (fingerprint {state.current.short}): nothing to build ({hint})"
        )
    return state.is_current


def _locked(target: Target, command: str, console: Any, wait: bool) -> AbstractContextManager[None]:
    return warehouse_lock(target, command, wait=wait, on_wait=console.print)


# -------------------------------------------------------------------------------- commands


def demo(
    target: Target, console: Any, periods: Periods | None = None, *, wait: bool = False
) -> None:
    """`aurora demo`: the whole sequence against the simulator on loopback."""
    from ingest.demo import simulated_providers

    started = time.monotonic()
    where = str(duckdb_path()) if target == "duckdb" else "PostgreSQL"
    with _locked(target, "aurora demo", console, wait):
        console.print(f"[bold]Aurora demo[/] on {target} ({where})")
        # the registry records config/ as `aurora build` loads it, not the simulators' loopback
        # URLs: their ports change with every run, and a rerun that loads nothing must change
        # nothing (the fingerprint skip)
        run_all(
            target,
            console,
            simulated_providers(console),
            periods,
            command="aurora demo",
            registry=load_config(),
        )
    console.print(f"done in {time.monotonic() - started:.1f} s")


def run(
    target: Target, console: Any, periods: Periods | None = None, *, wait: bool = False
) -> None:
    """`aurora run`: the whole sequence against the configured providers, once they answer."""
    from ingest.preflight import preflight

    config = load_config()
    chains = chains_to_ingest(console)
    names = {chain.name for chain in chains}
    # fails fast, with a clear message, when a provider of a chain to ingest cannot be reached
    preflight(config, [pid for pid, p in sorted(config.providers.items()) if p.chain in names])
    with _locked(target, "aurora run", console, wait):
        run_all(target, console, nullcontext(config), periods, chains, command="aurora run")


def build(
    target: Target,
    console: Any,
    *,
    full_refresh: bool = False,
    select: Sequence[str] = (),
    force: bool = False,
    wait: bool = False,
    allow_empty_seeds: Sequence[str] = (),
) -> None:
    """`aurora build`: the registry from config/, then dbt build (seeds, models, tests). When the
    warehouse is already current (the fingerprint of the last successful build equals today's),
    dbt is skipped, unless ``force``, ``full_refresh`` or a selection asks for a build."""
    config = load_config()
    with _locked(target, "aurora build", console, wait):
        console.print(f"[bold]aurora build[/] on {target}: loading the registry from config/ ...")
        load_registry_step(target, config)
        if not (force or full_refresh or select or allow_empty_seeds) and skip_current_build(
            target, console, "--force builds anyway"
        ):
            return
        started = time.monotonic()
        done = build_step(
            target,
            console,
            full_refresh=full_refresh,
            select=select,
            command="aurora build",
            allow_empty_seeds=allow_empty_seeds,
        )
        console.print(f"dbt build on {target}: {done} in {time.monotonic() - started:.1f} s")


def ingest(
    chain_name: str,
    target: Target,
    console: Any,
    periods: list[Any] | None = None,
    *,
    archive_dir: Path | None = None,
    wait: bool = False,
) -> None:
    """`aurora ingest <chain>`: one chain's closed periods, into its raw dataset."""
    chain = CHAINS.get(chain_name)
    if chain is None:
        raise IngestError(f"no ingestion for chain {chain_name!r} (supported: {', '.join(CHAINS)})")
    config = load_config()
    with _locked(target, f"aurora ingest {chain_name}", console, wait):
        result = ingest_step(
            target, config, chain, periods, console=console, archive_dir=archive_dir
        )
    console.print(f"ingested into {target}: {result}")
