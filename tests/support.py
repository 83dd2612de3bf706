"""Helpers for tests that build real warehouses: a fresh DuckDB file or PostgreSQL database per
test, and dbt run in a subprocess against it (dbt-duckdb keeps its file locked in-process).

``SharedWarehouses`` holds ONE warehouse per engine built by `aurora demo` for the whole session
(built on first use), and hands out cheap independent copies of it to the tests that change a
warehouse: a copied DuckDB file, or a PostgreSQL database created with the built one as template.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
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
    # the `aurora demo` run that built it (shared demo warehouses only): its stdout and stderr
    demo: subprocess.CompletedProcess[str] | None = None

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


def ensure_profiles() -> None:
    """profiles.yml (dbt reads only that name) from profiles.example.yml, replaced atomically and
    only when it differs: a dbt run in another test process may be reading it."""
    source = REPO_ROOT / "profiles.example.yml"
    dest = REPO_ROOT / "profiles.yml"
    if dest.exists() and dest.read_bytes() == source.read_bytes():
        return
    partial = dest.with_name(f".profiles.yml.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    shutil.copyfile(source, partial)
    os.replace(partial, dest)


@contextlib.contextmanager
def warehouse(target: str, tmp_path: Path) -> Iterator[Warehouse]:
    """A fresh, empty warehouse of the given target for one test."""
    ensure_profiles()
    env = base_env()
    env["AURORA_TARGET"] = target
    env["AURORA_DBT_TARGET_PATH"] = str(tmp_path / f"target_{target}")
    env["AURORA_DUCKDB_PATH"] = str(tmp_path / "warehouse.duckdb")
    # dlt's local state belongs to this warehouse alone (and stays out of the repository's data/)
    env["AURORA_DLT_PIPELINES_DIR"] = str(tmp_path / "dlt_pipelines")
    # dbt's log of the `aurora` commands run on it (Warehouse.dbt passes --log-path itself)
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
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


# ------------------------------------------------------------------ shared demo warehouses
ENGINES = ("duckdb", "postgres")


def _terminate_connections(con: Any, database: str) -> None:
    """Close every other session on ``database`` (a template must have none)."""
    with con.cursor() as cur:
        cur.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where datname = %s and pid <> pg_backend_pid()",
            (database,),
        )


def create_pg_copy(source: str, name: str) -> None:
    """``create database name template source``, retried while a session is still leaving."""
    import psycopg2

    con = _pg_admin_connect()
    try:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        for attempt in range(20):
            _terminate_connections(con, source)
            try:
                with con.cursor() as cur:
                    cur.execute(f'create database "{name}" template "{source}"')
                return
            except psycopg2.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.25)
    finally:
        con.close()


def drop_pg_database(name: str) -> None:
    con = _pg_admin_connect()
    try:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
    finally:
        con.close()


def _clear_target_dir(path: Path) -> None:
    """Empty a dbt target folder but keep dbt's partial-parse state (saves a full parse)."""
    if not path.is_dir():
        return
    for child in path.iterdir():
        if child.name == "partial_parse.msgpack":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def _copy_dlt_state(source: Warehouse, env: dict[str, str]) -> None:
    """Give a copy the built warehouse's local dlt state (schemas, pipeline state), under the
    folder name dlt uses for the copy, as if `aurora demo` ran again where the first one ran."""
    from unittest import mock

    from ingest.core.destination import pipelines_dir

    with mock.patch.dict(os.environ, source.env, clear=True):
        src = pipelines_dir(source.target)  # type: ignore[arg-type]
    assert any(src.iterdir()), f"no dlt state in {src}"
    with mock.patch.dict(os.environ, env, clear=True):
        dest = pipelines_dir(source.target)  # type: ignore[arg-type]
    shutil.rmtree(dest)
    shutil.copytree(src, dest)


