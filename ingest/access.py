"""Access control on PostgreSQL (methodology §10): group roles, logins, and the grants each owner makes.

    aurora access apply [--target postgres]
    aurora access add-login NAME --role ROLE [--partner ID ...] [--password-env VAR]

Who decides which privilege (README "Access control"):

- ``access apply``, run by the admin (the database's owner, with CREATEROLE), creates the group roles
  and sets the database's own privileges: every group connects; the loader, the transformer and
  finance create schemas (the raw datasets dlt makes, dbt's schemas, the ledger) and temporary
  tables; nobody else connects (PUBLIC loses CONNECT and TEMPORARY). A second run changes nothing.
- Each owner grants the reads of what it owns: the loader on the raw datasets after each load
  (:func:`grant_owned_reads`, called by the CLI's ingestion steps), dbt on its relations (``grants``
  in dbt_project.yml) and their schemas (a post-hook, macros/access.sql), finance on the ledger
  (``aurora close`` calls :func:`grant_owned_reads` with step ``finance``).
- Partner rows: row-level security on the partner marts from seeds/partner_access.csv
  (macros/access.sql).

Role names are ``AURORA_ROLE_PREFIX`` + name, for the group roles (``aurora_loader`` ...), the logins
of ``add-login`` and the ``db_role`` of seeds/partner_access.csv: roles are cluster-wide, and a
prefix keeps two warehouses (two concurrent test runs) on one server apart. Default: no prefix.

Passwords: ``add-login`` reads the new login's password from an environment variable or a
no-echo prompt, and sends PostgreSQL only its SCRAM-SHA-256 verifier, computed here: the password
itself reaches no server log, no output and no file.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.core.warehouse import Target, resolve_target
from ingest.env import REPO_ROOT, PostgresSettings, Step, settings
from ingest.errors import AuroraError

# The group roles (methodology §10), by kind; the role is AURORA_ROLE_PREFIX + "aurora_" + kind.
GROUPS: dict[str, str] = {
    "admin": "creates roles and logins, runs `aurora access apply`",
    "loader": "writes the raw datasets (ingestion)",
    "transformer": "reads raw, owns the dbt schemas (dbt runs as it)",
    "finance": "reads every mart and the load and build status, writes the ledger (`aurora close`)",
    "bi": "reads the marts",
    "partner": "reads its own partners' rows of the partner statements, lines and dim_partners",
}
GROUP_KINDS: tuple[str, ...] = tuple(GROUPS)

# Logins of these groups act as the group (ALTER ROLE login SET role): what they create is owned
# by the group, so any login of the group (a scheduler, a colleague) may replace it later.
OWNER_KINDS: tuple[str, ...] = ("loader", "transformer", "finance")

# The database's own privileges, per group; PUBLIC has none.
DATABASE_PRIVILEGES: dict[str, frozenset[str]] = {
    "admin": frozenset({"CONNECT"}),
    "loader": frozenset({"CONNECT", "CREATE", "TEMPORARY"}),
    "transformer": frozenset({"CONNECT", "CREATE", "TEMPORARY"}),
    "finance": frozenset({"CONNECT", "CREATE", "TEMPORARY"}),
    "bi": frozenset({"CONNECT"}),
    "partner": frozenset({"CONNECT"}),
}
DATABASE_PRIVILEGE_NAMES = ("CONNECT", "CREATE", "TEMPORARY")


@dataclass(frozen=True)
class OwnedReads:
    """Reads an owner grants on its schemas: schemas matching ``pattern`` (SQL LIKE) and not
    ``exclude``; ``readers`` maps a group kind to the tables it reads (None: every table, now and
    later)."""

    owner: Step
    pattern: str
    exclude: str | None
    readers: Mapping[str, tuple[str, ...] | None]


OWNED_READS: tuple[OwnedReads, ...] = (
    # dlt's datasets raw_solana, raw_registry, ... (not their *_staging datasets, dlt's own work
    # space): the transformer reads all; finance reads the load status only.
    OwnedReads(
        owner="loader",
        pattern=r"raw\_%",
        exclude=r"%\_staging",
        readers={"transformer": None, "finance": ("_dlt_loads", "ingestion_runs")},
    ),
    # the build status each `aurora build` records (ingest/build_status.py): finance reads it
    OwnedReads(
        owner="transformer", pattern=r"aurora\_meta", exclude=None, readers={"finance": None}
    ),
    # the ledger `aurora close` writes
    OwnedReads(owner="finance", pattern="ledger", exclude=None, readers={"transformer": None}),
)

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_PREFIX = re.compile(r"^[a-z0-9_]*$")
MIN_SERVER_VERSION = 150000
DEFAULT_PASSWORD_ENV = "AURORA_LOGIN_PASSWORD"


class AccessError(AuroraError):
    """Access control cannot be applied as asked; the message says why and what to do."""


# ------------------------------------------------------------------------------ role names
def role_prefix(env: Mapping[str, str] | None = None) -> str:
    """``AURORA_ROLE_PREFIX`` (lower-case letters, digits, ``_``; default empty)."""
    prefix = settings(env).role_prefix
    if not _PREFIX.match(prefix) or len(prefix) > 24:
        raise AccessError(
            f"AURORA_ROLE_PREFIX={prefix!r}: expected at most 24 lower-case letters, digits or _"
        )
    return prefix


def group_role(kind: str, env: Mapping[str, str] | None = None) -> str:
    """The group role of a kind, e.g. ``aurora_loader`` (with the prefix)."""
    if kind not in GROUPS:
        raise AccessError(f"unknown role {kind!r}: expected one of {', '.join(GROUP_KINDS)}")
    return f"{role_prefix(env)}aurora_{kind}"


def login_role(name: str, env: Mapping[str, str] | None = None) -> str:
    """The role a login NAME (or a seeds/partner_access.csv db_role) is, with the prefix."""
    full = role_prefix(env) + name
    if not _NAME.match(name) or len(full) > 63:
        raise AccessError(
            f"login name {name!r}: expected lower-case letters, digits and _, starting with a "
            "letter or _, at most 63 characters with AURORA_ROLE_PREFIX"
        )
    return full


# ------------------------------------------------------------------------------ connections
@contextmanager
def connect(step: Step, env: Mapping[str, str] | None = None) -> Iterator[Any]:
    """A psycopg2 connection as the step's login (one transaction: committed when the block ends
    without error, rolled back otherwise)."""
    import psycopg2

    settings = PostgresSettings.from_env(env, step=step)
    try:
        con = psycopg2.connect(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=settings.password,
            dbname=settings.database,
            connect_timeout=10,
            application_name=f"aurora access ({step})",
        )
    except psycopg2.OperationalError as exc:
        raise AccessError(
            f"cannot connect to PostgreSQL at {settings.safe_dsn()} as the {step}: "
            f"{str(exc).strip()}"
        ) from None
    try:
        yield con
        con.commit()
    except psycopg2.Error as exc:
        con.rollback()
        raise AccessError(f"PostgreSQL refused ({exc.pgcode}): {str(exc).strip()}") from None
    finally:
        con.close()


def _sql() -> Any:
    from psycopg2 import sql

    return sql


def _existing_roles(cur: Any, names: Sequence[str]) -> set[str]:
    cur.execute("select rolname from pg_roles where rolname = any(%s)", (list(names),))
    return {row[0] for row in cur.fetchall()}


# ------------------------------------------------------------------------------ owners' reads
def _schema_acl(cur: Any, schema: str) -> tuple[Any, ...]:
    cur.execute(
        """
        select n.nspacl::text,
               (select array_agg(c.relname || '=' || coalesce(c.relacl::text, '')
                                 order by c.relname)
                from pg_class as c where c.relnamespace = n.oid),
               (select array_agg(d.defaclacl::text order by d.defaclobjtype)
                from pg_default_acl as d where d.defaclnamespace = n.oid)
        from pg_namespace as n where n.nspname = %s
        """,
        (schema,),
    )
    row = cur.fetchone()
    return tuple(row) if row else ()


def owned_read_grants(cur: Any, env: Mapping[str, str] | None = None) -> list[str]:
    """Grant the reads of OWNED_READS on every matching schema the current user may grant on (its
    owner or a member of it), to the reader roles that exist. Returns what changed."""
    sql = _sql()
    changes: list[str] = []
    for entry in OWNED_READS:
        readers = {kind: group_role(kind, env) for kind in entry.readers}
        existing = _existing_roles(cur, list(readers.values()))
        if not existing:
            continue
        cur.execute(
            """
            select n.nspname, pg_get_userbyid(n.nspowner)
            from pg_namespace as n
            where n.nspname like %s and (%s::text is null or n.nspname not like %s)
              and pg_has_role(current_user, n.nspowner, 'USAGE')
            order by n.nspname
            """,
            (entry.pattern, entry.exclude, entry.exclude),
        )
        for schema, owner in cur.fetchall():
            before = _schema_acl(cur, schema)
            granted: list[str] = []
            for kind, tables in entry.readers.items():
                role = readers[kind]
                if role not in existing:
                    continue
                grantee = sql.Identifier(role)
                cur.execute(
                    sql.SQL("grant usage on schema {} to {}").format(
                        sql.Identifier(schema), grantee
                    )
                )
                if tables is None:
                    cur.execute(
                        sql.SQL("grant select on all tables in schema {} to {}").format(
                            sql.Identifier(schema), grantee
                        )
                    )
                    cur.execute(
                        sql.SQL(
                            "alter default privileges for role {} in schema {} "
                            "grant select on tables to {}"
                        ).format(sql.Identifier(owner), sql.Identifier(schema), grantee)
                    )
                    granted.append(f"{role} (every table)")
                else:
                    cur.execute(
                        "select relname from pg_class where relnamespace = %s::regnamespace "
                        "and relname = any(%s) order by relname",
                        (schema, list(tables)),
                    )
                    present = [row[0] for row in cur.fetchall()]
                    for table in present:
                        cur.execute(
                            sql.SQL("grant select on {} to {}").format(
                                sql.Identifier(schema, table), grantee
                            )
                        )
                    granted.append(f"{role} ({', '.join(present) or 'schema only'})")
            if _schema_acl(cur, schema) != before:
                changes.append(f"grant reads on schema {schema} to {'; '.join(granted)}")
    return changes


def grant_owned_reads(
    target: Target, step: Step, env: Mapping[str, str] | None = None
) -> list[str]:
    """As the step's login, grant the reads on what it owns (the loader after each load, finance
    after ``close``). A no-op on DuckDB and while the reader roles do not exist."""
    if target != "postgres":
        return []
    with connect(step, env) as con, con.cursor() as cur:
        return owned_read_grants(cur, env)


# ------------------------------------------------------------------------------ apply
def _database_acl(cur: Any) -> dict[str, set[str]]:
    """The current database's privileges by grantee name (``PUBLIC`` for everyone)."""
    cur.execute(
        """
        select coalesce(r.rolname, 'PUBLIC'), a.privilege_type
        from pg_database as d
        cross join lateral aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) as a
        left join pg_roles as r on r.oid = a.grantee
        where d.datname = current_database()
        """
    )
    acl: dict[str, set[str]] = {}
    for grantee, privilege in cur.fetchall():
        acl.setdefault(grantee, set()).add(privilege)
    return acl


