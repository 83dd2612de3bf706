"""Benchmark `aurora demo`: wall time of a first run (empty warehouse) and of a rerun (reuses the
warehouse: nothing new is ingested, so the fingerprint skip leaves dbt out), then of a no-op
`aurora build` and of `aurora build --force` (dbt run anyway), on DuckDB by default. Prints each
figure beside its goal; asserts nothing (targets live here, not in tests).

    .venv/bin/python benchmarks/bench_demo.py [--target duckdb|postgres] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", default="duckdb", choices=["duckdb", "postgres"])
    parser.add_argument("--runs", type=int, default=2, help="first run + reruns")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            {
                "AURORA_DUCKDB_PATH": str(Path(tmp) / "bench.duckdb"),
                "AURORA_DBT_TARGET_PATH": str(Path(tmp) / "target"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "RUNTIME__DLTHUB_TELEMETRY": "false",
            }
        )

        def timed(*command: str) -> float | None:
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "ingest.cli", *command, "--target", args.target],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.monotonic() - started
            if result.returncode != 0:
                print(result.stdout[-3000:], result.stderr[-3000:])
                return None
            return elapsed

        for run in range(args.runs):
            elapsed = timed("demo")
            if elapsed is None:
                return 1
            kind = "first run (empty warehouse)" if run == 0 else "rerun (warehouse reused)"
            goal = "" if run == 0 else f"  goal <= 5 s: {'met' if elapsed <= 5 else 'gap'}"
            print(f"aurora demo --target {args.target}: {kind}: {elapsed:.1f} s{goal}")
        noop = timed("build")
        forced = timed("build", "--force")
        if noop is None or forced is None:
            return 1
        print(
            f"aurora build, nothing new: {noop:.1f} s  goal <= 3 s: {'met' if noop <= 3 else 'gap'}"
            f"  (aurora build --force, dbt run anyway: {forced:.1f} s; ratio {noop / forced:.2f})"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of a child process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
