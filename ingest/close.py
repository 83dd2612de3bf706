"""Period close (methodology §9): freeze every statement of a month into the append-only ledger.

    aurora close --month YYYY-MM [--chain CHAIN] [--target duckdb|postgres] [--no-build] [--wait]
    aurora close --list [--target ...]

The ledger is schema ``ledger``, outside dbt's ownership (dbt only reads it: macros/ledger.sql):

- ``ledger.closed_months``: one row per closed (chain, month): ``closed_at`` (UTC), ``closed_by``
  (the database user; on DuckDB, which has no users, the operating-system login), the build the
  marts come from (``build_id``, ``fingerprint``) and its loads (``loads_sha256``, ``load_ids``);
- ``ledger.closed_statements``: the month's rows of ``marts.partner_commission_statements``;
- ``ledger.closed_statement_lines``: their rows of ``marts.partner_commission_lines``.

A close is one transaction: the tables are created if missing, the three inserts are made, and a
failure leaves nothing behind. On PostgreSQL, triggers make UPDATE, DELETE and TRUNCATE on every
ledger table raise; the tables are handed to the finance group role when it exists (access control
applied), and its readers get their grants (:func:`ingest.access.grant_owned_reads`). DuckDB has no
triggers: there the ledger is append-only because nothing but this module writes it.

A close holds the warehouse lock (no build runs meanwhile) and refuses, with one line:

- a warehouse whose marts are not current (:func:`ingest.build_status.require_current`: a new load,
  a seed, config or model change since the last build, a failed or unfinished build);
- a month in which a chain has no period after it ingested and built (a month closes only when every
  period dated in it, plus one period dated after it, is in the marts);
- a month after one of the chain's months that is still open (months close in order);
- a month already closed.

After the commit the marts are rebuilt (``aurora build``; ``--no-build`` skips it): the closed
statements then come from the ledger (``is_closed``) and later changes to them become adjustment
lines in the first open month. The ledger takes part in the build fingerprint, so until that build
the warehouse counts as stale and the export refuses.
"""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest import build_status
from ingest.core.lock import warehouse_lock
from ingest.core.warehouse import TARGETS, Target, duckdb_path, resolve_target
from ingest.env import settings
from ingest.errors import AuroraError, WarehouseError

SCHEMA = "ledger"
MONTHS = f"{SCHEMA}.closed_months"
STATEMENTS = f"{SCHEMA}.closed_statements"
LINES = f"{SCHEMA}.closed_statement_lines"
TABLES = ("closed_months", "closed_statements", "closed_statement_lines")
# what the marts add to a served statement or line, never frozen (the ledger says it by itself)
SERVED_ONLY = ("is_closed", "closed_at")
CLOSE_COLUMNS = (("closed_at", "timestamp"), ("closed_by", "text"))
MONTH_COLUMNS = (
    ("chain", "text"),
    ("statement_month", "text"),
    *CLOSE_COLUMNS,
    ("build_id", "text"),
    ("fingerprint", "text"),
    ("loads_sha256", "text"),
    ("load_ids", "text"),
    ("statement_count", "integer"),
    ("line_count", "integer"),
)


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CloseError(AuroraError):
    """The month cannot be closed (or the ledger cannot be read); the message says why."""


def validate_month(month: str) -> str:
    if not _MONTH.match(month):
        raise CloseError(f"--month: expected YYYY-MM, got {month!r}")
    return month


@dataclass(frozen=True)
class ClosedMonth:
    chain: str
    statement_month: str
    closed_at: datetime
    closed_by: str
    statement_count: int
    line_count: int


@dataclass(frozen=True)
class ClosedStatement:
    chain: str
    statement_month: str
    partner_id: str
    agreement_id: str
    line_count: int
    total_native: int
    lines_sha256: str


