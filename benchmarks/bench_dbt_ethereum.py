"""dbt benchmark of the Ethereum warehouse layers (staging, intermediate/ethereum, canonical,
validator marts) on the large Ethereum scenario, Scenario.benchmark() (1,000 operator validators,
7 closed UTC days), on DuckDB and on PostgreSQL.

    .venv/bin/python benchmarks/bench_dbt_ethereum.py [--targets duckdb,postgres]
                                                      [--validators 1000] [--days 7]

Per target, in a fresh warehouse:
1. days 1..D-1 are ingested (not timed here: see bench_ingest_ethereum.py), then a first
   `dbt build` (full);
2. the last day is ingested; `dbt build` (incremental: one new day);
3. `dbt build` again with nothing new (incremental no-op);
4. `dbt build --full-refresh` over all D days, and a check that it equals the incremental tables.

dbt runs as a subprocess with `--vars '{aurora_chains: [ethereum]}'` (the warehouse holds no
Solana data), selecting the registry, the Ethereum staging models, the canonical models and the
validator marts with their tests, exactly as the CLI builds them. After `dbt seed` the loaded
validators and fee-terms seed tables are replaced by the benchmark network's operator validators
(one fee-terms row each). Prints wall times and dbt's own times. A script, not a test: it takes
minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for entry in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from bench_dbt import _pg_connect, dbt, execute, slowest, snapshot  # noqa: E402

VARS = ["--vars", json.dumps({"aurora_chains": ["ethereum"]})]
SELECT = [
    "--select",
    "registry",
    "path:dbt_project/staging/ethereum",
    "+canonical",
    "+path:dbt_project/marts/validators",
    "--exclude",
    "resource_type:seed",
    # the tests on Solana's raw load ledger (the warehouse holds no Solana data)
    "source:solana+",
    "--indirect-selection",
    "cautious",
    *VARS,
]
SEEDS = ["--select", "validators", "prices", "validator_costs", "validator_fee_terms", *VARS]
COMPARED = [
    "canonical.canonical_periods",
    "canonical.canonical_validator_identities",
    "canonical.canonical_validator_meta",
    "canonical.canonical_stake_rewards",
    "canonical.canonical_validator_fees",
    "canonical.canonical_validator_mev",
    "marts.validator_pnl",
]


def child(args: argparse.Namespace) -> int:
    """Load the registry and ingest the given days (target from the env); print one JSON line."""
    from ingest.config import load_config
    from ingest.ethereum.pipeline import ingest_ethereum
    from ingest.registry import load_registry

    config = load_config()
    pipelines = Path(args.workdir) / "dlt_pipelines"
    load_registry(args.target, config, pipelines_dir=pipelines)
    first, last = (date.fromisoformat(d) for d in args.days.split(".."))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    started = time.monotonic()
    result = ingest_ethereum(
        args.target, days, config, seeds_dir=Path(args.seeds), pipelines_dir=pipelines
    )
    out = {
        "days": len(result.days_loaded),
        "rows": result.rows,
        "wall_s": time.monotonic() - started,
    }
    print("RESULT " + json.dumps(out))
    return 0


def ingest(
    target: str, env: dict[str, str], seeds: Path, workdir: Path, days: str
) -> dict[str, Any]:
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
            "--day-range",
            days,
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


def step(
    results: list[tuple[str, str, float, float, int]],
    target: str,
    env: dict[str, str],
    workdir: Path,
    name: str,
    *extra: str,
) -> None:
    """One timed `dbt build` of the Ethereum layers."""
    wall, own = dbt(target, env, workdir, "build", *SELECT, *extra)
    rows = int(execute(target, env, "select count(*) from marts.validator_pnl", fetch=True)[0][0])
    results.append((target, name, wall, own, rows))
    print(
        f"{target}: {name}: {wall:.1f} s wall, {own:.1f} s dbt ({rows} validator-days)\n"
        f"    slowest: {slowest(workdir, target)}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--validators", type=int, default=1_000, help="operator validators")
    parser.add_argument("--days", type=int, default=7, help="closed UTC days (default 7)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--day-range", dest="day_range", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.days = args.day_range
        return child(args)

    from ingest.config import load_config
    from ingest.demo import ethereum_simulator_env
    from ingest.simulator.ethereum import truth
    from ingest.simulator.ethereum.network import Scenario, build_network
    from ingest.simulator.ethereum.server import EthereumSimulatorServer

    scenario = Scenario.benchmark(args.validators, args.days)
    network = build_network(scenario)
    first = scenario.first_day
    last = first + timedelta(days=scenario.n_days - 1)
    print(
        f"network: {len(scenario.operator_indices)} operator validators, {scenario.n_days} days "
        f"({first}..{last})",
        flush=True,
    )
    operators = ", ".join(
        f"('ethereum', '{i}', '{network.validators[i].pubkey.lower()}', 'eth-{i:04d}', "
        f"'{network.validators[i].fee_recipient.lower()}')"
        for i in sorted(network.operator_indices)
    )
    terms = ", ".join(
        f"('ethereum', '{i}', date '2020-01-01', null, 1000, 1000)"
        for i in sorted(network.operator_indices)
    )
    relays = load_config(env={}).providers_for("ethereum", "mev")
    results: list[tuple[str, str, float, float, int]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aurora-bench-dbt-eth-") as tmp,
        EthereumSimulatorServer(network) as srv,
    ):
        work = Path(tmp)
        seeds = work / "seeds"
        truth.write_seed_file(network, seeds)
        shutil.copyfile(REPO_ROOT / "profiles.example.yml", REPO_ROOT / "profiles.yml")
        base_env = dict(os.environ)
        base_env.update(ethereum_simulator_env(srv, relays))
        for provider in ("ETH_BEACON", "ETH_EXECUTION", *(r.upper() for r in relays)):
            base_env[f"AURORA_PROVIDER_{provider}_RATE_LIMIT_PER_SECOND"] = "100000"
            base_env[f"AURORA_PROVIDER_{provider}_MAX_CONCURRENCY"] = "8"
            base_env[f"AURORA_PROVIDER_{provider}_TIMEOUT_SECONDS"] = "60"
        base_env.update(
            {
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
            }
        )
        for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
            env = dict(base_env, AURORA_TARGET=target)
            workdir = work / target
            workdir.mkdir()
            dbname = f"aurora_bench_dbt_eth_{os.getpid()}"
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
                before_last = last - timedelta(days=1)
                loaded = ingest(target, env, seeds, workdir, f"{first}..{before_last}")
                print(f"{target}: ingested {loaded['days']} days ({loaded['rows']} rows)")
                dbt(target, env, workdir, "seed", *SEEDS, "--full-refresh")
                execute(target, env, "delete from seeds.validators")
                execute(target, env, f"insert into seeds.validators values {operators}")
                execute(target, env, "delete from seeds.validator_fee_terms")
                execute(target, env, f"insert into seeds.validator_fee_terms values {terms}")
                step(results, target, env, workdir, f"full build, {scenario.n_days - 1} days")
                loaded = ingest(target, env, seeds, workdir, f"{last}..{last}")
                assert loaded["days"] == 1, loaded
                step(results, target, env, workdir, "incremental, +1 day")
                step(results, target, env, workdir, "incremental, nothing new")
                incremental = {r: snapshot(target, env, r) for r in COMPARED}
                step(
                    results,
                    target,
                    env,
                    workdir,
                    f"full refresh, {scenario.n_days} days",
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
    print(f"{'target':<9} {'step':<28} {'wall s':>7} {'dbt s':>7} {'rows':>7}")
    for target, name, wall, own, rows in results:
        print(f"{target:<9} {name:<28} {wall:>7.1f} {own:>7.1f} {rows:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
