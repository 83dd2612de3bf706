"""One writer per warehouse: the lock every ingest, registry load and build holds for its run.

- DuckDB: an exclusive ``flock`` on ``<file>.aurora-lock`` beside the warehouse file. The file holds
  who has the lock (pid, command, start time) while it is held; the kernel releases the lock when
  the holder dies, however it dies (``kill -9`` included), so a stale file never blocks anyone.
- PostgreSQL: a session-level advisory lock (:data:`PG_LOCK_KEY`) on a dedicated connection, held
  for the run; the server releases it when the connection ends. The connection's
  ``application_name`` says who holds it, read back from ``pg_stat_activity`` by a refused run.

A second run refuses at once with one line naming the holder
(``warehouse <x> is in use by pid N (aurora ingest, started at ...)``), or, with ``wait``, waits
until the holder is done. The lock is re-entrant within a process: the run sequence takes it once
for the whole run and the steps inside it (ingest, registry, build) take it again for free.

Under the lock nothing else writes to the warehouse, so the dlt packages a crashed run left pending
can be completed safely (core/destination.py ``finish_pending``); without it, a run would adopt
the packages of a run still going.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from ingest.core.warehouse import Holder, Target, duckdb_holder, duckdb_path, lock_file
from ingest.env import settings
from ingest.errors import WarehouseError

PG_LOCK_KEY = 0x41555230  # "AUR0": the advisory lock key of a warehouse (per database)
_APP_PREFIX = "aurora-lock"
POLL_SECONDS = 0.5


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse lock."""

    exit_code = 3


def warehouse_name(target: Target) -> str:
    """The warehouse as users name it: the DuckDB file, or the PostgreSQL database (no password)."""
    return str(duckdb_path()) if target == "duckdb" else settings().postgres.safe_dsn()


# re-entrancy: warehouse -> depth of the locks this process holds on it
_HELD: dict[str, int] = {}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def warehouse_lock(
    target: Target,
    command: str,
    *,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse lock of ``target`` while the block runs (see the module docstring).

    ``command`` names the run (``aurora ingest``) for whoever is refused. ``wait``: wait for the
    holder instead of refusing; ``on_wait(message)`` is told once that the run waits."""
    name = warehouse_name(target)
    if _HELD.get(name):
        _HELD[name] += 1
        try:
            yield
        finally:
            _HELD[name] -= 1
        return
    holder = Holder(os.getpid(), command, _now())
    acquire = _duckdb_lock if target == "duckdb" else _postgres_lock
    with acquire(name, holder, wait, on_wait):
        _HELD[name] = 1
        try:
            yield
        finally:
            _HELD.pop(name, None)


def _busy(name: str, holder: Holder | None) -> WarehouseBusy:
    who = holder.describe() if holder is not None else "another process"
    return WarehouseBusy(
        f"warehouse {name} is in use by {who}: wait for it to finish, or pass --wait"
    )


@contextlib.contextmanager
def _duckdb_lock(
    name: str, holder: Holder, wait: bool, on_wait: Callable[[str], None] | None
) -> Iterator[None]:
    import fcntl

    path = lock_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children (PEP 446)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                other = duckdb_holder()
                if not wait:
                    raise _busy(name, other) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for warehouse {name}: in use by {_who(other)}")
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.as_json().encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _who(holder: Holder | None) -> str:
    return holder.describe() if holder is not None else "another process"


def _pg_connect(application_name: str) -> Any:
    import psycopg2

    pg = settings().postgres
    try:
        con = psycopg2.connect(
            host=pg.host,
            port=pg.port,
            user=pg.user,
            password=pg.password,
            dbname=pg.database,
            connect_timeout=10,
            application_name=application_name[:63],
        )
    except psycopg2.OperationalError as exc:
        raise WarehouseError(
            f"cannot connect to PostgreSQL at {pg.safe_dsn()}: {str(exc).strip()}"
        ) from None
    con.autocommit = True
    return con


def _pg_application_name(holder: Holder) -> str:
    # at most 63 bytes: "aurora-lock <pid> <started_at> <command>"
    return f"{_APP_PREFIX} {holder.pid} {holder.started_at} {holder.command}"


def postgres_holder(con: Any) -> Holder | None:
    """Who holds the advisory lock of the connection's database (None: nobody, or unknown)."""
    with con.cursor() as cur:
        cur.execute(
            "select a.application_name, a.backend_start from pg_locks l "
            "join pg_stat_activity a on a.pid = l.pid "
            "where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = %s "
            "and l.objsubid = 1 and l.database = "
            "(select oid from pg_database where datname = current_database())",
            (PG_LOCK_KEY,),
        )
        row = cur.fetchone()
    if row is None:
        return None
    app, backend_start = str(row[0] or ""), row[1]
    parts = app.split(" ", 3)
    if len(parts) == 4 and parts[0] == _APP_PREFIX and parts[1].isdigit():
        return Holder(int(parts[1]), parts[3], parts[2])
    started = backend_start.strftime("%Y-%m-%dT%H:%M:%SZ") if backend_start else "?"
    return Holder(None, app or "a session without a name", started)


@contextlib.contextmanager
def _postgres_lock(
    name: str, holder: Holder, wait: bool, on_wait: Callable[[str], None] | None
) -> Iterator[None]:
    con = _pg_connect(_pg_application_name(holder))
    try:
        told = False
        while True:
            with con.cursor() as cur:
                cur.execute("select pg_try_advisory_lock(%s)", (PG_LOCK_KEY,))
                row = cur.fetchone()
            if row is not None and row[0]:
                break
            other = postgres_holder(con)
            if not wait:
                raise _busy(name, other)
            if not told and on_wait is not None:
                on_wait(f"waiting for warehouse {name}: in use by {_who(other)}")
                told = True
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            with contextlib.suppress(Exception), con.cursor() as cur:
                cur.execute("select pg_advisory_unlock(%s)", (PG_LOCK_KEY,))
    finally:
        con.close()


def holder_of(target: Target) -> Holder | None:
    """Who holds the warehouse lock right now (None: nobody, as far as can be told)."""
    if target == "duckdb":
        import fcntl

        path = lock_file()
        if not path.exists():
            return None
        fd = os.open(path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return duckdb_holder()
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)
    con = _pg_connect(f"{_APP_PREFIX}-probe")
    try:
        return postgres_holder(con)
    finally:
        con.close()