# ------------------------------------------------------------------------------ connection
class _Ledger:
    """One read-write connection in one transaction, ``%s`` placeholders."""

    def __init__(self, target: Target) -> None:
        self.target = target
        if target == "duckdb":
            import duckdb

            path = duckdb_path()
            if not path.exists():
                raise WarehouseError(f"no DuckDB warehouse at {path}: run `aurora demo` first")
            try:
                self.con: Any = duckdb.connect(str(path))
            except duckdb.Error as exc:
                raise build_status.warehouse_error(exc, path) from None
            self.con.begin()
        else:
            import psycopg2

            pg = settings().postgres_for("finance")  # finance runs close and writes the ledger
            try:
                self.con = psycopg2.connect(
                    host=pg.host,
                    port=pg.port,
                    user=pg.user,
                    password=pg.password,
                    dbname=pg.database,
                    connect_timeout=10,
                    application_name="aurora close",
                )
            except psycopg2.OperationalError as exc:
                raise WarehouseError(
                    f"cannot connect to PostgreSQL at {pg.safe_dsn()}: {str(exc).strip()}"
                ) from None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            cur = self.con.execute(sql.replace("%s", "?"), list(params))
            return list(cur.fetchall()) if cur.description else []
        with self.con.cursor() as cur:
            cur.execute(sql, list(params) if params else None)  # no params: `%` is literal
            return list(cur.fetchall()) if cur.description else []

    def user(self) -> str:
        if self.target == "duckdb":
            return getpass.getuser()
        return str(self.rows("select current_user")[0][0])

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.rows(
                "select 1 from information_schema.tables "
                "where table_schema = %s and table_name = %s",
                (schema, table),
            )
        )

    def columns(self, schema: str, table: str) -> list[str]:
        return [
            str(name)
            for (name,) in self.rows(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, table),
            )
        ]


@contextmanager
def _transaction(target: Target) -> Iterator[_Ledger]:
    """Commit when the block ends without error, roll everything back otherwise."""
    ledger = _Ledger(target)
    try:
        yield ledger
        ledger.con.commit()
    except BaseException:
        ledger.con.rollback()
        raise
    finally:
        ledger.con.close()


def _db_error(exc: Exception) -> CloseError | None:
    """A database library's error as a one-line CloseError (None when it is not one)."""
    try:
        import duckdb

        if isinstance(exc, duckdb.Error):
            return CloseError(f"the ledger could not be written: {exc}")
    except ImportError:  # pragma: no cover
        pass
    import psycopg2

    if isinstance(exc, psycopg2.Error):
        return CloseError(f"the ledger could not be written: {str(exc).strip()}")
    return None


# ------------------------------------------------------------------------------------ DDL
def _ensure_ledger(db: _Ledger) -> None:
    """The ledger schema and tables, created if missing, typed like the marts they freeze."""
    db.rows(f"create schema if not exists {SCHEMA}")
    close_cols = ", ".join(f"cast(null as {kind}) as {name}" for name, kind in CLOSE_COLUMNS)
    if not db.has_table(SCHEMA, "closed_months"):
        cols = ", ".join(f"{name} {kind}" for name, kind in MONTH_COLUMNS)
        db.rows(f"create table {MONTHS} ({cols}, primary key (chain, statement_month))")
    for table, mart in (
        ("closed_statements", "partner_commission_statements"),
        ("closed_statement_lines", "partner_commission_lines"),
    ):
        if db.has_table(SCHEMA, table):
            continue
        frozen = [c for c in db.columns("marts", mart) if c not in SERVED_ONLY]
        if not frozen:
            raise CloseError(f"marts.{mart} does not exist: run `aurora build` first")
        db.rows(
            f"create table {SCHEMA}.{table} as select {', '.join(frozen)}, {close_cols} "
            f"from marts.{mart} where 1 = 0"
        )
    if db.target == "postgres":
        _protect_postgres(db)


def _protect_postgres(db: _Ledger) -> None:
    """Triggers that make UPDATE, DELETE and TRUNCATE raise, and ownership by the finance role."""
    db.rows(
        f"""
        create or replace function {SCHEMA}.refuse_change() returns trigger
        language plpgsql as $$
        begin
            raise exception 'ledger.% is append-only: % refused (a closed month never changes)',
                tg_table_name, tg_op;
        end
        $$
        """
    )
    for table in TABLES:
        db.rows(
            f"create or replace trigger {table}_append_only before update or delete on "
            f"{SCHEMA}.{table} for each row execute function {SCHEMA}.refuse_change()"
        )
        db.rows(
            f"create or replace trigger {table}_no_truncate before truncate on "
            f"{SCHEMA}.{table} for each statement execute function {SCHEMA}.refuse_change()"
        )
    from ingest.access import group_role

    role = group_role("finance")
    (member,) = db.rows(
        "select exists (select 1 from pg_roles where rolname = %s) "
        "and pg_has_role(current_user, %s, 'member')",
        (role, role),
    )[0]
    if member:
        db.rows(f'alter schema {SCHEMA} owner to "{role}"')
        for table in TABLES:
            db.rows(f'alter table {SCHEMA}.{table} owner to "{role}"')
        db.rows(f'alter function {SCHEMA}.refuse_change() owner to "{role}"')