def _check_runner(cur: Any) -> str:
    cur.execute(
        """
        select current_user, r.rolsuper, r.rolcreaterole,
               pg_has_role(current_user, d.datdba, 'USAGE'), current_database(),
               pg_get_userbyid(d.datdba)
        from pg_roles as r cross join pg_database as d
        where r.rolname = current_user and d.datname = current_database()
        """
    )
    user, is_super, can_create_roles, owns_database, database, owner = cur.fetchone()
    if not (is_super or can_create_roles):
        raise AccessError(
            f"role {user!r} cannot create roles: `aurora access` runs as the admin, a role with "
            f"CREATEROLE (`ALTER ROLE {user} CREATEROLE` as a superuser), or set "
            "AURORA_ADMIN_PG_USER/AURORA_ADMIN_PG_PASSWORD to one"
        )
    if not (is_super or owns_database):
        raise AccessError(
            f"role {user!r} does not own database {database!r} (owned by {owner!r}): "
            "`aurora access apply` sets the database's privileges, which only its owner (or a "
            f"member of the owner) may; e.g. `ALTER DATABASE {database} OWNER TO {user}`"
        )
    return str(database)


def apply(env: Mapping[str, str] | None = None) -> list[str]:
    """Create the group roles and set the database's privileges, idempotently; returns what
    changed (nothing on a second run)."""
    sql = _sql()
    changes: list[str] = []
    with connect("admin", env) as con, con.cursor() as cur:
        if con.server_version < MIN_SERVER_VERSION:
            raise AccessError(f"PostgreSQL {con.server_version // 10000}: Aurora needs 15+")
        database = _check_runner(cur)
        roles = {kind: group_role(kind, env) for kind in GROUP_KINDS}
        cur.execute(
            "select rolname, rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb, "
            "rolreplication from pg_roles where rolname = any(%s)",
            (list(roles.values()),),
        )
        found = {row[0]: row[1:] for row in cur.fetchall()}
        for kind, role in roles.items():
            if role not in found:
                cur.execute(
                    sql.SQL(
                        "create role {} nologin nosuperuser nocreatedb nocreaterole "
                        "noreplication nobypassrls inherit"
                    ).format(sql.Identifier(role))
                )
                changes.append(f"create role {role}: {GROUPS[kind]}")
                continue
            is_super, bypass, can_login, create_role, create_db, replication = found[role]
            if is_super or bypass or replication:
                raise AccessError(
                    f"role {role} exists as a superuser, BYPASSRLS or REPLICATION role: "
                    f"a group role must be none (`ALTER ROLE {role} NOSUPERUSER NOBYPASSRLS "
                    "NOREPLICATION` as a superuser)"
                )
            if can_login or create_role or create_db:
                cur.execute(
                    sql.SQL("alter role {} nologin nocreaterole nocreatedb").format(
                        sql.Identifier(role)
                    )
                )
                changes.append(f"alter role {role} nologin nocreaterole nocreatedb")
        if con.server_version >= 160000:
            changes += _admin_options(cur, roles)
        acl = _database_acl(cur)
        wanted: dict[str, frozenset[str]] = {"PUBLIC": frozenset()}
        wanted.update({roles[kind]: privs for kind, privs in DATABASE_PRIVILEGES.items()})
        for grantee, privileges in wanted.items():
            have = acl.get(grantee, set()) & set(DATABASE_PRIVILEGE_NAMES)
            who = sql.SQL("public") if grantee == "PUBLIC" else sql.Identifier(grantee)
            missing = sorted(privileges - have)
            extra = sorted(have - privileges)
            if missing:
                cur.execute(
                    sql.SQL("grant {} on database {} to {}").format(
                        sql.SQL(", ").join(sql.SQL(p) for p in missing),
                        sql.Identifier(database),
                        who,
                    )
                )
                changes.append(
                    f"grant {', '.join(missing).lower()} on database {database} to {grantee}"
                )
            if extra:
                cur.execute(
                    sql.SQL("revoke {} on database {} from {}").format(
                        sql.SQL(", ").join(sql.SQL(p) for p in extra),
                        sql.Identifier(database),
                        who,
                    )
                )
                changes.append(
                    f"revoke {', '.join(extra).lower()} on database {database} from {grantee}"
                )
        changes += owned_read_grants(cur, env)
    return changes


