"""Warehouse targets: where raw data lands (dlt) and where dbt builds, for DuckDB and PostgreSQL.

Connection settings come from the environment (ingest/env.py), with defaults matching
docker-compose.yml; dlt and dbt read the same values, so raw tables and models share a database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from ingest.env import REPO_ROOT, child_environ, settings
from ingest.errors import WarehouseError

Target = Literal["duckdb", "postgres"]
TARGETS: tuple[Target, ...] = ("duckdb", "postgres")

RAW_SOLANA_DATASET = "raw_solana"
RAW_REGISTRY_DATASET = "raw_registry"


def resolve_target(target: str | None) -> Target:
    value = target or settings().target
    if value not in TARGETS:
        raise WarehouseError(f"unknown target {value!r}: expected one of {', '.join(TARGETS)}")
    return value  # type: ignore[return-value]


def duckdb_path(env: Mapping[str, str] | None = None) -> Path:
    return settings(env).duckdb_path


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


def dlt_destination(target: Target) -> Any:
    """A dlt destination object for the target (imported lazily: dlt is slow to import)."""
    import dlt

    if target == "duckdb":
        path = duckdb_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(credentials=str(path))
    return dlt.destinations.postgres(credentials=settings().postgres.dsn())


def pipelines_dir(target: Target) -> Path:
    """dlt's local working folder, one per warehouse (a DuckDB file or a PostgreSQL database):
    dlt keeps schema and state there, which must never leak from one warehouse to another.
    AURORA_DLT_PIPELINES_DIR overrides the parent folder."""
    import hashlib

    if target == "duckdb":
        identity = str(duckdb_path())
    else:
        pg = settings().postgres
        identity = f"{pg.host}:{pg.port}/{pg.database}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    parent = settings().dlt_pipelines_dir or REPO_ROOT / "data" / "dlt_pipelines"
    path = parent / f"{target}-{digest}"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    import json

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
    result = subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        text=True,
        capture_output=capture,
        check=False,
    )
    return result


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

    pg_settings = settings().postgres
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