# ---------------------------------------------------------------------------------- checks
def _closed(db: _Ledger) -> dict[tuple[str, str], tuple[datetime, str]]:
    if not db.has_table(SCHEMA, "closed_months"):
        return {}
    return {
        (str(chain), str(month)): (closed_at, str(user))
        for chain, month, closed_at, user in db.rows(
            f"select chain, statement_month, closed_at, closed_by from {MONTHS}"
        )
    }


def _period_months(db: _Ledger) -> dict[str, list[tuple[str, Any, str]]]:
    """chain -> its built periods (period_month, period_date, period_id), in date order."""
    if not db.has_table("marts", "dim_periods"):
        raise CloseError("marts.dim_periods does not exist: run `aurora build` first")
    out: dict[str, list[tuple[str, Any, str]]] = {}
    for chain, month, day, period_id in db.rows(
        "select chain, period_month, period_date, period_id from marts.dim_periods "
        "order by chain, period_date, period_id"
    ):
        out.setdefault(str(chain), []).append((str(month), day, str(period_id)))
    return out


def _check(
    month: str,
    chains: Sequence[str],
    periods: dict[str, list[tuple[str, Any, str]]],
    closed: dict[tuple[str, str], tuple[datetime, str]],
) -> None:
    for chain in chains:
        done = closed.get((chain, month))
        if done is not None:
            at, user = done
            raise CloseError(
                f"refusing to close {month} on {chain}: it is already closed (at "
                f"{at:%Y-%m-%d %H:%M:%S} UTC by {user}); a closed month never changes: later "
                "changes become adjustment lines in the first open month"
            )
        mine = periods.get(chain, [])
        later = [p for p in mine if p[0] > month]
        if not later:
            latest = f" (the latest is period {mine[-1][2]}, dated {mine[-1][1]})" if mine else ""
            raise CloseError(
                f"refusing to close {month} on {chain}: it has an unclosed period: no period "
                f"dated after {month} is ingested and built yet{latest}; ingest and build the "
                "next period first"
            )
        earlier = sorted({p[0] for p in mine if p[0] < month and (chain, p[0]) not in closed})
        if earlier:
            raise CloseError(
                f"refusing to close {month} on {chain}: {earlier[0]} is still open; close the "
                f"months in order ({', '.join(earlier)} first)"
            )


# ------------------------------------------------------------------------------------ close
def close_month(
    target: Target,
    month: str,
    chain: str | None = None,
    *,
    console: Any = None,
    build: bool = True,
    wait: bool = False,
) -> list[ClosedMonth]:
    """Freeze every statement of ``month`` (of ``chain``, or of every chain with periods in it)."""
    validate_month(month)
    with warehouse_lock(target, "aurora close", wait=wait):
        for m in closed_months(target):  # said first: building again would not help
            if m.statement_month == month and chain in (None, m.chain):
                _check(month, [m.chain], {}, {(m.chain, month): (m.closed_at, m.closed_by)})
        fingerprint = build_status.require_current(target, f"close {month}")
        base = build_status.freshness(target).last
        load_ids = "\n".join(f"{s}:{i}" for s, i in sorted(build_status._loads(target)))
        closed_at = datetime.now(UTC).replace(tzinfo=None)
        done: list[ClosedMonth] = []
        try:
            with _transaction(target) as db:
                periods = _period_months(db)
                in_month = sorted(c for c, ps in periods.items() if any(p[0] == month for p in ps))
                chains = [chain] if chain is not None else in_month
                if not chains:
                    raise CloseError(
                        f"refusing to close {month}: no chain has a period dated in it"
                    )
                _check(month, chains, periods, _closed(db))
                _ensure_ledger(db)
                user = db.user()
                for name in chains:
                    done.append(
                        _freeze(db, name, month, closed_at, user, base, fingerprint, load_ids)
                    )
        except AuroraError:
            raise
        except Exception as exc:
            known = _db_error(exc)
            if known is None:
                raise
            raise known from None
        if target == "postgres":
            from ingest.access import grant_owned_reads

            grant_owned_reads(target, "finance")
        if build:
            from ingest import orchestrate

            orchestrate.build(target, console if console is not None else _Quiet())
    return done


class _Quiet:
    def print(self, *args: Any, **kwargs: Any) -> None:
        pass


