"""The one reader of the process environment: :class:`Settings`, built from ``os.environ``.

Every ``AURORA_*`` variable Aurora understands is read here, and nowhere else:

- ``AURORA_TARGET``: the warehouse, ``duckdb`` (default) or ``postgres``;
- ``AURORA_DUCKDB_PATH``: the DuckDB file (default ``data/aurora.duckdb``, relative to the repository);
- ``AURORA_PG_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_DATABASE``: PostgreSQL (defaults match
  docker-compose.yml);
- ``AURORA_<STEP>_PG_USER``, ``AURORA_<STEP>_PG_PASSWORD`` (STEP: ADMIN, LOADER, TRANSFORMER,
  FINANCE): the login of one step on PostgreSQL (README "Access control"), falling back to
  ``AURORA_PG_USER``/``_PASSWORD``; dbt reads the transformer's through profiles.example.yml;
- ``AURORA_ROLE_PREFIX``: prepended to every PostgreSQL role name Aurora creates or checks;
- ``AURORA_LOGIN_PASSWORD`` (or the variable ``--password-env`` names): the password of the login
  ``aurora access add-login`` creates;
- ``AURORA_DBT_TARGET_PATH``: dbt's artifact folder (default ``target_<target>``);
- ``AURORA_DLT_PIPELINES_DIR``: the parent of dlt's working folders (default ``data/dlt_pipelines``);
- ``AURORA_CONFIG_DIR``: the folder of chains.yaml and providers.yaml (default ``config/``);
- ``AURORA_<CHAIN>_START_EPOCH``: where incremental ingestion of a chain starts;
- ``AURORA_<CHAIN>_START_DAY``: the same for a chain whose period is the UTC day (YYYY-MM-DD);
- ``AURORA_PROVIDER_<ID>_<FIELD>``: a provider field of providers.yaml, overridden;
- the API key variables that providers.yaml names in ``api_key_env``.

Settings are read afresh on every call of :func:`settings` (tests and the demo change the
environment between calls); :meth:`Settings.overlay` gives settings with some variables replaced, without
touching the process. :func:`child_environ` is the environment handed to subprocesses (dbt), and
:func:`configure_process` sets the few variables Aurora exports for its libraries (dlt, dbt).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ingest.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent

# What Aurora exports for the libraries it drives, before any of them runs: dlt adds _dlt_load_id
# to the rows of arrow tables (RAW_TABLES.md), and neither dlt nor dbt sends telemetry.
_LIBRARY_SETTINGS = {"NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true"}
# Who connects for what on PostgreSQL (methodology §10): `access` as the admin, ingestion as the
# loader, dbt as the transformer (profiles.example.yml), statements and reports as finance.
Step = Literal["admin", "loader", "transformer", "finance"]

_LIBRARY_DEFAULTS = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


@dataclass(frozen=True)
class PostgresSettings:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, step: Step | None = None
    ) -> PostgresSettings:
        """The connection settings; with ``step``, that step's login (:meth:`Settings.postgres_for`)."""
        found = settings(env)
        return found.postgres if step is None else found.postgres_for(step)

    def dsn(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    def safe_dsn(self) -> str:
        return f"postgresql://{self.user}:***@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class Settings:
    """Aurora's view of the environment (see the module docstring)."""

    target: str  # checked where it is used: `--target` may override a wrong value
    duckdb_path: Path  # absolute
    postgres: PostgresSettings
    dbt_target_path: str | None
    dlt_pipelines_dir: Path | None
    config_dir: Path | None
    role_prefix: str  # checked where it is used (ingest/access.py)
    variables: Mapping[str, str] = field(repr=False)  # the environment read: for the lookups below

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str, default: str = "") -> str:
            return env.get(name) or default

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        port = get("AURORA_PG_PORT", "5432")
        if not port.isdigit():
            raise ConfigError(f"AURORA_PG_PORT: expected a port number, got {port!r}")
        duckdb = Path(get("AURORA_DUCKDB_PATH", "data/aurora.duckdb"))
        return cls(
            target=get("AURORA_TARGET", "duckdb"),
            duckdb_path=duckdb if duckdb.is_absolute() else REPO_ROOT / duckdb,
            postgres=PostgresSettings(
                host=get("AURORA_PG_HOST", "127.0.0.1"),
                port=int(port),
                user=get("AURORA_PG_USER", "aurora"),
                password=get("AURORA_PG_PASSWORD", "aurora"),
                database=get("AURORA_PG_DATABASE", "aurora"),
            ),
            dbt_target_path=get("AURORA_DBT_TARGET_PATH") or None,
            dlt_pipelines_dir=path("AURORA_DLT_PIPELINES_DIR"),
            config_dir=path("AURORA_CONFIG_DIR"),
            role_prefix=get("AURORA_ROLE_PREFIX"),
            variables=dict(env),
        )

    def overlay(self, variables: Mapping[str, str]) -> Settings:
        """These settings with some variables set (the demo points the providers at a simulator)."""
        return Settings.from_environ({**self.variables, **variables})

    def postgres_for(self, step: Step) -> PostgresSettings:
        """The PostgreSQL login of one step: ``AURORA_<STEP>_PG_USER``/``_PASSWORD`` when set, else
        ``AURORA_PG_USER``/``_PASSWORD`` (one development role for every step)."""
        name = step.upper()
        return replace(
            self.postgres,
            user=self.variables.get(f"AURORA_{name}_PG_USER") or self.postgres.user,
            password=self.variables.get(f"AURORA_{name}_PG_PASSWORD") or self.postgres.password,
        )

    def provider_override(self, provider_id: str, field_name: str) -> str | None:
        """``AURORA_PROVIDER_<ID>_<FIELD>``, or None when unset or empty."""
        return (
            self.variables.get(f"AURORA_PROVIDER_{provider_id.upper()}_{field_name.upper()}")
            or None
        )

    def start_epoch(self, chain: str) -> str | None:
        """``AURORA_<CHAIN>_START_EPOCH`` as given (checked by the config loader), or None."""
        return self.variables.get(f"AURORA_{chain.upper()}_START_EPOCH") or None

    def start_day(self, chain: str) -> str | None:
        """``AURORA_<CHAIN>_START_DAY`` as given (checked by the config loader), or None."""
        return self.variables.get(f"AURORA_{chain.upper()}_START_DAY") or None

    def login_password(self, variable: str) -> str | None:
        """The password of a new login (``aurora access add-login``) from ``variable``, as given;
        None when unset or empty. Never log the returned value."""
        return self.variables.get(variable) or None

    def secret(self, variable: str) -> str | None:
        """The value of the variable that holds an API key, stripped; None when unset or empty.
        Never log the returned value."""
        value = self.variables.get(variable, "").strip()
        return value or None


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings of ``env``, by default the process environment as it is now."""
    return Settings.from_environ(os.environ if env is None else env)


def child_environ(updates: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a subprocess: this process's, with ``updates``."""
    return {**os.environ, **(updates or {})}


def configure_process() -> None:
    """Export the library settings Aurora depends on (see ``_LIBRARY_SETTINGS``); set telemetry off
    unless the user chose otherwise. Called before dlt or dbt first runs."""
    os.environ.update(_LIBRARY_SETTINGS)
    for name, value in _LIBRARY_DEFAULTS.items():
        os.environ.setdefault(name, value)