def _admin_options(cur: Any, roles: Mapping[str, str]) -> list[str]:
    """PostgreSQL 16+: a CREATEROLE login manages only roles it has ADMIN OPTION on. Give it on
    every group to the admin group (without inheriting their privileges), so any admin login adds
    members; PostgreSQL 15 needs nothing (CREATEROLE manages every non-superuser role)."""
    sql = _sql()
    admin = roles["admin"]
    cur.execute(
        """
        select g.rolname from pg_auth_members as m
        join pg_roles as g on g.oid = m.roleid
        join pg_roles as a on a.oid = m.member
        where a.rolname = %s and m.admin_option
        """,
        (admin,),
    )
    have = {row[0] for row in cur.fetchall()}
    changes = []
    for kind, role in roles.items():
        if kind == "admin" or role in have:
            continue
        cur.execute(
            sql.SQL("grant {} to {} with admin option, inherit false, set false").format(
                sql.Identifier(role), sql.Identifier(admin)
            )
        )
        changes.append(f"grant {role} to {admin} with admin option (no inherit, no set)")
    return changes


# ------------------------------------------------------------------------------ logins
def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def read_password(variable: str, env: Mapping[str, str] | None = None) -> str:
    """The new login's password: from the environment variable, else a no-echo prompt (twice)."""
    value = settings(env).login_password(variable)
    if value:
        return value
    if not sys.stdin.isatty():
        raise AccessError(
            f"no password: set {variable} (or run in a terminal to be prompted; never pass a "
            "password on the command line)"
        )
    import getpass

    first = getpass.getpass("password for the new login: ")
    if not first:
        raise AccessError("empty password")
    if getpass.getpass("again: ") != first:
        raise AccessError("the two passwords differ")
    return first


