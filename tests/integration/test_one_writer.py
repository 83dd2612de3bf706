"""One writer per warehouse, honest exit codes, and no orphaned dbt.

- Two `aurora ingest` at once on one DuckDB file or one PostgreSQL database: the second refuses
  with one line naming the first (exit 3); ``--wait`` waits instead; no primary key is duplicated.
- `aurora demo` and `aurora build` refuse a warehouse another run holds.
- A DuckDB file another process has open is reported as such, never as "credentials... internet".
- A build killed mid-way (SIGKILL, SIGTERM) leaves no dbt running and the marts marked: the export
  refuses naming the build that did not finish or failed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import REPO_ROOT, base_env, run_aurora

from ingest.core.lock import holder_of, warehouse_lock
from ingest.solana.schema import TABLES

Query = Callable[[str, str], list[tuple[Any, ...]]]


def _env(server: Any, tmp_path: Path) -> dict[str, str]:
    env = base_env()  # the warehouse of the test (the target fixtures set it in os.environ)
    env.update(
        {
            "AURORA_PROVIDER_SOLANA_RPC_URL": server.rpc_url,
            "AURORA_PROVIDER_JITO_KOBE_URL": server.kobe_url,
            "AURORA_PROVIDER_SOLANA_RPC_RATE_LIMIT_PER_SECOND": "2000",
            "AURORA_PROVIDER_JITO_KOBE_RATE_LIMIT_PER_SECOND": "2000",
            "AURORA_DLT_PIPELINES_DIR": str(tmp_path / "pipelines"),
            "AURORA_DBT_TARGET_PATH": str(tmp_path / "target"),
        }
    )
    return env


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_holder(target: str, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = holder_of(target)  # type: ignore[arg-type]
        if holder is not None and holder.pid == pid:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} never took the warehouse lock")


def _assert_no_duplicates(target: str, query: Query) -> None:
    for name, spec in TABLES.items():
        key = ", ".join(spec.primary_key)
        dups = query(
            target,
            f"select {key}, count(*) from raw_solana.{name} group by {key} having count(*) > 1",
        )
        assert dups == [], f"{name}: duplicated primary keys {dups[:3]}"


def test_a_second_ingest_refuses_and_a_waiting_one_waits(
    warehouse_target: str, sim_server: Any, tmp_path: Path, warehouse_query: Query
) -> None:
    env = _env(sim_server, tmp_path)
    first = _start(["ingest", "solana", "--epochs", "16..23"], env)
    _wait_for_holder(warehouse_target, first.pid)
    second = run_aurora(["ingest", "solana", "--epochs", "16..23"], env, timeout=120)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out[-2000:] + err[-3000:]
    assert "epochs 16..23 loaded" in out
    assert second.returncode == 3, second.stdout[-2000:] + second.stderr[-2000:]
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert f"is in use by pid {first.pid} (aurora ingest solana, started at " in lines[0]
    assert "epochs" not in second.stdout  # it claims nothing

    # --wait: the run waits for the holder (this test process), then restates the same epochs
    with warehouse_lock(warehouse_target, "test holder"):  # type: ignore[arg-type]
        waiting = _start(["ingest", "solana", "--epochs", "22..23", "--wait"], env)
        time.sleep(3)
        assert waiting.poll() is None, "the waiting run did not wait"
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, out[-2000:] + err[-3000:]
    assert "waiting for warehouse" in out and f"pid {os.getpid()} (test holder" in out
    assert "epochs 22,23 loaded" in out

    _assert_no_duplicates(warehouse_target, warehouse_query)
    runs = warehouse_query(
        warehouse_target,
        "select distinct epoch from raw_solana.ingestion_runs where status = 'complete'",
    )
    assert sorted(int(e) for (e,) in runs) == list(range(16, 24))


@pytest.mark.parametrize("command", [["demo"], ["build"], ["ingest", "solana"]])
def test_every_writer_refuses_a_held_warehouse(
    command: list[str], duckdb_target_env: dict[str, str], tmp_path: Path
) -> None:
    env = base_env()
    with warehouse_lock("duckdb", "aurora ingest solana"):
        result = run_aurora([*command, "--target", "duckdb"], env, timeout=120)
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        f"aurora: error: warehouse {duckdb_target_env['AURORA_DUCKDB_PATH']} is in use by pid "
        f"{os.getpid()} (aurora ingest solana, started at "
        + result.stderr.split("started at ", 1)[1].strip()
    ]
    assert "wait for it to finish, or pass --wait" in result.stderr


@pytest.mark.postgres
def test_a_held_postgres_warehouse_is_refused(postgres_target_env: dict[str, str]) -> None:
    with warehouse_lock("postgres", "aurora build"):
        result = run_aurora(["build", "--target", "postgres"], base_env(), timeout=120)
    assert result.returncode == 3, result.stderr[-2000:]
    assert f"is in use by pid {os.getpid()} (aurora build, started at " in result.stderr
    assert postgres_target_env["AURORA_PG_DATABASE"] in result.stderr
    assert "aurora:***@" in result.stderr or "***" in result.stderr  # never the password


def test_a_duckdb_file_open_elsewhere_is_named(
    duckdb_target_env: dict[str, str], sim_server: Any, tmp_path: Path
) -> None:
    path = duckdb_target_env["AURORA_DUCKDB_PATH"]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(120)",
            path,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        env = _env(sim_server, tmp_path)
        result = run_aurora(["ingest", "solana", "--epochs", "23"], env, timeout=120)
        assert result.returncode == 2, result.stderr[-3000:]
        assert f"warehouse {path} is locked by pid {holder.pid}" in result.stderr
        assert "credentials" not in result.stderr and "Traceback" not in result.stderr
        export = run_aurora(["statements", "export", "--month", "2026-04"], env, timeout=120)
        assert export.returncode == 2 and f"is locked by pid {holder.pid}" in export.stderr
    finally:
        holder.kill()
        holder.wait()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:  # ppid
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _dbt_child(build: subprocess.Popen[str], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in _children(build.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"dbt" in cmdline and b"build" in cmdline:
                return pid
        if build.poll() is not None:
            raise AssertionError(f"the build ended before dbt started: {build.communicate()}")
        time.sleep(0.05)
    raise AssertionError("dbt never started")


def _gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_killed_build_leaves_no_dbt_and_the_export_refuses(
    duckdb_target_env: dict[str, str], sim_server: Any, tmp_path: Path
) -> None:
    env = _env(sim_server, tmp_path)
    ingest = run_aurora(["ingest", "solana", "--epochs", "21..23"], env, timeout=300)
    assert ingest.returncode == 0, ingest.stderr[-3000:]

    # kill -9 of aurora in the middle of dbt build: dbt dies with it (PR_SET_PDEATHSIG)
    build = _start(["build", "--force"], env)
    dbt = _dbt_child(build)
    time.sleep(4)  # dbt is building
    assert _alive(dbt)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert _gone(dbt), f"dbt (pid {dbt}) outlived aurora"
    export = run_aurora(["statements", "export", "--month", "2026-04"], env, timeout=120)
    assert export.returncode == 2, export.stdout[-1000:] + export.stderr[-2000:]
    assert "refusing to export statements: the last build (started at" in export.stderr
    assert "did not finish: the marts may be half-built; run `aurora build`" in export.stderr
    import duckdb

    duckdb.connect(duckdb_target_env["AURORA_DUCKDB_PATH"]).close()  # nobody holds the file

    # SIGTERM: aurora stops dbt, marks the build failed and exits 143
    build = _start(["build", "--force"], env)
    dbt = _dbt_child(build)
    time.sleep(3)
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 143, err[-2000:]
    assert err.strip().endswith("aurora: terminated") and "Traceback" not in err
    assert _gone(dbt), f"dbt (pid {dbt}) outlived aurora"
    export = run_aurora(["statements", "export", "--month", "2026-04"], env, timeout=120)
    assert export.returncode == 2 and "the last build (started at" in export.stderr
    assert "failed: the marts may be half-built" in export.stderr
