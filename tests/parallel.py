"""Run the test suite as two pytest processes side by side (`make pytest` uses it).

    python tests/parallel.py [PYTEST_ARGS...]

Most tests wait on one dbt or dlt process at a time, so on a 2-core machine one pytest process
keeps one core busy: two groups of test files run concurrently halve the wall time. Each process
builds its own shared demo warehouses; every warehouse, database, dbt target folder and dlt folder
a test uses is already private to its process (tests/support.py), so the groups cannot meet.
Each group's output is printed as it comes, each line prefixed with the group's name; the exit
status is the first non-zero one of the groups. Extra arguments go to both processes.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "tests" / "integration"

# Files that build several warehouses of their own go to group "a", the rest (and the unit tests)
# to group "b"; measured so the two take about the same time.
GROUP_A_PREFIXES = ("test_access", "test_bad", "test_close", "test_commission", "test_d")


def groups() -> dict[str, list[str]]:
    files = sorted(INTEGRATION.glob("test_*.py"))
    a = [str(f) for f in files if f.name.startswith(GROUP_A_PREFIXES)]
    b = [str(f) for f in files if not f.name.startswith(GROUP_A_PREFIXES)]
    return {"a": a, "b": [*b, str(ROOT / "tests" / "unit")]}


def _relay(name: str, proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(f"[{name}] {line}")
        sys.stdout.flush()


def main(argv: list[str]) -> int:
    procs: dict[str, subprocess.Popen[str]] = {}
    relays = []
    for name, paths in groups().items():
        cmd = [sys.executable, "-m", "pytest", "--durations=10", *argv, *paths]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        procs[name] = proc
        relay = threading.Thread(target=_relay, args=(name, proc), daemon=True)
        relay.start()
        relays.append(relay)
    try:
        codes = {name: proc.wait() for name, proc in procs.items()}
    except KeyboardInterrupt:
        for proc in procs.values():
            proc.terminate()
        raise
    for relay in relays:
        relay.join()
    for name, code in codes.items():
        print(f"pytest group {name}: exit {code}", flush=True)
    return next((code for code in codes.values() if code != 0), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
