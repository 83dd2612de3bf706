"""dbt benchmark of the warehouse layers (staging, canonical, validator marts) on Scenario.benchmark()
(20 validators, 50,000 stake accounts, 30 closed epochs), on DuckDB and on PostgreSQL.

    .venv/bin/python benchmarks/bench_dbt.py [--targets duckdb,postgres] [--epochs 30]

Per target, in a fresh warehouse:
1. the simulator's tip is in the last epoch: epochs 0..N-2 are ingested (not timed here: see
   bench_ingest.py), then a first `dbt build` (full);
2. the tip moves on: the last epoch is ingested; `dbt build` (incremental: one new epoch);
3. `dbt build` again with nothing new (incremental no-op);
4. `dbt build --full-refresh` over all N epochs, and a check that it equals the incremental tables.

dbt runs as a subprocess (`dbt build` selecting registry, staging, canonical and the validator marts,
their seeds, and the tests on them), exactly as the CLI runs it. seeds/validators.csv lists the
default network's validators: the benchmark replaces the loaded seed table's rows with the benchmark
network's operator validators after `dbt seed`. Prints wall times and dbt's own times. A script, not
a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SELECT = [
    "--select",
    "registry",
    "staging",
    "+canonical",
    "+path:dbt_project/marts/validators",
    # the seeds are loaded once, then replaced by the benchmark network's validators
    "--exclude",
    "resource_type:seed",
    "--indirect-selection",
    "cautious",
]
SEEDS = ["--select", "validators", "prices", "validator_costs"]
COMPARED = [
    "canonical.canonical_periods",
    "canonical.canonical_validator_identities",
    "canonical.canonical_validator_meta",
    "canonical.canonical_stake_rewards",
    "canonical.canonical_validator_fees",
    "canonical.canonical_validator_mev",
    "marts.validator_pnl",
]


def _pg_settings() -> dict[str, Any]:
    return {
        "host": os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("AURORA_PG_PORT", "5432")),
        "user": os.environ.get("AURORA_PG_USER", "aurora"),
        "password": os.environ.get("AURORA_PG_PASSWORD", "aurora"),
    }


def _pg_connect(dbname: str) -> Any:
    import psycopg2

    con = psycopg2.connect(dbname=dbname, **_pg_settings())
    con.autocommit = True
    return con


def execute(target: str, env: dict[str, str], sql: str, fetch: bool = False) -> list[Any]:
    if target == "duckdb":
        import duckdb

        con = duckdb.connect(env["AURORA_DUCKDB_PATH"])
        try:
            cur = con.execute(sql)
            return cur.fetchall() if fetch else []
        finally:
            con.close()
    con = _pg_connect(env["AURORA_PG_DATABASE"])
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall()) if fetch else []
    finally:
        con.close()


def child(args: argparse.Namespace) -> int:
    """Load the registry and ingest every closed epoch not loaded yet (target from the env)."""
    from ingest.config import load_config
    from ingest.registry import load_registry
    from ingest.solana.pipeline import ingest_solana

    config = load_config()
    pipelines = Path(args.workdir) / "dlt_pipelines"
    load_registry(args.target, config, pipelines_dir=pipelines)
    started = time.monotonic()
    result = ingest_solana(
        args.target, None, config, seeds_dir=Path(args.seeds), pipelines_dir=pipelines
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "epochs": list(result.epochs_loaded),
                "rows": result.rows,
                "wall_s": time.monotonic() - started,
            }
        )
    )
    return 0


def ingest(target: str, env: dict[str, str], seeds: Path, workdir: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--target",
            target,
            "--seeds",
            str(seeds),
            "--workdir",
            str(workdir),
        ],
        env=env,
        cwd=REPO_ROOT,
        text=True,
        capture_output=True,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"ingestion failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def dbt(target: str, env: dict[str, str], workdir: Path, *args: str) -> tuple[float, float]:
    """Run dbt; returns (wall seconds, dbt's own 'Finished running ... in X seconds')."""
    cmd = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--target",
        target,
        "--target-path",
        str(workdir / f"target_{target}"),
        "--profiles-dir",
        str(REPO_ROOT),
        "--log-path",
        str(workdir / "logs"),
    ]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=REPO_ROOT, text=True, capture_output=True, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed on {target}:\n{proc.stdout[-5000:]}")
    found = re.findall(r"Finished running .* in .*?([0-9.]+)s\)", proc.stdout)
    return wall, float(found[-1]) if found else float("nan")


def snapshot(target: str, env: dict[str, str], relation: str) -> str:
    """A digest of every row of a relation, every column as text."""
    import hashlib

    schema, table = relation.split(".")
    cols = sorted(
        r[0]
        for r in execute(
            target,
            env,
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}'",
            fetch=True,
        )
    )
    text = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in cols)
    rows = sorted(
        "|".join(r) for r in execute(target, env, f"select {text} from {relation}", fetch=True)
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def slowest(workdir: Path, target: str, n: int = 6) -> str:
    """The n slowest nodes of the last dbt invocation, from run_results.json."""
    data = json.loads((workdir / f"target_{target}" / "run_results.json").read_text())
    nodes = sorted(data["results"], key=lambda r: -r["execution_time"])[:n]
    return ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f}" for r in nodes)


