"""Shared pytest fixtures: the provider simulator, fresh warehouses, and config pointing at them.

Fixtures (generic on purpose, for any test that needs them):

- ``sim_network``: the DEFAULT simulated network (``Scenario()``), built once per session.
- ``sim_server``: a :class:`SimulatorServer` over ``sim_network`` on loopback, fresh per test (faults,
  ``set_down``, tip and Kobe withholding are per test). ``sim_server_factory(**kwargs)`` builds
  others (a different network, faults, ``kobe_withhold_epochs``...); all are stopped after the test.
- ``sim_seeds_dir``: a seeds folder with the simulated operator's validators.csv.
- ``sim_config``: the Aurora config with both providers pointed at ``sim_server`` and test-friendly
  limits; ``sim_config_factory(server, env=None, **provider_overrides)`` for other servers.
- ``duckdb_target_env``: a fresh DuckDB file for the test (``AURORA_DUCKDB_PATH`` set in the
  environment); the value is the env dict.
- ``fresh_pg_database``: a new, empty PostgreSQL database (C collation) for the test, dropped after;
  the value is its name. ``postgres_target_env`` sets ``AURORA_PG_*`` to it; the value is the env.
  PostgreSQL tests fail (never skip) when no server answers: `make test` provides one.
- ``warehouse_target``: parametrised ``duckdb`` / ``postgres`` with the matching env applied.
- ``pipelines_dir``: a per-test dlt pipelines folder.
- ``shared_warehouses``: ONE warehouse per engine built by `aurora demo` for the whole session (on
  first use; ``.demo(target)``, whose ``.demo`` attribute holds the run's stdout and stderr), and
  ``.copy(target, tmp_path)``: an independent copy for a test that changes it (see
  ``support.SharedWarehouses``). ``demo_warehouses``: the same as a mapping engine -> warehouse.
  Tests must never change the shared warehouses themselves: they change copies.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Tests never send telemetry, and dlt's arrow path adds _dlt_load_id from the first load.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


# ---------------------------------------------------------------------------------- simulator
@pytest.fixture(scope="session")
def sim_network() -> Any:
    from ingest.simulator.network import Scenario, build_network

    return build_network(Scenario())


@pytest.fixture
def sim_server_factory() -> Iterator[Callable[..., Any]]:
    from ingest.simulator.server import SimulatorServer

    started: list[Any] = []

    def make(network: Any, **kwargs: Any) -> Any:
        server = SimulatorServer(network, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sim_server(sim_network: Any, sim_server_factory: Callable[..., Any]) -> Any:
    return sim_server_factory(sim_network)


@pytest.fixture
def sim_seeds_dir(sim_network: Any, tmp_path: Path) -> Path:
    from ingest.simulator import truth

    seeds = tmp_path / "seeds"
    truth.write_seed_files(sim_network, seeds)
    return seeds


SIM_PROVIDER_DEFAULTS: dict[str, str] = {
    "RATE_LIMIT_PER_SECOND": "5000",
    "MAX_CONCURRENCY": "6",
    "TIMEOUT_SECONDS": "10",
    "MAX_RETRIES": "12",
}


def make_sim_config(server: Any, env: dict[str, str] | None = None, **overrides: str) -> Any:
    """Aurora config whose providers are the simulator at ``server`` (URL overrides in env).

    ``overrides``: provider fields for both providers, e.g. ``MAX_RETRIES="2"``;
    ``env``: any further environment (e.g. ``AURORA_SOLANA_START_EPOCH``)."""
    from ingest.config import load_config

    values = {**SIM_PROVIDER_DEFAULTS, **{k.upper(): v for k, v in overrides.items()}}
    merged = dict(os.environ)
    merged["AURORA_PROVIDER_SOLANA_RPC_URL"] = server.rpc_url
    merged["AURORA_PROVIDER_JITO_KOBE_URL"] = server.kobe_url
    for provider in ("SOLANA_RPC", "JITO_KOBE"):
        for field, value in values.items():
            merged[f"AURORA_PROVIDER_{provider}_{field}"] = value
    merged.update(env or {})
    return load_config(env=merged)


@pytest.fixture
def sim_config(sim_server: Any) -> Any:
    return make_sim_config(sim_server)


@pytest.fixture
def sim_config_factory() -> Callable[..., Any]:
    """``make_sim_config`` as a fixture (test modules do not import conftest)."""
    return make_sim_config


@pytest.fixture
def pipelines_dir(tmp_path: Path) -> Path:
    path = tmp_path / "dlt_pipelines"
    path.mkdir()
    return path


# ---------------------------------------------------------------------------------- DuckDB
@pytest.fixture
def duckdb_target_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(path))
    monkeypatch.setenv("AURORA_TARGET", "duckdb")
    return {"AURORA_TARGET": "duckdb", "AURORA_DUCKDB_PATH": str(path)}


# -------------------------------------------------------------------------------- PostgreSQL
def _pg_settings() -> dict[str, Any]:
    return {
        "host": os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("AURORA_PG_PORT", "5432")),
        "user": os.environ.get("AURORA_PG_USER", "aurora"),
        "password": os.environ.get("AURORA_PG_PASSWORD", "aurora"),
    }


def _pg_connect(dbname: str = "postgres") -> Any:
    import psycopg2

    con = psycopg2.connect(dbname=dbname, connect_timeout=5, **_pg_settings())
    con.autocommit = True
    return con


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        _pg_connect().close()
        return True
    except Exception as exc:
        # PostgreSQL is part of the product: a missing server fails the tests, never skips them
        # (`make test` provides one: tests/services.py).
        pytest.fail(
            f"PostgreSQL not reachable ({type(exc).__name__}: {exc}); run the tests with "
            "`make test`, which starts one (tests/services.py)",
            pytrace=False,
        )
    return False


_DB_COUNTER = itertools.count(1)


@pytest.fixture
def fresh_pg_database(pg_available: bool) -> Iterator[str]:
    name = f"aurora_test_ingest_{os.getpid()}_{next(_DB_COUNTER)}"
    con = _pg_connect()
    try:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
            cur.execute(
                f"create database \"{name}\" template template0 encoding 'UTF8' "
                "lc_collate 'C' lc_ctype 'C'"
            )
        yield name
    finally:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        con.close()


@pytest.fixture
def postgres_target_env(fresh_pg_database: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    s = _pg_settings()
    env = {
        "AURORA_TARGET": "postgres",
        "AURORA_PG_HOST": s["host"],
        "AURORA_PG_PORT": str(s["port"]),
        "AURORA_PG_USER": s["user"],
        "AURORA_PG_PASSWORD": s["password"],
        "AURORA_PG_DATABASE": fresh_pg_database,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_target(request: pytest.FixtureRequest) -> str:
    """``duckdb`` or ``postgres``, with a fresh warehouse of that kind in the environment."""
    target: str = request.param
    request.getfixturevalue("duckdb_target_env" if target == "duckdb" else "postgres_target_env")
    return target


# ------------------------------------------------------------------- shared demo warehouses
SHARED_FIXTURES = {"shared_warehouses", "demo_warehouses"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n 2 --dist loadgroup`), every test of the shared demo warehouses runs
    in one worker, so each engine's `aurora demo` is built once, not once per worker."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("demo_warehouses"))


@pytest.fixture(scope="session")
def shared_warehouses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from support import SharedWarehouses

    shared = SharedWarehouses(tmp_path_factory.mktemp("shared"))
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture(scope="session")
def demo_warehouses(shared_warehouses: Any) -> Mapping[str, Any]:
    """engine -> the shared `aurora demo` warehouse (built lazily; read it, never change it)."""
    from support import DemoWarehouses

    return DemoWarehouses(shared_warehouses)


# ---------------------------------------------------------------------------------- queries
def query_warehouse(target: str, sql: str) -> list[tuple[Any, ...]]:
    """Run a read query on the current test warehouse (from the environment)."""
    if target == "duckdb":
        import duckdb

        con = duckdb.connect(os.environ["AURORA_DUCKDB_PATH"], read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    con = _pg_connect(os.environ["AURORA_PG_DATABASE"])
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall()) if cur.description else []
    finally:
        con.close()


@pytest.fixture
def warehouse_query() -> Callable[[str, str], list[tuple[Any, ...]]]:
    """``query(target, sql)`` on the test's warehouse (DuckDB file or PostgreSQL database)."""
    return query_warehouse
