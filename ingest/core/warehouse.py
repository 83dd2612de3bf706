"""Warehouse targets, DuckDB and PostgreSQL: which one, where it is, and read queries on it.

Connection settings come from the environment (ingest/env.py), with defaults matching
docker-compose.yml; dlt (core/destination.py) and dbt (build.py) read the same values, so raw
tables and models share a database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ingest.env import settings
from ingest.errors import WarehouseError

Target = Literal["duckdb", "postgres"]
TARGETS: tuple[Target, ...] = ("duckdb", "postgres")


def resolve_target(target: str | None) -> Target:
    value = target or settings().target
    if value not in TARGETS:
        raise WarehouseError(f"unknown target {value!r}: expected one of {', '.join(TARGETS)}")
    return value  # type: ignore[return-value]


def duckdb_path(env: Mapping[str, str] | None = None) -> Path:
    return settings(env).duckdb_path


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a warehouse lock."""

    pid: int | None
    command: str
    started_at: str

    def describe(self) -> str:
        who = f"pid {self.pid}" if self.pid is not None else "another process"
        return f"{who} ({self.command}, started at {self.started_at})"

    def as_json(self) -> str:
        return json.dumps({"pid": self.pid, "command": self.command, "started_at": self.started_at})

    @classmethod
    def from_json(cls, text: str) -> Holder | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["command"]), str(data["started_at"]))
        except (ValueError, KeyError, TypeError):
            return None


def lock_file(path: Path | None = None) -> Path:
    """The Aurora lock file of a DuckDB warehouse file (ingest/core/lock.py holds it)."""
    path = path or duckdb_path()
    return path.with_name(path.name + ".aurora-lock")


def duckdb_holder(path: Path | None = None) -> Holder | None:
    """Who holds the Aurora lock of a DuckDB warehouse, from its lock file (None: nobody says)."""
    try:
        return Holder.from_json(lock_file(path).read_text(encoding="utf-8"))
    except OSError:
        return None


_DUCKDB_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _process_command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    names = [Path(w).name if i == 0 or w.startswith("/") else w for i, w in enumerate(words)]
    text = " ".join(names)
    return text if len(text) <= 80 else text[:77] + "..."


def duckdb_lock_message(error: str, path: Path | None = None) -> str | None:
    """When ``error`` is DuckDB's "Could not set lock on file" (another process has the file
    open), one line naming who holds it: the Aurora run holding the warehouse lock, else the
    process DuckDB names. None for any other error."""
    if "Could not set lock on file" not in error:
        return None
    path = path or duckdb_path()
    match = _DUCKDB_LOCK_PID.search(error)
    pid = int(match.group(1)) if match else None
    holder = duckdb_holder(path)
    if holder is not None and (pid is None or holder.pid == pid):
        who = holder.describe()
    elif pid is not None:
        command = _process_command(pid)
        who = f"pid {pid}" + (f" ({command})" if command else "")
    else:
        who = "another process"
    return (
        f"warehouse {path} is locked by {who}: another process has the DuckDB file open; "
        "wait for it to finish (or end it), then run the command again"
    )


def translate_error(exc: BaseException) -> WarehouseError | None:
    """A library error (dlt, dbt, duckdb) that means the warehouse is held by another process, as
    a WarehouseError naming the holder; None for any other error. Looks through the causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        message = duckdb_lock_message(str(current))
        if message is not None:
            return WarehouseError(message)
        current = current.__cause__ or current.__context__
    return None


def query(target: Target, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only query on the warehouse; returns (column names, rows)."""
    if target == "duckdb":
        import duckdb

        path = duckdb_path()
        if not path.exists():
            raise WarehouseError(
                f"no DuckDB warehouse at {path}: run `aurora demo` or `aurora run`"
            )
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            message = duckdb_lock_message(str(exc), path)
            raise WarehouseError(message or f"cannot open {path}: {exc}") from None
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description or []]
            return names, cur.fetchall()
        finally:
            con.close()
    import psycopg2

    pg_settings = settings().postgres_for("finance")  # reads the marts (README "Access control")
    try:
        pg = psycopg2.connect(
            host=pg_settings.host,
            port=pg_settings.port,
            user=pg_settings.user,
            password=pg_settings.password,
            dbname=pg_settings.database,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        raise WarehouseError(
            f"cannot connect to PostgreSQL at {pg_settings.safe_dsn()}: {str(exc).strip()}"
        ) from None
    try:
        with pg.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description or []]
            return names, list(cur.fetchall())
    finally:
        pg.close()
