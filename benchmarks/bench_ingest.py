"""Ingestion benchmark: Scenario.benchmark() (20 validators, 50,000 stake accounts, 30 epochs)
served by the simulator on loopback, ingested into DuckDB and into PostgreSQL.

    .venv/bin/python benchmarks/bench_ingest.py [--epochs N] [--targets duckdb,postgres]
                                                 [--chunk-epochs K] [--concurrency C]

The simulator runs in this process; each ingestion runs in a child process of its own, so the
peak memory reported (``ru_maxrss`` of the child) is the ingestion's alone and the simulator does
not share the ingestion's interpreter lock. Prints rows/s, requests/s, wall time and peak memory per
destination. A script, not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
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
    """Ingest once into the target named in the environment; print one JSON line."""
    from ingest.config import load_config
    from ingest.solana.pipeline import ingest_solana

    config = load_config()
    started = time.monotonic()
    result = ingest_solana(
        args.target,
        None,
        config,
        seeds_dir=Path(args.seeds),
        pipelines_dir=Path(args.workdir) / "dlt_pipelines",
        chunk_epochs=args.chunk_epochs,
    )
    wall = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "RESULT "
        + json.dumps(
            {
                "target": args.target,
                "epochs": len(result.epochs_loaded),
                "rows": result.rows,
                "row_counts": result.row_counts,
                "requests": result.requests,
                "http_attempts": result.http_attempts,
                "loads": len(result.load_ids),
                "wall_s": wall,
                "fetch_s": result.fetch_seconds,
                "load_s": result.load_seconds,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30, help="closed epochs (default 30)")
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--chunk-epochs", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8, help="per provider")
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
    t0 = time.monotonic()
    network = build_network(scenario)
    print(
        f"network: {scenario.n_validators} validators, "
        f"{scenario.n_validators * scenario.stake_accounts_per_validator} stake accounts, "
        f"{scenario.n_epochs} closed epochs of {scenario.slots_per_epoch} slots "
        f"(built in {time.monotonic() - t0:.1f} s)"
    )
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aurora-bench-") as tmp,
        SimulatorServer(network) as srv,
    ):
        work = Path(tmp)
        seeds = work / "seeds"
        truth.write_seed_files(network, seeds)
        base_env = dict(os.environ)
        base_env.update(
            {
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "AURORA_PROVIDER_SOLANA_RPC_URL": srv.rpc_url,
                "AURORA_PROVIDER_JITO_KOBE_URL": srv.kobe_url,
                "AURORA_PROVIDER_SOLANA_RPC_RATE_LIMIT_PER_SECOND": "100000",
                "AURORA_PROVIDER_JITO_KOBE_RATE_LIMIT_PER_SECOND": "100000",
                "AURORA_PROVIDER_SOLANA_RPC_MAX_CONCURRENCY": str(args.concurrency),
                "AURORA_PROVIDER_JITO_KOBE_MAX_CONCURRENCY": str(args.concurrency),
                "AURORA_SOLANA_START_EPOCH": "0",
            }
        )
        for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
            env = dict(base_env)
            workdir = work / target
            workdir.mkdir()
            dbname = f"aurora_bench_{os.getpid()}"
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
                        "--chunk-epochs",
                        str(args.chunk_epochs),
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
        f"{'target':<9} {'epochs':>6} {'rows':>10} {'requests':>9} {'loads':>5} {'wall s':>8} "
        f"{'fetch s':>8} {'load s':>7} {'rows/s':>9} {'req/s':>7} {'peak MiB':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['target']:<9} {r['epochs']:>6} {r['rows']:>10} {r['requests']:>9} "
            f"{r['loads']:>5} {r['wall_s']:>8.1f} {r['fetch_s']:>8.1f} {r['load_s']:>7.1f} "
            f"{r['rows'] / r['wall_s']:>9.0f} {r['requests'] / r['wall_s']:>7.1f} "
            f"{r['peak_rss_mib']:>9.0f}"
        )
    for r in results:
        print(f"{r['target']} rows per table: {json.dumps(r['row_counts'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
