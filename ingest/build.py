"""dbt, run as a subprocess on a warehouse target: `dbt build` with a progress bar (keeping dbt's
own log for when something fails), and any other dbt command (:func:`run_dbt`).

dbt-duckdb keeps the DuckDB file locked in its process, so dbt never shares one with dlt. dbt runs
in a process group of its own that dies with `aurora` (ingest/core/children.py): Ctrl-C, SIGTERM
and even ``kill -9`` of `aurora` end it, so no orphaned dbt keeps the warehouse locked. A failed
build reports each failing node with dbt's own message, and a failing seed test its first rows with
the seed's file and line (ingest/build_failures.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ingest.console import progress_bars
from ingest.core.children import spawn, stop
from ingest.core.warehouse import Target, duckdb_lock_message, duckdb_path
from ingest.env import REPO_ROOT, child_environ, settings
from ingest.errors import BuildError, WarehouseError

_PROGRESS = re.compile(r"\b(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")


def target_env(target: Target, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for dbt and dlt subprocesses: the target, telemetry off, absolute paths."""
    return child_environ(
        {
            "AURORA_TARGET": target,
            "AURORA_DUCKDB_PATH": str(duckdb_path()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            **(extra or {}),
        }
    )


def ensure_profiles() -> Path:
    """dbt reads only a file named profiles.yml: provide it from profiles.example.yml."""
    source = REPO_ROOT / "profiles.example.yml"
    dest = REPO_ROOT / "profiles.yml"
    if not dest.exists() or dest.read_bytes() != source.read_bytes():
        shutil.copyfile(source, dest)
    return dest


def dbt_target_path(target: Target) -> str:
    """Where dbt writes its artifacts: one folder per target (partial parsing survives target
    switches); AURORA_DBT_TARGET_PATH overrides it (tests that build several warehouses at once)."""
    return settings().dbt_target_path or f"target_{target}"


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise WarehouseError("dbt is not installed in this environment (pip install -e .)")
    return found


def run_dbt(
    args: Sequence[str],
    target: Target,
    *,
    vars: Mapping[str, Any] | None = None,
    capture: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command in a subprocess (dbt-duckdb keeps the file locked in-process)."""
    ensure_profiles()
    cmd = [
        dbt_executable(),
        *args,
        "--target",
        target,
        "--target-path",
        dbt_target_path(target),
    ]
    if vars:
        cmd += ["--vars", json.dumps(dict(vars), sort_keys=True)]
    env = target_env(target, extra_env)
    proc = spawn(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        stop(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def dbt_build(
    target: Target,
    *,
    console: Any | None = None,
    full_refresh: bool = False,
    select: Sequence[str] = (),
    vars: dict[str, Any] | None = None,
    command: str = "build",
) -> list[str]:
    """Run `dbt <command>` on the target, drawing a progress bar; returns dbt's output lines."""
    ensure_profiles()
    cmd = [dbt_executable(), command, "--target", target, "--target-path", dbt_target_path(target)]
    if full_refresh:
        cmd.append("--full-refresh")
    for item in select:
        cmd += ["--select", item]
    if vars:
        cmd += ["--vars", json.dumps(vars, sort_keys=True)]
    env = target_env(target)
    env["NO_COLOR"] = "1"
    env["DBT_USE_COLORS"] = "false"
    lines: list[str] = []
    started = time.time()
    proc = spawn(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    try:
        if console is None:
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                print(line, end="")
        else:
            with progress_bars(console) as progress:
                task = progress.add_task(f"dbt {command} ({target})", total=None)
                done = 0
                for line in proc.stdout:
                    lines.append(line.rstrip("\n"))
                    match = _PROGRESS.search(line)
                    if match:
                        done += 1
                        progress.update(task, completed=done, total=int(match.group(2)))
        code = proc.wait()
    except BaseException:  # Ctrl-C, SIGTERM: dbt ends with aurora
        stop(proc)
        raise
    if code != 0:
        locked = next((duckdb_lock_message(line) for line in lines if "set lock" in line), None)
        if locked:
            raise WarehouseError(locked)
        from ingest.build_failures import failure_report

        detail = failure_report(target, REPO_ROOT / dbt_target_path(target), lines, started)
        raise BuildError(f"dbt {command} failed on {target} (exit {code}):\n{detail}")
    return lines


def summary(lines: Sequence[str]) -> str:
    """dbt's closing 'Done. PASS=.. WARN=.. ERROR=..' line, if any."""
    for line in reversed(lines):
        if "Done. PASS=" in line:
            return line.split("Done. ", 1)[1].strip()
    return ""
