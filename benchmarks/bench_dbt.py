"""dbt benchmark of the warehouse layers (staging, canonical, validator marts) on Scenario.benchmark()
(20 validators, 50,000 stake accounts, 30 closed epochs), on DuckDB and on PostgreSQL.

    .venv/bin/python benchmarks/bench_dbt.py [--targets duckdb,postgres] [--epochs 30]

Per target, in a fresh warehouse:
1. the simulator's tip is in the last epoch: epochs 0..N-2 are ingested (not timed here: see
   bench_ingest.py), then a first `dbt build` (full);
2. the tip moves on: the last epoch is ingested; `dbt build` (incremental: one new epoch);
3. `dbt build` again with nothing new (incremental no-op);
4. epoch 1 is re-ingested (a late restatement); `dbt build` (incremental: one old epoch restated);
5. `dbt build --full-refresh` over all N epochs, and a check that it equals the incremental tables;
6. the floor query (FLOOR_SQL) on the same data, and each goal as figure / floor / ratio.

`--accounts 1` gives the empty scenario: its full build's wall time, passed as `--overhead`,
turns each wall time into its data-dependent part.

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
    epochs = [int(args.reingest)] if args.reingest is not None else None
    result = ingest_solana(
        args.target, epochs, config, seeds_dir=Path(args.seeds), pipelines_dir=pipelines
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


def ingest(
    target: str, env: dict[str, str], seeds: Path, workdir: Path, reingest: int | None = None
) -> dict[str, Any]:
    """Ingest every closed epoch not loaded yet, or re-ingest the one epoch ``reingest``."""
    again = [] if reingest is None else ["--reingest", str(reingest)]
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
            *again,
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


def dbt(target: str, env: dict[str, str], workdir: Path, *args: str) -> tuple[float, float, float]:
    """Run dbt; returns (wall seconds, dbt's own 'Finished running ... in X seconds', peak RSS of
    the dbt process in MB)."""
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
    out = workdir / "dbt.out"
    started = time.monotonic()
    with out.open("w") as sink:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, text=True, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out.read_text()
    if proc.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed on {target}:\n{stdout[-5000:]}")
    found = re.findall(r"Finished running .* in .*?([0-9.]+)s\)", stdout)
    return wall, float(found[-1]) if found else float("nan"), usage.ru_maxrss / 1024


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


# The floor: one query doing the data-dependent core of a build by hand, straight from the raw
# tables: every stake account of every epoch's snapshot joined to its staker reward (the rows of
# canonical_stake_rewards), written to a table, and per validator and epoch the stakers' rewards
# and stake (what validator_meta and the P&L aggregate). The layers add provider precedence,
# lineage, contracts and tests on top; the ratio build / floor is what they cost.
FLOOR_SQL = """
create table {schema}.floor_stake_rewards as
select
    s.vote_account, s.snapshot_epoch, s.stake_pubkey, s.withdrawer, s.staker,
    cast(s.delegated_stake as {money}) as delegated_stake,
    coalesce(cast(r.amount as {money}), 0) as reward,
    cast(r.post_balance as {money}) as post_balance,
    s.response_sha256, r.response_sha256 as reward_response_sha256
from raw_solana.stake_accounts as s
left join raw_solana.inflation_rewards as r
    on r.epoch = s.snapshot_epoch and r.address = s.stake_pubkey and r.address_kind = 'stake';
create table {schema}.floor_validator_epochs as
select vote_account, snapshot_epoch, sum(reward) as staker_rewards,
    sum(delegated_stake) as stake, count(*) as accounts