def fingerprint(wh: Warehouse) -> str:
    """What changes when anything writes to a warehouse: the DuckDB file's SHA-256, or PostgreSQL's
    cumulative row-write counters of every table (reads leave both alone)."""
    if wh.target == "duckdb":
        digest = hashlib.sha256()
        for suffix in ("", ".wal"):
            path = Path(f"{wh.env['AURORA_DUCKDB_PATH']}{suffix}")
            if path.exists():
                with path.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
            digest.update(b"|")
        return digest.hexdigest()
    rows = wh.query(
        "select schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del from pg_stat_user_tables "
        "order by schemaname, relname"
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class SharedWarehouses:
    """One `aurora demo` warehouse per engine for the session, built on first use (``demo``),
    and independent copies of it (``copy``) for the tests that change a warehouse.

    Tests that only read use ``demo(target)`` directly and must never change it. Copies are made in
    one fixed place per engine (same DuckDB path, same PostgreSQL database name, same dbt target
    folder), one at a time: dbt's partial parse is keyed by the connection, so successive copies
    reuse it instead of parsing the project again. A copy made while that place is taken (or with
    another ``target_path``) gets its own place."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._built: dict[str, Warehouse] = {}
        self._failed: dict[str, str] = {}
        self._busy: set[str] = set()
        self._stack = contextlib.ExitStack()
        self._copies = 0
        self._fingerprints: dict[str, str] = {}

    def demo(self, target: str) -> Warehouse:
        """The demo warehouse of ``target``, running `aurora demo` the first time."""
        assert target in ENGINES, target
        if target in self._failed:
            raise AssertionError(self._failed[target])
        if target not in self._built:
            folder = self.base / f"demo_{target}"
            folder.mkdir(parents=True, exist_ok=True)
            wh = self._stack.enter_context(warehouse(target, folder))
            result = run_aurora(["demo", "--target", target], wh.env)
            if result.returncode != 0:
                self._failed[target] = (
                    f"`aurora demo --target {target}` failed:\n"
                    + result.stdout[-6000:]
                    + result.stderr[-4000:]
                )
                raise AssertionError(self._failed[target])
            wh.demo = result
            self._built[target] = wh
            self._fingerprints[target] = fingerprint(wh)
        return self._built[target]

    @contextlib.contextmanager
    def copy(
        self,
        target: str,
        tmp_path: Path,
        *,
        target_path: Path | None = None,
        project_dir: Path | None = None,
        dlt_state: bool = False,
    ) -> Iterator[Warehouse]:
        """An independent copy of the demo warehouse of ``target``, removed afterwards.

        ``target_path``: the dbt target folder (default: the shared one of the copies, emptied but
        for dbt's partial-parse state; pass one for dbt calls with other ``--vars`` or another
        ``project_dir``, which would parse again anyway). ``dlt_state``: also copy the local dlt
        state (for running ingestion or `aurora demo` again on the copy)."""
        source = self.demo(target)
        slot = "shared" if target not in self._busy else None
        if slot is None:
            self._copies += 1
            slot = f"own{self._copies}"
        else:
            self._busy.add(target)
        place = self.base / f"copy_{target}_{slot}"
        place.mkdir(parents=True, exist_ok=True)
        if target_path is None:
            target_path = place / f"target_{target}"
            _clear_target_dir(target_path)
        env = dict(source.env)
        env["AURORA_DBT_TARGET_PATH"] = str(target_path)
        env["AURORA_DLT_PIPELINES_DIR"] = str(tmp_path / "copy_dlt_pipelines")
        env["DBT_LOG_PATH"] = str(tmp_path / "logs")
        database: str | None = None
        path: Path | None = None
        try:
            if target == "duckdb":
                golden = Path(source.env["AURORA_DUCKDB_PATH"])
                # the same file name: DuckDB names the catalog after it (views refer to it)
                path = place / golden.name
                assert path != golden
                for suffix in ("", ".wal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                    if Path(f"{golden}{suffix}").exists():
                        shutil.copyfile(f"{golden}{suffix}", f"{path}{suffix}")
                env["AURORA_DUCKDB_PATH"] = str(path)
            else:
                database = f"{source.env['AURORA_PG_DATABASE']}_{slot}"
                create_pg_copy(source.env["AURORA_PG_DATABASE"], database)
                env["AURORA_PG_DATABASE"] = database
            if dlt_state:
                _copy_dlt_state(source, env)
            yield Warehouse(
                target,
                env,
                target_path,
                project_dir=project_dir or source.project_dir,
                log_path=tmp_path / "logs",
            )
        finally:
            if database is not None:
                drop_pg_database(database)
            if path is not None:
                for suffix in ("", ".wal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            if slot == "shared":
                self._busy.discard(target)

    def close(self) -> None:
        """Drop the demo warehouses; fail if a test changed one (tests change copies only)."""
        try:
            changed = [
                t for t, fp in self._fingerprints.items() if fingerprint(self._built[t]) != fp
            ]
        finally:
            self._stack.close()
        assert not changed, f"a test changed the shared demo warehouse of {changed}: use a copy"


class DemoWarehouses(Mapping[str, Warehouse]):
    """The shared demo warehouses as a mapping engine -> Warehouse; each is built when first read."""

    def __init__(self, shared: SharedWarehouses, targets: Sequence[str] = ENGINES) -> None:
        self.shared = shared
        self.targets = tuple(targets)

    def __getitem__(self, target: str) -> Warehouse:
        if target not in self.targets:
            raise KeyError(target)
        return self.shared.demo(target)

    def __iter__(self) -> Iterator[str]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)


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