def _freeze(
    db: _Ledger,
    chain: str,
    month: str,
    closed_at: datetime,
    user: str,
    base: build_status.BuildRecord | None,
    fingerprint: build_status.Fingerprint,
    load_ids: str,
) -> ClosedMonth:
    where = "where chain = %s and statement_month = %s"
    counts = []
    for table, mart in (
        ("closed_statements", "partner_commission_statements"),
        ("closed_statement_lines", "partner_commission_lines"),
    ):
        frozen = [c for c in db.columns(SCHEMA, table) if c not in dict(CLOSE_COLUMNS)]
        db.rows(
            f"insert into {SCHEMA}.{table} ({', '.join(frozen)}, closed_at, closed_by) "
            f"select {', '.join(frozen)}, %s, %s from marts.{mart} {where}",
            (closed_at, user, chain, month),
        )
        counts.append(
            int(db.rows(f"select count(*) from {SCHEMA}.{table} {where}", (chain, month))[0][0])
        )
    db.rows(
        f"insert into {MONTHS} ({', '.join(n for n, _ in MONTH_COLUMNS)}) values "
        f"({', '.join(['%s'] * len(MONTH_COLUMNS))})",
        (
            chain,
            month,
            closed_at,
            user,
            base.build_id if base is not None else None,
            fingerprint.digest,
            fingerprint.parts["loads"],
            load_ids,
            counts[0],
            counts[1],
        ),
    )
    return ClosedMonth(chain, month, closed_at, user, counts[0], counts[1])


# ------------------------------------------------------------------------------------- list
def closed_statements(target: Target) -> list[ClosedStatement]:
    """Every frozen statement, by chain, month, partner and agreement."""
    from ingest.statements import to_int

    if target == "duckdb" and not duckdb_path().exists():
        return []
    with _transaction(target) as db:
        if not db.has_table(SCHEMA, "closed_statements"):
            return []
        rows = db.rows(
            f"select chain, statement_month, partner_id, agreement_id, line_count, total_native, "
            f"lines_sha256 from {STATEMENTS} order by chain, statement_month, partner_id, "
            "agreement_id"
        )
    return [
        ClosedStatement(
            str(c), str(m), str(p), str(a), int(n), to_int(t, "total_native") or 0, str(h)
        )
        for c, m, p, a, n, t, h in rows
    ]


def closed_months(target: Target) -> list[ClosedMonth]:
    if target == "duckdb" and not duckdb_path().exists():
        return []
    with _transaction(target) as db:
        if not db.has_table(SCHEMA, "closed_months"):
            return []
        rows = db.rows(
            f"select chain, statement_month, closed_at, closed_by, statement_count, line_count "
            f"from {MONTHS} order by chain, statement_month"
        )
    return [ClosedMonth(str(c), str(m), at, str(u), int(s), int(n)) for c, m, at, u, s, n in rows]


# -------------------------------------------------------------------------------------- CLI
def add_close_parser(sub: Any) -> None:
    p = sub.add_parser(
        "close", help="close a month: freeze its statements into the append-only ledger"
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--month", help="the statement month to close, YYYY-MM")
    what.add_argument("--list", action="store_true", help="show the closed months and hashes")
    p.add_argument(
        "--chain", default=None, help="one chain (default: every chain with periods in it)"
    )
    p.add_argument("--target", choices=TARGETS, default=None)
    p.add_argument(
        "--no-build",
        action="store_true",
        help="do not rebuild the marts after closing (the warehouse stays stale until `aurora build`)",
    )
    p.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse")
    p.set_defaults(func=cmd_close)


def cmd_close(args: argparse.Namespace) -> int:
    from ingest.console import make_console

    target = resolve_target(args.target)
    console = make_console()
    if args.list:
        months = closed_months(target)
        if not months:
            console.print(f"no month is closed on {target}")
            return 0
        for m in months:
            console.print(
                f"{m.chain} {m.statement_month}: closed at {m.closed_at:%Y-%m-%d %H:%M:%S} UTC by "
                f"{m.closed_by}, {m.statement_count} statement(s), {m.line_count} line(s)"
            )
        for s in closed_statements(target):
            print(
                f"{s.chain}\t{s.statement_month}\t{s.partner_id}\t{s.agreement_id}\t"
                f"{s.line_count}\t{s.total_native}\t{s.lines_sha256}"
            )
        return 0
    done = close_month(
        target, args.month, args.chain, console=console, build=not args.no_build, wait=args.wait
    )
    for m in done:
        console.print(
            f"closed {m.chain} {m.statement_month} on {target}: {m.statement_count} statement(s), "
            f"{m.line_count} line(s), by {m.closed_by}"
        )
    if args.no_build:
        console.print("run `aurora build` before exporting: the marts do not show the close yet")
    return 0