def add_login(
    name: str,
    kind: str,
    password: str,
    *,
    partners: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    seeds_dir: Path | None = None,
) -> list[str]:
    """Create (or update) login NAME, member of the group ``kind``; returns what it did and, for a
    partner, the seeds/partner_access.csv rows it needs."""
    sql = _sql()
    from psycopg2.extensions import encrypt_password

    group = group_role(kind, env)
    login = login_role(name, env)
    groups = {group_role(k, env) for k in GROUP_KINDS}
    if login in groups:
        raise AccessError(f"{login} is a group role: a login needs a name of its own")
    if kind == "partner" and not partners:
        raise AccessError("a partner login needs --partner ID (the partner ids it reads)")
    if kind != "partner" and partners:
        raise AccessError("--partner is for --role partner only")
    if not password:
        raise AccessError("empty password")
    seeds = seeds_dir or REPO_ROOT / "seeds"
    messages: list[str] = []
    with connect("admin", env) as con, con.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (group,))
        if cur.fetchone() is None:
            raise AccessError(f"role {group} does not exist: run `aurora access apply` first")
        cur.execute(
            "select rolsuper, rolbypassrls, rolreplication from pg_roles where rolname = %s",
            (login,),
        )
        existing = cur.fetchone()
        if existing and any(existing):
            raise AccessError(f"{login} is a superuser, BYPASSRLS or REPLICATION role: refused")
        cur.execute(
            """
            select g.rolname from pg_auth_members as m
            join pg_roles as g on g.oid = m.roleid join pg_roles as l on l.oid = m.member
            where l.rolname = %s and g.rolname = any(%s)
            """,
            (login, sorted(groups)),
        )
        member_of = {row[0] for row in cur.fetchall()}
        partner_group = group_role("partner", env)
        others = member_of - {group}
        if kind == "partner" and others:
            raise AccessError(
                f"{login} is a member of {', '.join(sorted(others))}: a partner login must be a "
                "member of no other Aurora role"
            )
        if kind != "partner" and partner_group in member_of:
            raise AccessError(f"{login} is a partner login: it may be a member of no other role")
        verifier = encrypt_password(password, login, con, "scram-sha-256")
        attributes = "login nosuperuser nocreatedb {} noreplication nobypassrls inherit".format(
            "createrole" if kind == "admin" else "nocreaterole"
        )
        statement = "alter role {} with " if existing else "create role {} with "
        cur.execute(
            sql.SQL(statement + attributes + " password %s").format(sql.Identifier(login)),
            (verifier,),
        )
        messages.append(
            f"{'updated' if existing else 'created'} login {login} (password set, never shown)"
        )
        if group not in member_of:
            cur.execute(
                sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(login))
            )
            messages.append(f"granted {group} to {login}")
        if kind in OWNER_KINDS:
            cur.execute(
                sql.SQL("alter role {} set role = {}").format(
                    sql.Identifier(login), sql.Literal(group)
                )
            )
            messages.append(f"{login} acts as {group} (what it creates, {group} owns)")
    if kind == "partner":
        messages += _partner_rows(name, partners, seeds)
    return messages


