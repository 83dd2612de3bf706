"""Child processes that die with `aurora` (dbt): never an orphan holding the warehouse.

:func:`spawn` starts a command in a process group of its own, through a tiny launcher
(``python -m ingest.core.children <parent pid> <command...>``) that asks Linux to kill it when the
parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, kept across ``exec``) and then execs the command:
even ``kill -9`` of `aurora` ends dbt, which would otherwise keep running with the DuckDB file
locked. :func:`stop` ends the whole group (SIGTERM, then SIGKILL); the run sequence calls it when
`aurora` is interrupted (Ctrl-C, SIGTERM: see :func:`terminate_on_sigterm`).

The launcher, not ``preexec_fn``, sets the signal: ``preexec_fn`` is unsafe in a process with
threads, and `aurora` has some (progress bars, dlt).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

PR_SET_PDEATHSIG = 1


def set_parent_death_signal(expected_parent: int, sig: int = signal.SIGKILL) -> None:
    """Linux: receive ``sig`` when the parent dies; exit at once if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != expected_parent:  # the parent died before the signal was armed
        os._exit(137)


def launcher_command(command: Sequence[str]) -> list[str]:
    """``command`` run through the launcher that ties it to this process."""
    return [sys.executable, "-m", "ingest.core.children", str(os.getpid()), *command]


def spawn(command: Sequence[str], **popen: Any) -> subprocess.Popen[str]:
    """Start ``command`` in a process group of its own, killed when this process dies."""
    return subprocess.Popen(launcher_command(command), start_new_session=True, **popen)


def stop(proc: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """End ``proc`` and its process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return
            time.sleep(0.05)


class Terminated(Exception):
    """`aurora` received SIGTERM: unwinds like Ctrl-C, so children are stopped and the build is
    marked failed, then the CLI exits 143."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(f"terminated by signal {signum}")


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM raises :class:`Terminated`."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str]) -> None:
    parent, *command = argv
    set_parent_death_signal(int(parent))
    os.execv(command[0], list(command))


if __name__ == "__main__":
    _main(sys.argv[1:])
