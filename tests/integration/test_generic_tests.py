"""The in-project generic tests (tests/generic/) and the float-money scan, each shown failing on
bad data and passing on good data, on DuckDB and PostgreSQL (fixtures in tests/fixtures/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import warehouse

FLOAT_SCAN = "assert_no_float_money_columns"


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_each_generic_test_fails_on_bad_data(target: str, tmp_path: Path) -> None:
    with warehouse(target, tmp_path) as wh:
        fixtures = {"aurora_negative_fixtures": True}
        wh.dbt("build", "--select", "tag:negative_fixture", vars=fixtures, check=False)
        results = wh.run_results()
        negative = {name: r for name, r in results.items() if name.startswith("negative_")}
        positive = {name: r for name, r in results.items() if name.startswith("positive_")}
        expected_generic = {
            "expression_is_true",
            "unique_combination_of_columns",
            "accepted_range",
            "mutually_exclusive_ranges",
            "equal_rowcount",
            "recency",
        }
        covered = {
            name
            for name in expected_generic
            if any(n.startswith(f"negative_{name}") for n in negative)
        }
        assert covered == expected_generic
        assert {name for name, r in negative.items() if r["status"] != "fail"} == set()
        assert {name for name, r in positive.items() if r["status"] != "pass"} == set()
        # the seed with a money column typed double is caught by the catalog scan ... (run once
        # the fixtures are loaded: the scan depends on no node, so in the same `dbt build` it may
        # run before the bad seed is in, and pass)
        wh.dbt("test", "--select", FLOAT_SCAN, vars=fixtures, check=False)
        results = wh.run_results()
        assert results[FLOAT_SCAN]["status"] == "fail"
        offenders = wh.query(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'negative_fixtures' and column_name = 'bad_amount_native'"
        )
        assert offenders == [("neg_float_seed", "bad_amount_native")]


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_float_scan_passes_without_the_bad_seed(target: str, tmp_path: Path) -> None:
    with warehouse(target, tmp_path) as wh:
        wh.dbt("seed", "--select", "neg_values", check=False)  # nothing to seed: fixtures are off
        wh.execute("create schema if not exists exact")
        wh.execute(
            f"create table exact.t (fee_native {'hugeint' if target == 'duckdb' else 'numeric(38,0)'}, rate_bps integer)"
        )
        wh.dbt("test", "--select", FLOAT_SCAN)
        assert wh.run_results()[FLOAT_SCAN]["status"] == "pass"
        wh.execute("create table exact.u (price_micro_usd double precision)")
        wh.dbt("test", "--select", FLOAT_SCAN, check=False)
        assert wh.run_results()[FLOAT_SCAN]["status"] == "fail"
