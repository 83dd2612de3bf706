"""ingest/statements.py: the statement export, on a small DuckDB warehouse whose marts are written
by hand (the export only reads marts.partner_commission_statements and marts.partner_commission_lines).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.money import format_units
from ingest.statements import (
    StatementExportError,
    display_units,
    export_statements,
    lines_sha256,
    statements_export_main,
    to_int,
)

# Two statements of 2026-03 and one of 2026-04 (no lines: the hash of the empty string).
# fmt: off
LINES = [
    # partner, agreement, month, version, period, date, validator, rule, tier, type, mode,
    # component, basis_kind, basis, measure, band, rate, rule_amount, unit, num, den, amount
    ("acme", "acme-2026", "2026-03", 1, "9", "2026-03-10", "V1", "acme-v1-infl", 0,
     "pct_commission", "none", "inflation", "operator_commission", 20000000000, 5, None, 5000,
     None, None, 100000000000000, 10000, 10000000000),
    ("acme", "acme-2026", "2026-03", 1, "10", "2026-03-14", "V1", "acme-v1-infl", 0,
     "pct_commission", "none", "inflation", "operator_commission", 8990740734, 5, None, 5000,
     None, None, 44953703670000, 10000, 4495370367),
    ("acme", "acme-2026", "2026-03", 1, None, None, None, "acme-v1-cap", 0, "cap", "none", "all",
     "statement_total", 14495370367, None, None, None, 12000000000, "native", None, None,
     -2495370367),
    ("zeta", "zeta-2026", "2026-03", 2, None, None, None, "zeta-v2-fee", 0, "fixed_fee", "none",
     "all", None, None, None, None, None, 25000, "usd_cents", 250000000000000000, 150250000,
     1663893510),
]
STATEMENTS = [
    # partner, name, agreement, month, currency, version, lines, total, price, usd_micro, cents,
    # payable unit, payable amount, payable decimals (the mart decides what is payable)
    ("acme", "Acme Wallet", "acme-2026", "2026-03", "native", 1, 3, 12000000000, 150250000,
     1803000000, 180300, "native", 12000000000, 9),
    ("zeta", "Zeta, \"Inc.\"", "zeta-2026", "2026-03", "usd", 2, 1, 1663893510, 150250000,
     249999999, 25000, "usd_cents", 25000, 2),
    ("acme", "Acme Wallet", "acme-2026", "2026-04", "native", 1, 0, 0, None, None, None,
     "native", 0, 9),
]
# fmt: on


def _line_text(row: tuple) -> str:
    def t(v: object) -> str:
        return "" if v is None else str(v)

    return "|".join(t(row[i]) for i in (4, 6, 7, 8, 11, 13, 16, 21))


def _make_warehouse(path: Path, *, tamper: str | None = None) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """create table marts.partner_commission_lines (
            partner_id text, agreement_id text, statement_month text, version integer,
            period_id text, period_date date, validator_id text, rule_id text, tier_index integer,
            rule_type text, tier_mode text, component text, basis_kind text, basis_native hugeint,
            tier_measure_tokens hugeint, band_stake_tokens hugeint, rate_bps integer,
            rule_amount hugeint, rule_amount_unit text, numerator hugeint, denominator hugeint,
            amount_native hugeint, line_text text)"""
    )
    con.execute(
        """create table marts.partner_commission_statements (
            partner_id text, partner_name text, agreement_id text, chain text,
            statement_month text, statement_currency text, statement_version integer,
            first_period_date date, last_period_date date, period_count integer,
            stake_account_count integer, line_count integer, total_native hugeint,
            native_asset text, decimals integer, price_date date, price_micro_usd hugeint,
            total_usd_micro hugeint, total_usd_cents hugeint, knowledge_date date,
            lines_sha256 text, payable_unit text, payable_amount hugeint, payable_decimals integer)"""
    )
    texts: dict[tuple[str, str], list[str]] = {}
    for row in LINES:
        text = _line_text(row)
        texts.setdefault((row[1], row[2]), []).append(text)
        con.execute(
            "insert into marts.partner_commission_lines values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*(str(v) if isinstance(v, int) and abs(v) > 2**62 else v for v in row), text],
        )
    for s in STATEMENTS:
        sha = lines_sha256(texts.get((s[2], s[3]), []))
        if tamper == "hash" and s[2] == "acme-2026" and s[3] == "2026-03":
            sha = "0" * 64
        total = s[7] + (1 if tamper == "total" and s[2] == "acme-2026" else 0)
        con.execute(
            "insert into marts.partner_commission_statements values "
            "(?, ?, ?, 'solana', ?, ?, ?, null, null, 1, 1, ?, ?, 'SOL', 9, "
            "case when ? is null then null else date '2026-03-31' end, ?, ?, ?, "
            "date '9999-12-31', ?, ?, ?, ?)",
            [
                *(s[0], s[1], s[2], s[3], s[4], s[5], s[6], total, s[8], s[8], s[9], s[10], sha),
                *(s[11], s[12], s[13]),
            ],
        )
    # period close (methodology §9): nothing is closed here unless a test closes it
    con.execute("alter table marts.partner_commission_lines add column adjusts_month text")
    con.execute("alter table marts.partner_commission_lines add column is_closed boolean")
    con.execute("update marts.partner_commission_lines set is_closed = false")
    con.execute("alter table marts.partner_commission_statements add column is_closed boolean")
    con.execute("alter table marts.partner_commission_statements add column closed_at timestamp")
    con.execute("update marts.partner_commission_statements set is_closed = false")
    con.close()


def _record_build() -> None:
    """The marts written by hand count as built: a successful build of the current fingerprint."""
    from ingest import build_status

    fingerprint = build_status.current_fingerprint("duckdb")
    build_id = build_status.record_start("duckdb", fingerprint, command="test")
    build_status.record_end("duckdb", build_id, "succeeded")


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse.duckdb"
    _make_warehouse(path)
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(path))
    monkeypatch.setenv("AURORA_TARGET", "duckdb")
    _record_build()
    return path


def test_decimal_renderings_are_money_format_units() -> None:
    # the export renders with ingest.money.format_units (integer arithmetic), every digit kept
    for amount, decimals in ((1_500_000_000, 9), (-2_495_370_367, 9), (-5, 2), (0, 9), (7, 0)):
        assert display_units(amount, decimals) == format_units(amount, decimals)
    assert display_units(-5, 2) == "-0.05"
    # beyond a double's 53 bits: every digit survives
    assert display_units(12345678901234567890123456789, 9) == "12,345,678,901,234,567,890.123456789"
    # no figure (e.g. no price) stays null in the export, never a placeholder
    assert display_units(None, 9) is None


def test_to_int_is_exact() -> None:
    assert to_int(Decimal("123456789012345678901234567890"), "x") == 123456789012345678901234567890
    assert to_int("-42", "x") == -42
    assert to_int(None, "x") is None
    with pytest.raises(StatementExportError):
        to_int(Decimal("1.5"), "x")
    with pytest.raises(StatementExportError):
        to_int(1.0, "x")


def test_lines_sha256_sorts_bytes_and_hashes_empty() -> None:
    assert lines_sha256([]) == hashlib.sha256(b"").hexdigest()
    # '10|...' sorts before '9|...' byte by byte
    assert lines_sha256(["9|a", "10|b"]) == hashlib.sha256(b"10|b\n9|a").hexdigest()
    assert lines_sha256(["b", "B", "_"]) == hashlib.sha256(b"B\n_\nb").hexdigest()


def test_json_export_has_statements_lines_hashes_and_exact_money(warehouse: Path) -> None:
    out = io.StringIO()
    result = export_statements("duckdb", "2026-03", None, "json", out)
    doc = json.loads(out.getvalue())
    assert [s["agreement_id"] for s in doc["statements"]] == ["acme-2026", "zeta-2026"]
    acme = doc["statements"][0]
    assert acme["total_native"] == 12000000000 and acme["total"] == "12.000000000"
    assert acme["line_count"] == 3 and len(acme["lines"]) == 3
    # lines in the hash's byte order: '10|' < '9|' < '||' (per-statement lines last)
    assert [line["period_id"] for line in acme["lines"]] == ["10", "9", None]
    cap = acme["lines"][2]
    assert cap["amount_native"] == -2495370367 and cap["amount"] == "-2.495370367"
    assert acme["lines_sha256"] == lines_sha256([line["line_text"] for line in acme["lines"]])
    assert acme["payable_unit"] == "native" and acme["payable_amount"] == 12000000000
    assert acme["payable_display"] == "12.000000000"
    zeta = doc["statements"][1]
    assert zeta["payable_unit"] == "usd_cents" and zeta["payable_display"] == "250.00"
    assert zeta["lines"][0]["numerator"] == 250000000000000000
    assert zeta["price_usd"] == "150.250000" and zeta["total_usd"] == "249.999999"
    assert [s.lines_sha256 for s in result.statements] == [
        acme["lines_sha256"],
        zeta["lines_sha256"],
    ]
    assert result.content_sha256 == hashlib.sha256(out.getvalue().encode()).hexdigest()


def test_csv_export_has_lines_then_a_total_row_per_statement(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "march.csv"
    result = export_statements("duckdb", "2026-03", None, "csv", target)
    assert result.output == str(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["record"] for r in rows] == ["line", "line", "line", "total", "line", "total"]
    total = rows[3]
    assert total["agreement_id"] == "acme-2026" and total["amount_native"] == "12000000000"
    assert total["lines_sha256"] == result.statements[0].lines_sha256
    assert rows[5]["partner_name"] == 'Zeta, "Inc."'  # quoted by the csv module
    assert rows[5]["payable_display"] == "250.00"
    # the CSV alone recomputes the hash
    texts = [r["line_text"] for r in rows[:3]]
    assert lines_sha256(texts) == total["lines_sha256"]


def test_export_is_byte_identical_across_runs(warehouse: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "json"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        export_statements("duckdb", "2026-03", None, fmt, a)
        export_statements("duckdb", "2026-03", None, fmt, b)
        assert a.read_bytes() == b.read_bytes()


def test_partner_filter_and_empty_statement(warehouse: Path) -> None:
    out = io.StringIO()
    result = export_statements("duckdb", "2026-04", "acme", "json", out)
    (statement,) = json.loads(out.getvalue())["statements"]
    assert statement["line_count"] == 0 and statement["lines"] == []
    assert statement["lines_sha256"] == hashlib.sha256(b"").hexdigest()
    assert statement["total_usd_cents"] is None and statement["price_usd"] is None
    assert len(result.statements) == 1
    with pytest.raises(StatementExportError, match="no statement"):
        export_statements("duckdb", "2026-04", "zeta", "json", io.StringIO())


@pytest.mark.parametrize("tamper", ["hash", "total"])
def test_a_statement_that_disagrees_with_its_lines_is_not_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tamper: str
) -> None:
    path = tmp_path / "bad.duckdb"
    _make_warehouse(path, tamper=tamper)
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(path))
    _record_build()
    with pytest.raises(StatementExportError, match="acme-2026 2026-03"):
        export_statements("duckdb", "2026-03", None, "csv", io.StringIO())


def test_bad_arguments_are_rejected(warehouse: Path) -> None:
    for month in ("2026-13", "2026-3", "march"):
        with pytest.raises(StatementExportError, match="--month"):
            export_statements("duckdb", month, None, "csv", io.StringIO())
    with pytest.raises(StatementExportError, match="--partner"):
        export_statements("duckdb", "2026-03", "x'; drop table y; --", "csv", io.StringIO())
    with pytest.raises(StatementExportError, match="--format"):
        export_statements("duckdb", "2026-03", None, "xml", io.StringIO())


def test_cli_writes_the_file(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.json"
    argv = ["export", "--month", "2026-03", "--format", "json", "--target", "duckdb"]
    assert statements_export_main([*argv, "--output", str(out)]) == 0
    document = json.loads(out.read_text())
    assert [s["status"] for s in document["statements"]] == ["draft", "draft"]
    assert "2 statement(s) for 2026-03 written to" in capsys.readouterr().err


def _close_in_ledger(path: Path, *, frozen_sha: str | None = None) -> None:
    """Mark acme-2026 2026-03 closed, with its row in ledger.closed_statements (methodology §9)."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(
        "update marts.partner_commission_statements set is_closed = true, "
        "closed_at = timestamp '2026-04-02 10:00:00' "
        "where agreement_id = 'acme-2026' and statement_month = '2026-03'"
    )
    con.execute(
        "update marts.partner_commission_lines set is_closed = true "
        "where agreement_id = 'acme-2026' and statement_month = '2026-03'"
    )
    con.execute("create schema ledger")
    con.execute(
        "create table ledger.closed_statements as select partner_id, agreement_id, "
        "statement_month, line_count, total_native, lines_sha256 "
        "from marts.partner_commission_statements where is_closed"
    )
    if frozen_sha is not None:
        con.execute("update ledger.closed_statements set lines_sha256 = ?", [frozen_sha])
    con.close()


