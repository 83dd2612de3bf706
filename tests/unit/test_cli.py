"""The `aurora` command line: argument parsing and one-line errors instead of stack traces."""

from __future__ import annotations

import pytest
from support import base_env, run_aurora

from ingest.cli import CliError, parse_epochs


def test_parse_epochs() -> None:
    assert parse_epochs("7") == [7]
    assert parse_epochs("3..6") == [3, 4, 5, 6]
    for bad in ("x", "5..3", "-1", "1..b"):
        with pytest.raises(CliError):
            parse_epochs(bad)


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
