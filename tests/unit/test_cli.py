"""The `aurora` command line: argument parsing and one-line errors instead of stack traces."""

from __future__ import annotations

from datetime import date

import pytest
from support import base_env, run_aurora

from ingest.cli import CliError, build_parser, parse_days, parse_epochs


def test_parse_epochs() -> None:
    assert parse_epochs("7") == [7]
    assert parse_epochs("3..6") == [3, 4, 5, 6]
    for bad in ("x", "5..3", "-1", "1..b"):
        with pytest.raises(CliError):
            parse_epochs(bad)


def test_parse_days() -> None:
    assert parse_days("2026-03-01") == [date(2026, 3, 1)]
    assert parse_days("2026-02-27..2026-03-01") == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]
    for bad in (
        "x",
        "2026-03-02..2026-03-01",
        "2026-3-1",
        "3..4",
        "2026-03-01..",
        "1990-01-01..2026-01-01",
    ):
        with pytest.raises(CliError, match="--days"):
            parse_days(bad)


def test_each_chain_takes_its_own_periods() -> None:
    from ingest.cli import _chain_periods, _periods

    args = build_parser().parse_args(["run", "--epochs", "3..4", "--days", "2026-03-01"])
    assert _periods(args) == {"solana": [3, 4], "ethereum": [date(2026, 3, 1)]}
    args = build_parser().parse_args(["ingest", "ethereum", "--days", "2026-03-01..2026-03-02"])
    assert _chain_periods(args) == [date(2026, 3, 1), date(2026, 3, 2)]
    args = build_parser().parse_args(["ingest", "ethereum"])
    assert _chain_periods(args) is None
    args = build_parser().parse_args(["ingest", "ethereum", "--epochs", "3"])
    with pytest.raises(CliError, match="--epochs does not apply to ethereum"):
        _chain_periods(args)
    args = build_parser().parse_args(["ingest", "solana", "--days", "2026-03-01"])
    with pytest.raises(CliError, match="--days does not apply to solana"):
        _chain_periods(args)


def test_a_bad_days_range_is_one_line() -> None:
    result = run_aurora(["ingest", "ethereum", "--days", "2026-03-05..2026-03-01"], base_env())
    assert result.returncode == 2
    assert "aurora: error: --days: expected A <= B" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_target_is_a_clear_error() -> None:
    env = base_env()
    env["AURORA_TARGET"] = "oracle"
    result = run_aurora(["build"], env)
    assert result.returncode == 2
    assert "unknown target 'oracle'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "chains.yaml").write_text("chains: {solana: {decimals: 9}}\n")
    (tmp_path / "providers.yaml").write_text("providers: {}\n")
    env = base_env()
    env["AURORA_CONFIG_DIR"] = str(tmp_path)
    result = run_aurora(["build", "--target", "duckdb"], env)
    assert result.returncode == 2
    assert "chains.yaml" in result.stderr and "native_asset" in result.stderr
    assert "Traceback" not in result.stderr
