"""Warehouse targets, DuckDB and PostgreSQL: which one, where it is, and read queries on it.

Connection settings come from the environment (ingest/env.py), with defaults matching
docker-compose.yml; dlt (core/destination.py) and dbt (build.py) read the same values, so raw
tables and models share a database.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def query(target: Target, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only query on the warehouse; returns (column names, rows)."""
    if target == "duckdb":
        import duckdb

        path = duckdb_path()
        if not path.exists():
            raise WarehouseError(
                f"no DuckDB warehouse at {path}: run `aurora demo` or `aurora run`"
            )
        con = duckdb.connect(str(path), read_only=True)
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
