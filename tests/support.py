"""Helpers for tests that build real warehouses: a fresh DuckDB file or PostgreSQL database per
test, and dbt run in a subprocess against it (dbt-duckdb keeps its file locked in-process)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def pg_settings() -> dict[str, str]:
    return {
        "host": os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("AURORA_PG_PORT", "5432"),
        "user": os.environ.get("AURORA_PG_USER", "aurora"),
        "password": os.environ.get("AURORA_PG_PASSWORD", "aurora"),
    }


def _pg_admin_connect() -> Any:
    import psycopg2

    s = pg_settings()
    con = psycopg2.connect(
        host=s["host"],
        port=int(s["port"]),
        user=s["user"],
        password=s["password"],
        dbname="postgres",
    )
    con.autocommit = True
    return con


@contextlib.contextmanager
def fresh_pg_database(prefix: str = "aurora_t") -> Iterator[str]:
    """Create an empty database (C collation) owned by the test role; drop it afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    con = _pg_admin_connect()
    try:
        with con.cursor() as cur:
            cur.execute(
                f"create database \"{name}\" template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'"
            )
        yield name
    finally:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        con.close()


@dataclass
class Warehouse:
    """One target warehouse for a test: its environment and how to run dbt and queries on it."""

    target: str
    env: dict[str, str]
    target_path: Path
    project_dir: Path = REPO_ROOT
    log_path: Path = field(default_factory=lambda: Path("logs"))

    def dbt(
        self, *args: str, vars: Mapping[str, Any] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cmd = [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(REPO_ROOT),
            "--target",
            self.target,
            "--target-path",
            str(self.target_path),
            "--log-path",
            str(self.log_path),
        ]
        if vars:
            cmd += ["--vars", json.dumps(dict(vars))]
        result = subprocess.run(
            cmd, cwd=self.project_dir, env=self.env, text=True, capture_output=True, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def run_results(self) -> dict[str, dict[str, Any]]:
        """Latest run_results.json keyed by node name."""
        data = json.loads((self.target_path / "run_results.json").read_text())
        return {r["unique_id"].split(".")[2]: r for r in data["results"]}

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(self.env["AURORA_DUCKDB_PATH"], read_only=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        import psycopg2

        s = pg_settings()
        con = psycopg2.connect(
            host=s["host"],
            port=int(s["port"]),
            user=s["user"],
            password=s["password"],
            dbname=self.env["AURORA_PG_DATABASE"],
        )
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall()) if cur.description else []
        finally:
            con.close()

    def execute(self, sql: str) -> None:
        """Run a statement that changes the warehouse (crafting bad rows in tests)."""
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(self.env["AURORA_DUCKDB_PATH"])
            try:
                con.execute(sql)
            finally:
                con.close()
            return
        import psycopg2

        s = pg_settings()
        con = psycopg2.connect(
            host=s["host"],
            port=int(s["port"]),
            user=s["user"],
            password=s["password"],
            dbname=self.env["AURORA_PG_DATABASE"],
        )
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(sql)
        finally:
            con.close()


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "NO_COLOR": "1",
        }
    )
    return env


@contextlib.contextmanager
def warehouse(target: str, tmp_path: Path) -> Iterator[Warehouse]:
    """A fresh, empty warehouse of the given target for one test."""
    shutil.copyfile(REPO_ROOT / "profiles.example.yml", REPO_ROOT / "profiles.yml")
    env = base_env()
    env["AURORA_TARGET"] = target
    env["AURORA_DBT_TARGET_PATH"] = str(tmp_path / f"target_{target}")
    env["AURORA_DUCKDB_PATH"] = str(tmp_path / "warehouse.duckdb")
    if target == "duckdb":
        yield Warehouse(target, env, tmp_path / f"target_{target}", log_path=tmp_path / "logs")
        return
    with fresh_pg_database() as name:
        env["AURORA_PG_DATABASE"] = name
        for key, value in pg_settings().items():
            env[f"AURORA_PG_{key.upper()}"] = value
        env["AURORA_PG_DATABASE"] = name
        yield Warehouse(target, env, tmp_path / f"target_{target}", log_path=tmp_path / "logs")


def run_aurora(
    args: Sequence[str], env: Mapping[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run the `aurora` CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        cwd=REPO_ROOT,
        env=dict(env),
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


PROJECT_FILES = ("dbt_project.yml", "profiles.example.yml")
PROJECT_DIRS = (
    "ingest",
    "dbt_project",
    "macros",
    "seeds",
    "config",
    "tests/generic",
    "tests/singular",
    "tests/fixtures",
)


def project_copy(dest: Path) -> Path:
    """A copy of the project (the ingest package, the dbt project, seeds, config) at ``dest``, for
    tests that edit what finance edits: `aurora` run there (:func:`run_aurora_in`) reads the copy's
    seeds and builds the copy's models."""
    for name in PROJECT_FILES:
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    return dest


def run_aurora_in(
    project: Path, args: Sequence[str], env: Mapping[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run the `aurora` CLI of a :func:`project_copy`."""
    env = {**env, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        cwd=project,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