def _partner_rows(name: str, partners: Sequence[str], seeds: Path) -> list[str]:
    known = {row.get("partner_id", "") for row in _read_csv(seeds / "partners.csv")}
    mapped = {
        (row.get("partner_id", ""), row.get("db_role", ""))
        for row in _read_csv(seeds / "partner_access.csv")
    }
    messages = []
    missing = []
    for partner in partners:
        if partner not in known:
            messages.append(f"warning: {partner!r} is not a partner_id of seeds/partners.csv")
        if (partner, name) in mapped:
            messages.append(f"seeds/partner_access.csv maps {partner} to {name}")
        else:
            missing.append(f"{partner},{name}")
    if missing:
        messages.append(
            "add to seeds/partner_access.csv (partner_id,db_role), then `aurora build`:"
        )
        messages += [f"  {row}" for row in missing]
    return messages


# ------------------------------------------------------------------------------ CLI
def _postgres_only(target: Target) -> None:
    if target != "postgres":
        raise AccessError(
            "access control is for PostgreSQL (--target postgres): DuckDB is one file, and its "
            "file permissions are its access control"
        )


def cmd_access(args: Any) -> int:
    _postgres_only(resolve_target(args.target))
    if args.action == "apply":
        changes = apply()
        for line in changes:
            print(line)
        print(
            f"access: {len(changes)} change(s)" if changes else "access: nothing to change",
            flush=True,
        )
        return 0
    password = read_password(args.password_env)
    for line in add_login(args.name, args.role, password, partners=args.partner or ()):
        print(line)
    return 0


def add_access_parser(sub: Any, add_target: Callable[[Any], None]) -> None:
    """Register ``aurora access apply|add-login`` on the CLI's subparsers."""
    p = sub.add_parser("access", help="PostgreSQL roles, logins and grants (`aurora access -h`)")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser(
        "apply", help="create the group roles and the database's privileges (idempotent)"
    )
    add_target(a)
    a.set_defaults(func=cmd_access)
    a = actions.add_parser("add-login", help="create a login, member of one group role")
    add_target(a)
    a.add_argument("name", help="the login's name (AURORA_ROLE_PREFIX is prepended)")
    a.add_argument("--role", required=True, choices=GROUP_KINDS, help="its group role")
    a.add_argument(
        "--partner",
        action="append",
        default=None,
        metavar="ID",
        help="for --role partner: a partner_id it reads (repeatable)",
    )
    a.add_argument(
        "--password-env",
        default=DEFAULT_PASSWORD_ENV,
        metavar="VAR",
        help=f"environment variable holding the password (default {DEFAULT_PASSWORD_ENV}); "
        "unset: prompted without echo",
    )
    a.set_defaults(func=cmd_access)