def test_a_closed_statement_is_served_as_closed_and_checked_against_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "closed.duckdb"
    _make_warehouse(path)
    _close_in_ledger(path)
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(path))
    _record_build()
    out = io.StringIO()
    result = export_statements("duckdb", "2026-03", None, "json", out)
    assert [(s.agreement_id, s.is_closed) for s in result.statements] == [
        ("acme-2026", True),
        ("zeta-2026", False),
    ]
    document = json.loads(out.getvalue())
    assert [(s["status"], s["closed_at"]) for s in document["statements"]] == [
        ("closed", "2026-04-02T10:00:00"),
        ("draft", None),
    ]

    # the marts serve a hash the ledger did not freeze: refused, naming the statement
    other = tmp_path / "moved.duckdb"
    _make_warehouse(other)
    _close_in_ledger(other, frozen_sha="e" * 64)
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(other))
    _record_build()
    with pytest.raises(StatementExportError, match="acme-2026 2026-03 is closed: the ledger froze"):
        export_statements("duckdb", "2026-03", None, "json", io.StringIO())


def test_export_refuses_a_warehouse_that_is_not_current(warehouse: Path) -> None:
    """A build that did not finish, or one that predates a new load, is never exported."""
    import duckdb

    from ingest import build_status
    from ingest.build_status import StaleWarehouse

    fingerprint = build_status.current_fingerprint("duckdb")
    build_status.record_start("duckdb", fingerprint, command="aurora build")  # then killed
    with pytest.raises(StaleWarehouse, match=r"did not finish: the marts may be half-built"):
        export_statements("duckdb", "2026-03", None, "csv", io.StringIO())
    build_id = build_status.record_start("duckdb", fingerprint, command="aurora build")
    build_status.record_end("duckdb", build_id, "failed", "dbt build failed")
    with pytest.raises(StaleWarehouse, match=r"the last build .* failed"):
        export_statements("duckdb", "2026-03", None, "csv", io.StringIO())
    _record_build()
    export_statements("duckdb", "2026-03", None, "csv", io.StringIO())  # current again
    con = duckdb.connect(str(warehouse))  # a completed load the marts have not seen
    con.execute("create schema raw_solana")
    con.execute("create table raw_solana._dlt_loads (load_id text, status integer)")
    con.execute("insert into raw_solana._dlt_loads values ('1790000000.1', 0)")
    con.close()
    with pytest.raises(StaleWarehouse, match=r"stale: new loads changed since the last build"):
        export_statements("duckdb", "2026-03", None, "csv", io.StringIO())


def test_cli_reports_errors_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    assert statements_export_main(["--month", "2026-03", "--target", "duckdb"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aurora statements export: no DuckDB warehouse at")
    assert len(err.strip().splitlines()) == 1
