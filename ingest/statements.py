"""Export partner commission statements as finance sends them: each statement with its lines and hash.

The export only reads the marts (``marts.partner_commission_statements`` and
``marts.partner_commission_lines``); every figure is computed by dbt, what the partner is paid
included (``payable_unit``, ``payable_amount``, ``payable_decimals``). Before writing, it recomputes
each statement's ``lines_sha256``, line count and total from the lines it read, and refuses to export a
statement that disagrees with its mart row. Money is printed as exact integers in the smallest unit
(lamports, micro-USD, cents); decimal renderings (SOL, USD) are strings built by
``ingest.money.format_units`` with integer arithmetic, never through a float. The same warehouse gives
the same bytes: no clock, fixed ordering.

    aurora statements export --month 2026-03 [--partner lumen-wallet] --format csv|json
                             [--target duckdb|postgres] [--output FILE]

Period close (methodology §9): every statement says whether it is closed (``is_closed``,
``closed_at``) or a draft. A closed statement is the frozen one of the ledger (``aurora close``,
ingest/close.py): the export serves it and checks its hash, count and total three ways: against
its frozen lines, and against the row of ``ledger.closed_statements`` itself. The ledger is the
record of what was sent: a closed statement never changes, later changes come as adjustment lines
(``adjusts_month`` set) in the first open month.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from ingest.build_status import require_current
from ingest.core.warehouse import Target, duckdb_lock_message, duckdb_path, resolve_target
from ingest.env import PostgresSettings
from ingest.errors import WarehouseError
from ingest.money import format_units

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
EXPORT_FORMAT_VERSION = 1

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_PARTNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class StatementExportError(Exception):
    """The statements cannot be exported (bad arguments, missing marts, inconsistent data)."""


# ------------------------------------------------------------------------------ integer money


def to_int(value: Any, what: str) -> int | None:
    """An exact integer from a warehouse value (int, integral Decimal, digit string); None stays."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise StatementExportError(f"{what}: expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise StatementExportError(f"{what}: {value} is not an exact integer")
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise StatementExportError(f"{what}: expected an exact integer, got {type(value).__name__}")


def display_units(amount: int | None, decimals: int) -> str | None:
    """An integer of smallest units as a decimal string with every digit (``format_units``); None
    (no figure, e.g. no price) stays None, so the export writes null or an empty cell."""
    return None if amount is None else format_units(amount, decimals)


def lines_sha256(line_texts: Sequence[str]) -> str:
    """Methodology §6: SHA-256 of the serialised lines sorted byte by byte, joined with newlines."""
    ordered = sorted(text.encode("utf-8") for text in line_texts)
    return hashlib.sha256(b"\n".join(ordered)).hexdigest()


# --------------------------------------------------------------------------------- data model

