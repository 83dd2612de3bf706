"""Run `dbt build` with a progress bar, keeping dbt's own log for when something fails."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from typing import Any

from ingest.core.warehouse import (
    Target,
    dbt_executable,
    dbt_target_path,
    ensure_profiles,
    target_env,
)
from ingest.env import REPO_ROOT
from ingest.errors import BuildError

_PROGRESS = re.compile(r"\b(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")


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
    proc = subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    if console is None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            print(line, end="")
    else:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(f"dbt {command} ({target})", total=None)
            done = 0
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                match = _PROGRESS.search(line)
                if match:
                    done += 1
                    progress.update(task, completed=done, total=int(match.group(2)))
    code = proc.wait()
    if code != 0:
        failures = [
            line
            for line in lines
            if re.search(r"\b(ERROR|FAIL)\b|Error|Failure in", line) and " of " not in line
        ]
        detail = "\n".join(failures[-40:]) or "\n".join(lines[-40:])
        raise BuildError(f"dbt {command} failed on {target} (exit {code}):\n{detail}")
    return lines


def summary(lines: Sequence[str]) -> str:
    """dbt's closing 'Done. PASS=.. WARN=.. ERROR=..' line, if any."""
    for line in reversed(lines):
        if "Done. PASS=" in line:
            return line.split("Done. ", 1)[1].strip()
    return ""