def step(
    results: list[tuple[str, str, float, float, str]],
    target: str,
    env: dict[str, str],
    workdir: Path,
    name: str,
    *extra: str,
) -> None:
    """One timed `dbt build` of the warehouse layers."""
    wall, own = dbt(target, env, workdir, "build", *SELECT, *extra)
    stake_rows = execute(
        target, env, "select count(*) from canonical.canonical_stake_rewards", fetch=True
    )[0][0]
    results.append((target, name, wall, own, str(stake_rows)))
    print(
        f"{target}: {name}: {wall:.1f} s wall, {own:.1f} s dbt ({stake_rows} stake-reward rows)\n"
        f"    slowest: {slowest(workdir, target)}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--epochs", type=int, default=30, help="closed epochs (default 30)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    from ingest.simulator import truth
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    scenario = dataclasses.replace(Scenario.benchmark(), n_epochs=args.epochs)
    network = build_network(scenario)
    last = scenario.n_epochs - 1
    first_of_last = network.schedule.first_slot(last)
    early_tip = max(
        first_of_last + network.slots_per_epoch // 2, network.rewards_complete_slot(last - 1)
    )
    print(
        f"network: {scenario.n_validators} validators, "
        f"{scenario.n_validators * scenario.stake_accounts_per_validator} stake accounts, "
        f"{scenario.n_epochs} closed epochs",
        flush=True,
    )
    operators = ", ".join(
        f"('solana', '{v.vote_pubkey}', '{v.identity_pubkey}', '{v.name}')"
        for v in network.operator_validators
    )
    results: list[tuple[str, str, float, float, str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aurora-bench-dbt-") as tmp,
        SimulatorServer(network) as server,
    ):
        work = Path(tmp)
        seeds = work / "seeds"
        truth.write_seed_files(network, seeds)
        shutil.copyfile(REPO_ROOT / "profiles.example.yml", REPO_ROOT / "profiles.yml")
        base_env = dict(os.environ)
        base_env.update(
            {
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
                "AURORA_PROVIDER_SOLANA_RPC_URL": server.rpc_url,
                "AURORA_PROVIDER_JITO_KOBE_URL": server.kobe_url,
                "AURORA_PROVIDER_SOLANA_RPC_RATE_LIMIT_PER_SECOND": "100000",
                "AURORA_PROVIDER_JITO_KOBE_RATE_LIMIT_PER_SECOND": "100000",
                "AURORA_PROVIDER_SOLANA_RPC_MAX_CONCURRENCY": "8",
                "AURORA_PROVIDER_JITO_KOBE_MAX_CONCURRENCY": "8",
                "AURORA_SOLANA_START_EPOCH": "0",
            }
        )
        for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
            env = dict(base_env, AURORA_TARGET=target)
            workdir = work / target
            workdir.mkdir()
            dbname = f"aurora_bench_dbt_{os.getpid()}"
            if target == "duckdb":
                env["AURORA_DUCKDB_PATH"] = str(workdir / "bench.duckdb")
            else:
                admin = _pg_connect("postgres")
                with admin.cursor() as cur:
                    cur.execute(f'drop database if exists "{dbname}" with (force)')
                    cur.execute(
                        f'create database "{dbname}" template template0 '
                        "encoding 'UTF8' lc_collate 'C' lc_ctype 'C'"
                    )
                admin.close()
                env["AURORA_PG_DATABASE"] = dbname
            try:
                server.set_tip_slot(early_tip)
                loaded = ingest(target, env, seeds, workdir)
                print(
                    f"{target}: ingested epochs {loaded['epochs'][0]}..{loaded['epochs'][-1]} "
                    f"({loaded['rows']} rows, {loaded['wall_s']:.0f} s)",
                    flush=True,
                )
                dbt(target, env, workdir, "seed", *SEEDS, "--full-refresh")
                execute(target, env, "delete from seeds.validators")
                execute(target, env, f"insert into seeds.validators values {operators}")

                step(results, target, env, workdir, f"full build, {last} epochs")
                server.set_tip_slot(network.default_tip_slot)
                loaded = ingest(target, env, seeds, workdir)
                assert loaded["epochs"] == [last], loaded
                step(results, target, env, workdir, "incremental, +1 epoch")
                step(results, target, env, workdir, "incremental, nothing new")
                incremental = {r: snapshot(target, env, r) for r in COMPARED}
                step(
                    results,
                    target,
                    env,
                    workdir,
                    f"full refresh, {last + 1} epochs",
                    "--full-refresh",
                )
                full = {r: snapshot(target, env, r) for r in COMPARED}
                same = "identical" if incremental == full else "DIFFERENT"
                print(f"{target}: incremental vs full-refresh tables: {same}", flush=True)
                if incremental != full:
                    return 1
            finally:
                if target != "duckdb":
                    admin = _pg_connect("postgres")
                    with admin.cursor() as cur:
                        cur.execute(f'drop database if exists "{dbname}" with (force)')
                    admin.close()

    print(f"\n{'target':<9} {'step':<28} {'wall s':>7} {'dbt s':>7} {'stake rows':>11}")
    for target, name, wall, own, rows in results:
        print(f"{target:<9} {name:<28} {wall:>7.1f} {own:>7.1f} {rows:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