from {schema}.floor_stake_rewards group by vote_account, snapshot_epoch
"""


def floor(target: str, env: dict[str, str]) -> float:
    """Wall seconds of the floor query (FLOOR_SQL), in a scratch schema dropped after."""
    money = "hugeint" if target == "duckdb" else "numeric(38,0)"
    schema = "bench_floor"
    execute(target, env, f"drop schema if exists {schema} cascade; create schema {schema}")
    started = time.monotonic()
    execute(target, env, FLOOR_SQL.format(schema=schema, money=money))
    elapsed = time.monotonic() - started
    execute(target, env, f"drop schema {schema} cascade")
    return elapsed


def slowest(workdir: Path, target: str, n: int = 6) -> str:
    """The n slowest nodes of the last dbt invocation, from run_results.json."""
    data = json.loads((workdir / f"target_{target}" / "run_results.json").read_text())
    nodes = sorted(data["results"], key=lambda r: -r["execution_time"])[:n]
    return ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f}" for r in nodes)


Result = tuple[str, str, float, float, float, int]  # target, step, wall, dbt, peak MB, rows


def step(
    results: list[Result],
    target: str,
    env: dict[str, str],
    workdir: Path,
    name: str,
    *extra: str,
) -> None:
    """One timed `dbt build` of the warehouse layers."""
    wall, own, rss = dbt(target, env, workdir, "build", *SELECT, *extra)
    stake_rows = execute(
        target, env, "select count(*) from canonical.canonical_stake_rewards", fetch=True
    )[0][0]
    results.append((target, name, wall, own, rss, int(stake_rows)))
    print(
        f"{target}: {name}: {wall:.1f} s wall, {own:.1f} s dbt, peak {rss:.0f} MB "
        f"({stake_rows} stake-reward rows)\n    slowest: {slowest(workdir, target)}",
        flush=True,
    )


def _step(results: list[Result], prefix: str) -> Result:
    return next(r for r in results if r[1].startswith(prefix))


def goals(results: list[Result], floors: dict[str, float], overhead: float) -> None:
    """Each goal of the full and incremental builds: figure, floor or reference, ratio."""
    print(f"\ngoals (data-dependent = wall - {overhead:.1f} s, the empty scenario's full build)")
    for target, floor_s in floors.items():
        mine = [r for r in results if r[0] == target]
        full = _step(mine, "full refresh")[2] - overhead
        incremental = _step(mine, "incremental, +1 epoch")[2] - overhead
        restated = _step(mine, "restatement")[2] - overhead
        peak = _step(mine, "full refresh")[4]
        print(
            f"{target:<9} full build, data-dependent  {full:7.1f} s  floor {floor_s:6.2f} s  "
            f"ratio {full / floor_s:5.1f} (goal <= 5)  peak {peak:.0f} MB "
            "(goal <= 4096)"
        )
        print(
            f"{target:<9} +1 epoch, data-dependent    {incremental:7.1f} s  full  {full:6.1f} s  "
            f"ratio {incremental / full if full > 0 else float('nan'):5.2f} (goal <= 0.10)"
        )
        print(
            f"{target:<9} restate 1 epoch, data-dep.  {restated:7.1f} s  +1 epoch {incremental:6.1f} s"
            f"  ratio {restated / incremental if incremental > 0 else float('nan'):5.2f} "
            "(goal: about 1, one epoch's work)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--epochs", type=int, default=30, help="closed epochs (default 30)")
    parser.add_argument(
        "--accounts",
        type=int,
        default=2_500,
        help="stake accounts per validator (default 2,500; 1 for the empty-scenario overhead)",
    )
    parser.add_argument(
        "--overhead",
        type=float,
        default=0.0,
        help="wall s of the same full build on the empty scenario (a run with --accounts 1): "
        "subtracted to give the data-dependent part",
    )
    parser.add_argument(
        "--keep", help="work in this folder and keep it (the DuckDB warehouse stays for inspection)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reingest", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    from ingest.simulator import truth
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    scenario = dataclasses.replace(
        Scenario.benchmark(), n_epochs=args.epochs, stake_accounts_per_validator=args.accounts
    )
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
    results: list[Result] = []
    floors: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="aurora-bench-dbt-") as tmp,
        SimulatorServer(network) as server,
    ):
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
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
                loaded = ingest(target, env, seeds, workdir, reingest=1)
                assert loaded["epochs"] == [1], loaded
                step(results, target, env, workdir, "restatement, 1 old epoch")
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
                floors[target] = floor(target, env)
                print(f"{target}: floor query {floors[target]:.2f} s", flush=True)
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

    print(
        f"\n{'target':<9} {'step':<28} {'wall s':>7} {'dbt s':>7} {'peak MB':>8} {'stake rows':>11}"
    )
    for target, name, wall, own, rss, rows in results:
        print(f"{target:<9} {name:<28} {wall:>7.1f} {own:>7.1f} {rss:>8.0f} {rows:>11}")
    goals(results, floors, args.overhead)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
