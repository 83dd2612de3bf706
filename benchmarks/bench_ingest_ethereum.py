"""Ethereum ingestion benchmark: Scenario.benchmark() (1,000 operator validators in a network of
1,100, 7 closed UTC days) served by the simulator on loopback, ingested into DuckDB (and into
PostgreSQL with --targets duckdb,postgres).

    .venv/bin/python benchmarks/bench_ingest_ethereum.py [--validators N] [--days D]
                                                          [--targets duckdb[,postgres]]
                                                          [--concurrency C] [--batch-size B]

The simulator runs in this process; each ingestion runs in a child process of its own, so the
peak memory reported (``ru_maxrss`` of the child) is the ingestion's alone and the simulator does
not share the ingestion's interpreter lock. Prints rows/s, requests/s, wall time and peak memory per
destination. A script, not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _pg_settings() -> dict[str, Any]:
    return {
        "host": os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("AURORA_PG_PORT", "5432")),
        "user": os.environ.get("AURORA_PG_USER", "aurora"),
        "password": os.environ.get("AURORA_PG_PASSWORD", "aurora"),
    }


def _pg_admin(sql: str) -> None:
    import psycopg2

    con = psycopg2.connect(dbname="postgres", **_pg_settings())
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
    finally:
        con.close()


def child(args: argparse.Namespace) -> int:
    """Ingest every closed day from the start day into the target named in the environment; print
    one JSON line."""
    from ingest.config import load_config
    from ingest.ethereum.pipeline import ingest_ethereum

    config = load_config()
    started = time.monotonic()
    result = ingest_ethereum(
        args.target,
        None,
        config,
        seeds_dir=Path(args.seeds),
        pipelines_dir=Path(args.workdir) / "dlt_pipelines",
    )
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss
    print(
        "RESULT "
        + json.dumps(
            {
                "target": args.target,
                "days": len(result.days_loaded),
                "rows": result.rows,
                "row_counts": result.row_counts,
                "requests": result.requests,
                "http_attempts": result.http_attempts,
                "loads": len(result.load_ids),
                "wall_s": wall,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--validators", type=int, default=1_000, help="operator validators")
    parser.add_argument("--days", type=int, default=7, help="closed UTC days (default 7)")
    parser.add_argument("--targets", default="duckdb", help="duckdb, postgres or both (a,b)")
    parser.add_argument("--concurrency", type=int, default=8, help="per provider")
    parser.add_argument(
        "--batch-size", type=int, default=500, help="indices per attestation-rewards POST"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    from ingest.config import load_config
    from ingest.demo import ethereum_simulator_env
    from ingest.simulator.ethereum import truth
    from ingest.simulator.ethereum.network import Scenario, build_network
    from ingest.simulator.ethereum.server import EthereumSimulatorServer

    scenario = Scenario.benchmark(args.validators, args.days)
    t0 = time.monotonic()
    network = build_network(scenario)
    print(
        f"network: {scenario.n_validators} validators ({len(scenario.operator_indices)} the "
        f"operator's), {scenario.n_days} full days of {scenario.slots_per_epoch}-slot epochs "
        f"({scenario.seconds_per_slot} s slots), {len(network.blocks)} blocks "
        f"(built in {time.monotonic() - t0:.1f} s)"
    )
    relays = load_config(env={}).providers_for("ethereum", "mev")
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aurora-bench-eth-") as tmp,
        EthereumSimulatorServer(network) as srv,
    ):
        work = Path(tmp)
        seeds = work / "seeds"
        truth.write_seed_file(network, seeds)
        base_env = dict(os.environ)
        base_env.update(ethereum_simulator_env(srv, relays))
        for provider in ("ETH_BEACON", "ETH_EXECUTION", *(r.upper() for r in relays)):
            base_env[f"AURORA_PROVIDER_{provider}_RATE_LIMIT_PER_SECOND"] = "100000"
            base_env[f"AURORA_PROVIDER_{provider}_MAX_CONCURRENCY"] = str(args.concurrency)
            base_env[f"AURORA_PROVIDER_{provider}_TIMEOUT_SECONDS"] = "60"
        base_env["AURORA_PROVIDER_ETH_BEACON_BATCH_SIZE"] = str(args.batch_size)
        base_env["AURORA_ETHEREUM_START_DAY"] = scenario.first_day.isoformat()
        base_env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
        for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
            env = dict(base_env)
            workdir = work / target
            workdir.mkdir()
            dbname = f"aurora_bench_eth_{os.getpid()}"
            if target == "duckdb":
                env["AURORA_DUCKDB_PATH"] = str(workdir / "bench.duckdb")
            else:
                _pg_admin(f'drop database if exists "{dbname}" with (force)')
                _pg_admin(f'create database "{dbname}"')
                env["AURORA_PG_DATABASE"] = dbname
            print(f"ingesting into {target} ...", flush=True)
            try:
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
            finally:
                if target != "duckdb":
                    _pg_admin(f'drop database if exists "{dbname}" with (force)')
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                print(proc.stdout[-3000:], proc.stderr[-5000:], sep="\n", file=sys.stderr)
                return 1
            results.append(json.loads(lines[-1][len("RESULT ") :]))

    header = (
        f"{'target':<9} {'days':>4} {'rows':>9} {'requests':>9} {'loads':>5} {'wall s':>7} "
        f"{'cpu s':>6} {'rows/s':>8} {'req/s':>7} {'peak MiB':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['target']:<9} {r['days']:>4} {r['rows']:>9} {r['requests']:>9} {r['loads']:>5} "
            f"{r['wall_s']:>7.1f} {r['cpu_s']:>6.1f} {r['rows'] / r['wall_s']:>8.0f} "
            f"{r['requests'] / r['wall_s']:>7.1f} {r['peak_rss_mib']:>9.0f}"
        )
    for r in results:
        print(f"{r['target']} rows per table: {json.dumps(r['row_counts'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