STATEMENT_COLUMNS = (
    "partner_id",
    "partner_name",
    "agreement_id",
    "chain",
    "statement_month",
    "statement_currency",
    "statement_version",
    "first_period_date",
    "last_period_date",
    "period_count",
    "stake_account_count",
    "line_count",
    "total_native",
    "native_asset",
    "decimals",
    "price_date",
    "price_micro_usd",
    "total_usd_micro",
    "total_usd_cents",
    "knowledge_date",
    "lines_sha256",
    "payable_unit",
    "payable_amount",
    "payable_decimals",
    "is_closed",
    "closed_at",
)
LINE_COLUMNS = (
    "partner_id",
    "agreement_id",
    "statement_month",
    "adjusts_month",
    "version",
    "period_id",
    "period_date",
    "validator_id",
    "rule_id",
    "tier_index",
    "rule_type",
    "tier_mode",
    "component",
    "basis_kind",
    "basis_native",
    "tier_measure_tokens",
    "band_stake_tokens",
    "rate_bps",
    "rule_amount",
    "rule_amount_unit",
    "numerator",
    "denominator",
    "amount_native",
    "line_text",
)
_STATEMENT_INTS = {
    "statement_version",
    "period_count",
    "stake_account_count",
    "line_count",
    "total_native",
    "decimals",
    "price_micro_usd",
    "total_usd_micro",
    "total_usd_cents",
    "payable_amount",
    "payable_decimals",
}
_LINE_INTS = {
    "version",
    "tier_index",
    "basis_native",
    "tier_measure_tokens",
    "band_stake_tokens",
    "rate_bps",
    "rule_amount",
    "numerator",
    "denominator",
    "amount_native",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Line:
    values: dict[str, Any]

    @property
    def line_text(self) -> str:
        return str(self.values["line_text"])


@dataclass
class Statement:
    values: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    # a closed statement's row in ledger.closed_statements: (line_count, total_native, lines_sha256)
    frozen: tuple[int, int | None, str] | None = None
    ledger_readable: bool = True

    @property
    def key(self) -> tuple[str, str, str]:
        v = self.values
        return (str(v["partner_id"]), str(v["agreement_id"]), str(v["statement_month"]))

    @property
    def decimals(self) -> int:
        return int(self.values["decimals"])


@dataclass(frozen=True)
class ExportedStatement:
    """What was sent for one statement."""

    partner_id: str
    agreement_id: str
    statement_month: str
    statement_currency: str
    line_count: int
    total_native: int
    total_usd_cents: int | None
    lines_sha256: str
    is_closed: bool = False


@dataclass(frozen=True)
class ExportResult:
    statements: list[ExportedStatement]
    content_sha256: str
    output: str | None


# ----------------------------------------------------------------------------------- reading


def _connect_and_fetch(
    target: Target, queries: Sequence[tuple[str, Sequence[Any]]]
) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
    """Run read-only queries (with ``%s`` placeholders) on the target warehouse."""
    results: list[tuple[list[str], list[tuple[Any, ...]]]] = []
    if target == "duckdb":
        import duckdb

        path = duckdb_path()
        if not path.exists():
            raise StatementExportError(f"no DuckDB warehouse at {path}: run `aurora demo` first")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            locked = duckdb_lock_message(str(exc), path)  # names the run holding the file
            raise WarehouseError(
                locked or f"cannot open the DuckDB warehouse at {path}: {exc}"
            ) from None
        try:
            for sql, params in queries:
                cur = con.execute(sql.replace("%s", "?"), list(params))
                names = [d[0] for d in cur.description or []]
                results.append((names, cur.fetchall()))
        except duckdb.Error as exc:
            raise StatementExportError(
                f"cannot read the statement marts on duckdb: {exc}"
            ) from None
        finally:
            con.close()
        return results

    import psycopg2

    settings = PostgresSettings.from_env(step="finance")
    try:
        pg = psycopg2.connect(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=settings.password,
            dbname=settings.database,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        raise WarehouseError(
            f"cannot connect to PostgreSQL at {settings.safe_dsn()}: {str(exc).strip()}"
        ) from None
    try:
        pg.set_session(readonly=True)
        with pg.cursor() as cur:
            for sql, params in queries:
                cur.execute(sql, list(params))
                names = [d[0] for d in cur.description or []]
                results.append((names, list(cur.fetchall())))
    except psycopg2.Error as exc:
        raise StatementExportError(
            f"cannot read the statement marts on postgres: {str(exc).strip()}"
        ) from None
    finally:
        pg.close()
    return results


def read_statements(target: Target, month: str, partner_id: str | None) -> list[Statement]:
    """The statements of a month (optionally one partner) with their lines, from the marts."""
    where = "where statement_month = %s"
    params: list[Any] = [month]
    if partner_id is not None:
        where += " and partner_id = %s"
        params.append(partner_id)
    statements_sql = (
        f"select {', '.join(STATEMENT_COLUMNS)} from marts.partner_commission_statements {where}"
    )
    lines_sql = f"select {', '.join(LINE_COLUMNS)} from marts.partner_commission_lines {where}"
    (s_names, s_rows), (l_names, l_rows) = _connect_and_fetch(
        target, [(statements_sql, params), (lines_sql, params)]
    )
    statements: dict[tuple[str, str, str], Statement] = {}
    for row in s_rows:
        values = dict(zip(s_names, row, strict=True))
        for name in _STATEMENT_INTS:
            values[name] = to_int(values[name], f"statement {values['agreement_id']} {name}")
        st = Statement(values)
        statements[st.key] = st
    for row in l_rows:
        values = dict(zip(l_names, row, strict=True))
        for name in _LINE_INTS:
            values[name] = to_int(values[name], f"line {values['line_text']} {name}")
        key = (
            str(values["partner_id"]),
            str(values["agreement_id"]),
            str(values["statement_month"]),
        )
        if key not in statements:
            raise StatementExportError(
                f"line {values['line_text']!r} of {key[1]} {key[2]} has no statement row"
            )
        statements[key].lines.append(Line(values))
    ordered = [statements[k] for k in sorted(statements, key=lambda k: (k[0], k[1], k[2]))]
    for st in ordered:
        st.lines.sort(key=lambda line: line.line_text.encode("utf-8"))
    if any(st.values["is_closed"] for st in ordered):
        _attach_frozen(target, ordered, where, params)
    return ordered


def _attach_frozen(
    target: Target, statements: Sequence[Statement], where: str, params: Sequence[Any]
) -> None:
    """The ledger's own row of each closed statement (``Statement.frozen``), for :func:`verify`.
    A login that may not read the ledger (a partner's, methodology §10) checks the frozen hash
    against the frozen lines only (``Statement.ledger_readable`` false)."""
    visible = (
        "select count(*) from information_schema.tables "
        "where table_schema = 'ledger' and table_name = 'closed_statements'"
    )
    ((_, ((count,),)),) = _connect_and_fetch(target, [(visible, [])])
    if not count:
        for st in statements:
            st.ledger_readable = False
        return
    sql = (
        "select partner_id, agreement_id, statement_month, line_count, total_native, lines_sha256 "
        f"from ledger.closed_statements {where}"
    )
    ((_, rows),) = _connect_and_fetch(target, [(sql, params)])
    frozen = {
        (str(p), str(a), str(m)): (int(n), to_int(t, f"ledger {a} {m} total_native"), str(h))
        for p, a, m, n, t, h in rows
    }
    for st in statements:
        if st.values["is_closed"]:
            st.frozen = frozen.get(st.key)


def verify(statement: Statement) -> None:
    """The statement agrees with its lines: count, exact total, lines_sha256 (methodology §6-§7)."""
    v = statement.values
    label = f"{v['agreement_id']} {v['statement_month']}"
    texts = [line.line_text for line in statement.lines]
    if len(texts) != v["line_count"]:
        raise StatementExportError(
            f"statement {label}: line_count {v['line_count']} but {len(texts)} lines"
        )
    total = sum(int(line.values["amount_native"]) for line in statement.lines)
    if total != v["total_native"]:
        raise StatementExportError(
            f"statement {label}: total_native {v['total_native']} but its lines sum to {total}"
        )
    recomputed = lines_sha256(texts)
    if recomputed != v["lines_sha256"]:
        raise StatementExportError(
            f"statement {label}: lines_sha256 {v['lines_sha256']} but its lines hash to {recomputed}"
        )
    if v["is_closed"] and statement.ledger_readable:
        served = (v["line_count"], v["total_native"], v["lines_sha256"])
        if statement.frozen is None:
            raise StatementExportError(
                f"statement {label} is served as closed but the ledger has no such statement"
            )
        if statement.frozen != served:
            raise StatementExportError(
                f"statement {label} is closed: the ledger froze (line_count, total_native, "
                f"lines_sha256) = {statement.frozen} but the marts serve {served}"
            )


# ---------------------------------------------------------------------------------- rendering


def statement_record(st: Statement) -> dict[str, Any]:
    """A statement as exported: the mart's columns (what is payable included, as the mart decided
    it) and decimal renderings of its amounts."""
    v = st.values
    record: dict[str, Any] = {name: _text(v[name]) for name in STATEMENT_COLUMNS}
    for name in _STATEMENT_INTS:
        record[name] = v[name]
    record["is_closed"] = bool(v["is_closed"])
    record["status"] = "closed" if v["is_closed"] else "draft"
    record.update(
        {
            "total": display_units(v["total_native"], st.decimals),
            "price_usd": display_units(v["price_micro_usd"], 6),
            "total_usd": display_units(v["total_usd_micro"], 6),
            "total_usd_cents_display": display_units(v["total_usd_cents"], 2),
            "payable_display": display_units(v["payable_amount"], v["payable_decimals"]),
        }
    )
    return record


def line_record(st: Statement, line: Line, line_no: int) -> dict[str, Any]:
    record: dict[str, Any] = {"line_no": line_no}
    for name in LINE_COLUMNS:
        value = line.values[name]
        record[name] = value if name in _LINE_INTS else _text(value)
    record["is_adjustment"] = line.values["adjusts_month"] is not None
    record["amount"] = display_units(line.values["amount_native"], st.decimals)
    record["basis"] = display_units(line.values["basis_native"], st.decimals)
    return record


def render_json(statements: Sequence[Statement], month: str, partner_id: str | None) -> str:
    document = {
        "export": {
            "format_version": EXPORT_FORMAT_VERSION,
            "statement_month": month,
            "partner_id": partner_id,
            "statement_count": len(statements),
            "amounts": (
                "integers in the smallest unit (*_native: lamports), micro-USD (*_usd_micro) "
                "or cents (*_usd_cents); decimal renderings are strings"
            ),
            "lines_sha256": (
                "sha256 of the lines' line_text sorted byte by byte, joined with a newline"
            ),
            "status": (
                "closed: frozen in the ledger, never changes; draft: the month is open and the "
                "statement may still change"
            ),
        },
        "statements": [
            {
                **statement_record(st),
                "lines": [line_record(st, line, i) for i, line in enumerate(st.lines, 1)],
            }
            for st in statements
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "record",
    "partner_id",
    "partner_name",
    "agreement_id",
    "statement_month",
    "status",
    "closed_at",
    "line_no",
    "adjusts_month",
    "period_id",
    "period_date",
    "validator_id",
    "rule_id",
    "tier_index",
    "rule_type",
    "tier_mode",
    "component",
    "version",
    "basis_kind",
    "basis_native",
    "tier_measure_tokens",
    "band_stake_tokens",
    "rate_bps",
    "rule_amount",
    "rule_amount_unit",
    "numerator",
    "denominator",
    "amount_native",
    "asset",
    "amount",
    "line_count",
    "statement_currency",
    "statement_version",
    "price_date",
    "price_micro_usd",
    "price_usd",
    "total_usd_micro",
    "total_usd",
    "total_usd_cents",
    "payable_unit",
    "payable_amount",
    "payable_display",
    "knowledge_date",
    "lines_sha256",
    "line_text",
)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def render_csv(statements: Sequence[Statement]) -> str:
    """One row per line (record=line), then one total row per statement (record=total)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for st in statements:
        srec = statement_record(st)
        asset = srec["native_asset"]
        for i, line in enumerate(st.lines, 1):
            lrec = line_record(st, line, i)
            row = {name: lrec.get(name) for name in CSV_COLUMNS}
            row.update(
                {
                    "record": "line",
                    "partner_name": srec["partner_name"],
                    "status": srec["status"],
                    "closed_at": srec["closed_at"],
                    "asset": asset,
                }
            )
            writer.writerow({k: _cell(v) for k, v in row.items()})
        total = {name: srec.get(name) for name in CSV_COLUMNS}
        total.update(
            {
                "record": "total",
                "asset": asset,
                "amount_native": srec["total_native"],
                "amount": srec["total"],
            }
        )
        writer.writerow({k: _cell(v) for k, v in total.items()})
    return buffer.getvalue()


# ------------------------------------------------------------------------------------- export


def validate_month(month: str) -> str:
    if not _MONTH.match(month):
        raise StatementExportError(f"--month: expected YYYY-MM, got {month!r}")
    return month


def validate_partner(partner_id: str | None) -> str | None:
    if partner_id is not None and not _PARTNER.match(partner_id):
        raise StatementExportError(f"--partner: {partner_id!r} is not a partner id")
    return partner_id


def export_statements(
    target: str | None,
    month: str,
    partner_id: str | None,
    fmt: str,
    out: str | Path | IO[str] | None,
) -> ExportResult:
    """Write the statements of ``month`` (one partner, or all) with their lines and hashes.

    ``out``: a path, an open text stream, or None for standard output. Returns what was sent.
    Raises :class:`StatementExportError` when there is no statement or a statement disagrees with
    its lines."""
    resolved = resolve_target(target)
    validate_month(month)
    validate_partner(partner_id)
    if fmt not in FORMATS:
        raise StatementExportError(f"--format: expected csv or json, got {fmt!r}")
    # never from a half-built or stale warehouse (ingest/build_status.py)
    require_current(resolved, "export statements")
    statements = read_statements(resolved, month, partner_id)
    if not statements:
        who = f" for partner {partner_id}" if partner_id else ""
        raise StatementExportError(f"no statement for {month}{who} on {resolved}")
    for st in statements:
        verify(st)
    text = render_json(statements, month, partner_id) if fmt == "json" else render_csv(statements)
    content = text.encode("utf-8")
    where: str | None = None
    if out is None:
        sys.stdout.write(text)
    elif isinstance(out, str | Path):
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        where = str(path)
    else:
        out.write(text)
    sent = [
        ExportedStatement(
            partner_id=str(st.values["partner_id"]),
            agreement_id=str(st.values["agreement_id"]),
            statement_month=str(st.values["statement_month"]),
            statement_currency=str(st.values["statement_currency"]),
            line_count=int(st.values["line_count"]),
            total_native=int(st.values["total_native"]),
            total_usd_cents=st.values["total_usd_cents"],
            lines_sha256=str(st.values["lines_sha256"]),
            is_closed=bool(st.values["is_closed"]),
        )
        for st in statements
    ]
    return ExportResult(sent, hashlib.sha256(content).hexdigest(), where)


# ---------------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aurora statements export",
        description="Export partner commission statements with their lines and lines_sha256.",
    )
    p.add_argument("--month", required=True, help="statement month, YYYY-MM")
    p.add_argument("--partner", default=None, help="one partner_id (default: every partner)")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="csv")
    p.add_argument("--target", choices=("duckdb", "postgres"), default=None)
    p.add_argument("--output", default=None, help="file to write (default: standard output)")
    return p


def statements_export_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `aurora statements export ...` (argv without the `statements` word; a
    leading `export` is accepted). Exit 0 on success, 2 with a one-line message on a known error."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["export"]:
        args_list = args_list[1:]
    args = _parser().parse_args(args_list)
    try:
        result = export_statements(args.target, args.month, args.partner, args.fmt, args.output)
    except (StatementExportError, WarehouseError) as exc:
        print(f"aurora statements export: {exc}", file=sys.stderr)
        return 2
    if result.output is not None:
        print(
            f"{len(result.statements)} statement(s) for {args.month} written to {result.output} "
            f"(sha256 {result.content_sha256})",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(statements_export_main())
