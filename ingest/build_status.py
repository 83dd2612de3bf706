"""Which build the marts come from, and whether it still matches the warehouse: the build fingerprint
and ``aurora_meta.build_status``.

The **fingerprint** of a warehouse is the SHA-256 of four parts (:func:`current_fingerprint`):

- ``loads``: the completed dlt loads of every raw dataset (``raw_*._dlt_loads``, status 0) and the
  months closed in the ledger (ingest/close.py);
- ``seeds``: every file under dbt's seed paths (what finance edits);
- ``config``: config/chains.yaml and config/providers.yaml (the ones in effect) and dbt_project.yml;
- ``models``: every file under dbt's model, macro, test, snapshot and analysis paths.

The run sequence (ingest/orchestrate.py) writes one row per build to ``aurora_meta.build_status``,
a schema dbt does not own: ``started`` before `dbt build` runs, then ``succeeded`` or ``failed``
with dbt's summary; a build that is killed stays ``started``. :func:`freshness` compares the last
build with the current fingerprint: the marts are **current** only when the last full build
succeeded with today's fingerprint and no build after it failed or was interrupted. A new load, a
seed edit, a config or model change all make them **stale**. The statements export and the demo
refuse to read a warehouse that is not current (:func:`require_current`), and `aurora build`
skips dbt when the warehouse is already current (the no-op build); period close will use the same.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from ingest.core.warehouse import Target, duckdb_path
from ingest.env import REPO_ROOT, settings
from ingest.errors import WarehouseError

SCHEMA = "aurora_meta"
TABLE = "build_status"
FINGERPRINT_VERSION = "1"
PARTS = ("loads", "seeds", "config", "models")

Status = Literal["started", "succeeded", "failed"]
State = Literal["current", "stale", "failed", "interrupted", "running", "never"]

_COLUMNS = (
    ("build_id", "text"),
    ("command", "text"),
    ("selection", "text"),
    ("full_refresh", "boolean"),
    ("fingerprint", "text"),
    ("loads_sha256", "text"),
    ("seeds_sha256", "text"),
    ("config_sha256", "text"),
    ("models_sha256", "text"),
    ("status", "text"),
    ("started_at", "timestamp"),
    ("finished_at", "timestamp"),
    ("pid", "bigint"),
    ("summary", "text"),
)


class StaleWarehouse(WarehouseError):
    """The marts do not come from a successful build of what the warehouse holds now."""


@dataclass(frozen=True)
class Fingerprint:
    parts: Mapping[str, str]  # part -> sha256

    @property
    def digest(self) -> str:
        text = "\n".join(f"{p}={self.parts[p]}" for p in PARTS)
        return hashlib.sha256(
            f"aurora-fingerprint-{FINGERPRINT_VERSION}\n{text}".encode()
        ).hexdigest()

    @property
    def short(self) -> str:
        return self.digest[:12]

    def changed(self, other: Fingerprint) -> list[str]:
        """The parts that differ between two fingerprints."""
        return [p for p in PARTS if self.parts.get(p) != other.parts.get(p)]


@dataclass(frozen=True)
class BuildRecord:
    build_id: str
    command: str
    selection: str
    full_refresh: bool
    fingerprint: Fingerprint
    status: str
    started_at: datetime
    finished_at: datetime | None
    pid: int | None
    summary: str

    @property
    def started(self) -> str:
        return self.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Freshness:
    state: State
    message: str
    current: Fingerprint
    last: BuildRecord | None

    @property
    def is_current(self) -> bool:
        return self.state == "current"


# ----------------------------------------------------------------------------- the fingerprint
def _project() -> dict[str, Any]:
    data = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def _paths(project: Mapping[str, Any], *keys: str) -> list[Path]:
    out: list[Path] = []
    for key in keys:
        for entry in project.get(key) or []:
            out.append(REPO_ROOT / str(entry))
    return out


def _files(roots: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            continue
        for path in candidates:
            parts = path.relative_to(REPO_ROOT).parts if path.is_relative_to(REPO_ROOT) else ()
            if any(p.startswith(".") or p == "__pycache__" for p in parts):
                continue
            if path.suffix in {".pyc", ".pyo"} or path in seen:
                continue
            seen.add(path)
            yield path


def files_sha256(roots: Iterable[Path]) -> str:
    """SHA-256 over the relative path and bytes of every file under ``roots`` (sorted)."""
    digest = hashlib.sha256()
    for path in sorted(_files(roots)):
        name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        digest.update(f"{name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _config_dir() -> Path:
    from ingest.config import CONFIG_DIR

    return settings().config_dir or CONFIG_DIR


def file_parts() -> dict[str, str]:
    """The parts of the fingerprint that come from files: seeds, config, models."""
    project = _project()
    config_dir = _config_dir()
    return {
        "seeds": files_sha256(_paths(project, "seed-paths")),
        "config": files_sha256(
            [
                config_dir / "chains.yaml",
                config_dir / "providers.yaml",
                REPO_ROOT / "dbt_project.yml",
            ]
        ),
        "models": files_sha256(
            _paths(
                project,
                "model-paths",
                "macro-paths",
                "test-paths",
                "snapshot-paths",
                "analysis-paths",
            )
        ),
    }


def loads_sha256(target: Target) -> str:
    """SHA-256 of the completed loads of every raw dataset (``raw_*`` schemas with ``_dlt_loads``)
    and of the months closed in the ledger (ingest/close.py; none: the hash of the loads alone),
    since a close changes what the statement marts serve."""
    rows = _loads(target)
    text = "\n".join(f"{schema}:{load_id}" for schema, load_id in sorted(rows))
    closes = _closes(target)
    if closes:
        text += "\n" + "\n".join(f"ledger:{chain}:{month}" for chain, month in closes)
    return hashlib.sha256(text.encode()).hexdigest()


def _closes(target: Target) -> list[tuple[str, str]]:
    """The (chain, month) pairs of ledger.closed_months, sorted; none without a ledger."""
    if target == "duckdb" and not duckdb_path().exists():
        return []
    with _Connection(target, read_only=target == "duckdb") as con:
        if not con.rows(
            "select 1 from information_schema.tables "
            "where table_schema = 'ledger' and table_name = 'closed_months'"
        ):
            return []
        rows = con.rows("select chain, statement_month from ledger.closed_months")
    return sorted((str(c), str(m)) for c, m in rows)


def current_fingerprint(target: Target) -> Fingerprint:
    """The fingerprint of the warehouse and the project files as they are now."""
    return Fingerprint({"loads": loads_sha256(target), **file_parts()})


# ------------------------------------------------------------------------------ the warehouse
class _Connection:
    """One short connection to the warehouse (DuckDB file or PostgreSQL), ``%s`` placeholders."""

    def __init__(self, target: Target, *, read_only: bool) -> None:
        self.target = target
        if target == "duckdb":
            import duckdb

            path = duckdb_path()
            if read_only and not path.exists():
                raise WarehouseError(
                    f"no DuckDB warehouse at {path}: run `aurora demo` or `aurora run`"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.con: Any = duckdb.connect(str(path), read_only=read_only)
            except duckdb.Error as exc:
                raise warehouse_error(exc, path) from None
        else:
            import psycopg2

            pg = settings().postgres_for("transformer")  # builds are recorded by who runs dbt
            try:
                self.con = psycopg2.connect(
                    host=pg.host,
                    port=pg.port,
                    user=pg.user,
                    password=pg.password,
                    dbname=pg.database,
                    connect_timeout=10,
                )
            except psycopg2.OperationalError as exc:
                raise WarehouseError(
                    f"cannot connect to PostgreSQL at {pg.safe_dsn()}: {str(exc).strip()}"
                ) from None
            self.con.autocommit = True

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            cur = self.con.execute(sql.replace("%s", "?"), list(params))
            return list(cur.fetchall()) if cur.description else []
        with self.con.cursor() as cur:
            cur.execute(sql, list(params))
            return list(cur.fetchall()) if cur.description else []

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def warehouse_error(exc: Exception, path: Path) -> WarehouseError:
    """A DuckDB error opening ``path`` as a one-line WarehouseError; a held file lock names its
    holder (see ingest/core/warehouse.py ``duckdb_lock_message``)."""
    from ingest.core.warehouse import duckdb_lock_message

    return WarehouseError(
        duckdb_lock_message(str(exc), path) or f"cannot open the DuckDB warehouse at {path}: {exc}"
    )


def _loads(target: Target) -> list[tuple[str, str]]:
    if target == "duckdb" and not duckdb_path().exists():
        return []
    with _Connection(target, read_only=target == "duckdb") as con:
        schemas = [
            str(s)
            for (s,) in con.rows(
                "select table_schema from information_schema.tables "
                "where table_name = '_dlt_loads' and table_schema like 'raw%%'"
            )
        ]
        out: list[tuple[str, str]] = []
        for schema in sorted(set(schemas)):
            for (load_id,) in con.rows(
                f'select load_id from "{schema}"._dlt_loads where status = 0 order by load_id'
            ):
                out.append((schema, str(load_id)))
        return out


def _has_table(con: _Connection) -> bool:
    return bool(
        con.rows(
            "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
            (SCHEMA, TABLE),
        )
    )


def _ensure_table(con: _Connection) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
    con.rows(f"create schema if not exists {SCHEMA}")
    con.rows(f"create table if not exists {SCHEMA}.{TABLE} ({columns})")


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_start(
    target: Target,
    fingerprint: Fingerprint,
    *,
    command: str,
    selection: Sequence[str] = (),
    full_refresh: bool = False,
) -> str:
    """Write the ``started`` row of a build about to run; returns its build id."""
    build_id = uuid.uuid4().hex
    with _Connection(target, read_only=False) as con:
        _ensure_table(con)
        con.rows(
            f"insert into {SCHEMA}.{TABLE} ({', '.join(n for n, _ in _COLUMNS)}) values "
            f"({', '.join(['%s'] * len(_COLUMNS))})",
            (
                build_id,
                command,
                " ".join(selection),
                full_refresh,
                fingerprint.digest,
                fingerprint.parts["loads"],
                fingerprint.parts["seeds"],
                fingerprint.parts["config"],
                fingerprint.parts["models"],
                "started",
                _utcnow(),
                None,
                os.getpid(),
                "",
            ),
        )
    return build_id


def record_end(target: Target, build_id: str, status: Status, summary: str = "") -> None:
    """Mark a build ``succeeded`` or ``failed`` (with dbt's summary or the error's first line)."""
    with _Connection(target, read_only=False) as con:
        _ensure_table(con)
        con.rows(
            f"update {SCHEMA}.{TABLE} set status = %s, finished_at = %s, summary = %s "
            "where build_id = %s",
            (status, _utcnow(), summary[:2000], build_id),
        )


def builds(target: Target) -> list[BuildRecord]:
    """Every recorded build, oldest first."""
    if target == "duckdb" and not duckdb_path().exists():
        return []
    with _Connection(target, read_only=target == "duckdb") as con:
        if not _has_table(con):
            return []
        rows = con.rows(
            f"select {', '.join(n for n, _ in _COLUMNS)} from {SCHEMA}.{TABLE} "
            "order by started_at, build_id"
        )
    out = []
    for row in rows:
        v = dict(zip((n for n, _ in _COLUMNS), row, strict=True))
        out.append(
            BuildRecord(
                build_id=str(v["build_id"]),
                command=str(v["command"] or ""),
                selection=str(v["selection"] or ""),
                full_refresh=bool(v["full_refresh"]),
                fingerprint=Fingerprint({p: str(v[f"{p}_sha256"]) for p in PARTS}),
                status=str(v["status"]),
                started_at=v["started_at"],
                finished_at=v["finished_at"],
                pid=None if v["pid"] is None else int(v["pid"]),
                summary=str(v["summary"] or ""),
            )
        )
    return out


def freshness(target: Target) -> Freshness:
    """Whether the marts come from a successful build of what the warehouse holds now."""
    current = current_fingerprint(target)
    history = builds(target)
    if not history:
        return Freshness(
            "never", "the warehouse has no recorded build: run `aurora build`", current, None
        )
    last = history[-1]
    if last.status == "started":
        from ingest.core.lock import holder_of

        holder = holder_of(target)
        if holder is not None and holder.pid == last.pid:
            return Freshness(
                "running",
                f"a build is running (pid {last.pid}, started at {last.started}): wait for it",
                current,
                last,
            )
        return Freshness(
            "interrupted",
            f"the last build (started at {last.started} by pid {last.pid}) did not finish: the "
            "marts may be half-built; run `aurora build`",
            current,
            last,
        )
    if last.status != "succeeded":
        return Freshness(
            "failed",
            f"the last build (started at {last.started}) failed: the marts may be half-built; "
            "fix what it reported and run `aurora build`",
            current,
            last,
        )
    full = [b for b in history if not b.selection and b.status == "succeeded"]
    if not full:
        return Freshness(
            "never",
            "no complete build is recorded (only builds of a selection): run `aurora build`",
            current,
            last,
        )
    base = full[-1]
    if base.fingerprint.digest != current.digest:
        what = ", ".join(_PART_NAMES[p] for p in current.changed(base.fingerprint))
        return Freshness(
            "stale",
            f"the warehouse is stale: {what} changed since the last build (started at "
            f"{base.started}); run `aurora build`",
            current,
            base,
        )
    return Freshness("current", f"up to date (fingerprint {current.short})", current, base)


_PART_NAMES = {
    "loads": "new loads",
    "seeds": "the seeds",
    "config": "the configuration",
    "models": "the dbt project",
}


def require_current(target: Target, purpose: str) -> Fingerprint:
    """Raise :class:`StaleWarehouse` with one line unless the marts are current."""
    if target == "duckdb" and not duckdb_path().exists():
        raise WarehouseError(
            f"no DuckDB warehouse at {duckdb_path()}: run `aurora demo` or `aurora run`"
        )
    state = freshness(target)
    if not state.is_current:
        raise StaleWarehouse(f"refusing to {purpose}: {state.message}")
    return state.current


__all__ = [
    "BuildRecord",
    "Fingerprint",
    "Freshness",
    "StaleWarehouse",
    "builds",
    "current_fingerprint",
    "freshness",
    "record_end",
    "record_start",
    "require_current",
]


def _main() -> None:  # pragma: no cover - a debugging aid: python -m ingest.build_status
    from ingest.core.warehouse import resolve_target

    state = freshness(resolve_target(None))
    print(state.state, state.message, state.current.digest)


if __name__ == "__main__":  # pragma: no cover
    _main()
