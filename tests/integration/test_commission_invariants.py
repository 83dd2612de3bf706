"""The commission invariants and seed validations (methodology §7) pass on the demo warehouse and
fail, naming the offending rows, on crafted bad cases.

One DuckDB warehouse is built end to end (`aurora demo`); each group of cases works on a copy of it:
rows are tampered with in place (a mart, a seed table, an input table), then the dbt tests run and
the rows they return are read back from their compiled SQL. Errors must fail, warnings must warn.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Warehouse, run_aurora, warehouse

# The default simulated network's operator validators (seeds/validators.csv).
AURORA_01 = "A2dSWkYfkSEjJntz5q8deDvKnfWvLkKhqvV7RQzZPogU"  # 0% commission
AURORA_02 = "9RSNZddTHHuP6qNdgD4fLThnd2CxbJ2hMbFe98byq3VV"  # 100% commission, white label
AURORA_05 = "9MUTNnYnZFyXNn2r5AuxsbWsBtp2RLQLiK9qfUMEgnHD"
NORTHWIND_ACCOUNT = "EUvSHg3h5jwNF1ZVSCH6hVE9uFZW8gdbsB2egihNtukB"

MART_TESTS = [
    "assert_commission_statement_totals",
    "assert_commission_bases_within_revenue",
    "assert_commission_lines_within_operator_commission",
    "assert_commission_operator_residual",
    "assert_commission_line_arithmetic",
    "assert_commission_lines_signs",
]
SEED_TESTS = [
    "accepted_range_agreement_rules_rate_bps__10000__0",
    "assert_seed_agreement_versions_same_day_no_overlap",
    "assert_seed_agreement_rules_tiers",
    "assert_seed_partner_attributions_key_once_at_a_time",
    "assert_commission_attribution_unambiguous",
    "assert_commission_periods_have_version",
    "assert_commission_usd_amounts_have_price",
]
INPUT_TESTS = [
    "assert_commission_share_weights",
    "assert_commission_pnl_coverage",
    "assert_commission_statement_prices",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    with warehouse("duckdb", tmp_path_factory.mktemp("demo")) as wh:
        result = run_aurora(["demo", "--target", "duckdb"], wh.env)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
        yield wh


def copy_of(wh: Warehouse, tmp_path: Path, name: str) -> Warehouse:
    path = tmp_path / f"copy_{name}.duckdb"
    shutil.copyfile(wh.env["AURORA_DUCKDB_PATH"], path)
    return Warehouse(
        "duckdb",
        {**wh.env, "AURORA_DUCKDB_PATH": str(path)},
        tmp_path / f"target_{name}",
        log_path=tmp_path / f"logs_{name}",
    )


def run_tests(wh: Warehouse, names: list[str]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Run the named dbt tests; for each: (status, the rows it returned, as dicts)."""
    wh.dbt("test", "--select", *names, check=False)
    results = json.loads((wh.target_path / "run_results.json").read_text())["results"]
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for r in results:
        name = r["unique_id"].split(".")[2]
        rows: list[dict[str, Any]] = []
        if r["status"] in ("fail", "warn"):
            import duckdb

            con = duckdb.connect(wh.env["AURORA_DUCKDB_PATH"], read_only=True)
            try:
                cur = con.execute(r["compiled_code"])
                columns = [d[0] for d in cur.description or []]
                rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
            finally:
                con.close()
        out[name] = (r["status"], rows)
    assert sorted(out) == sorted(names), f"selected {sorted(out)}"
    return out


def named(rows: list[dict[str, Any]], **expected: Any) -> bool:
    """Some row carries every expected value (compared as text)."""
    return any(all(str(row.get(k)) == str(v) for k, v in expected.items()) for row in rows)


@pytest.mark.slow
def test_invariants_pass_on_the_demo_warehouse(demo: Warehouse, tmp_path: Path) -> None:
    results = run_tests(copy_of(demo, tmp_path, "clean"), MART_TESTS + SEED_TESTS + INPUT_TESTS)
    assert {name: status for name, (status, _) in results.items()} == dict.fromkeys(results, "pass")


@pytest.mark.slow
def test_mart_invariants_fail_on_tampered_marts(demo: Warehouse, tmp_path: Path) -> None:
    wh = copy_of(demo, tmp_path, "marts")
    wh.execute(
        "update marts.partner_commission_statements set total_native = total_native + 1 "
        "where agreement_id = 'northwind-exchange-2026' and statement_month = '2026-03'"
    )
    wh.execute(
        "update marts.partner_commission_statements set line_count = line_count + 1 "
        "where agreement_id = 'lumen-wallet-2026' and statement_month = '2026-01'"
    )
    wh.execute(
        "update marts.partner_commission_bases "
        "set operator_commission_basis_native = validator_component_native + 1 "
        "where agreement_id = 'helios-white-label-2026' and period_id = '3' "
        "and component = 'inflation'"
    )
    wh.execute(
        "update marts.partner_commission_lines set amount_native = amount_native + 1000000000000 "
        f"where rule_id = 'orbit-v1-gross' and period_id = '5' and validator_id = '{AURORA_05}'"
    )
    wh.execute(
        "update marts.partner_commission_lines set amount_native = 0 - amount_native "
        "where rule_id = 'helios-v1-mev' and period_id = '4'"
    )
    r = run_tests(wh, MART_TESTS)

    status, rows = r["assert_commission_statement_totals"]
    assert status == "fail"
    assert named(rows, agreement_id="northwind-exchange-2026", statement_month="2026-03")
    assert named(
        rows, agreement_id="lumen-wallet-2026", statement_month="2026-01", counted_lines=84
    )

    status, rows = r["assert_commission_bases_within_revenue"]
    assert status == "fail"
    assert named(rows, validator_id=AURORA_02, period_id="3", component="inflation")

    status, rows = r["assert_commission_lines_within_operator_commission"]
    assert status == "warn"
    assert named(rows, agreement_id="orbit-referral-2026", validator_id=AURORA_05, period_id="5")

    status, rows = r["assert_commission_operator_residual"]
    assert status == "warn"
    assert named(rows, validator_id=AURORA_05, period_id="5")

    status, rows = r["assert_commission_line_arithmetic"]
    assert status == "fail"
    assert named(rows, rule_id="orbit-v1-gross", period_id="5", validator_id=AURORA_05)

    status, rows = r["assert_commission_lines_signs"]
    assert status == "fail"
    assert named(rows, rule_id="helios-v1-mev", period_id="4")


@pytest.mark.slow
def test_seed_validations_fail_on_bad_seed_rows(demo: Warehouse, tmp_path: Path) -> None:
    wh = copy_of(demo, tmp_path, "seeds")
    # a rate above 100%
    wh.execute(
        "update seeds.agreement_rules set rate_bps = 10001 "
        "where rule_id = 'lumen-v2-revenue-share' and tier_index = 3"
    )
    # a second version recorded the same day as v2, overlapping it
    wh.execute(
        "insert into seeds.agreement_versions values "
        "('lumen-wallet-2026', 3, date '2026-03-01', null, date '2026-02-10', 'amendment')"
    )
    # a gap between tier bands
    wh.execute(
        "update seeds.agreement_rules set tier_lower = 30000 "
        "where rule_id = 'lumen-v1-revenue-share' and tier_index = 2"
    )
    # a second agreement claims one of Northwind's stake accounts at the same precedence
    wh.execute(
        "insert into seeds.partner_attributions values ('cobalt-sa-99', 'cobalt-custody-2026', "
        f"'stake_account', '{NORTHWIND_ACCOUNT}', date '2026-03-01', null)"
    )
    # Helios' only version starts in February: its January periods have no version
    wh.execute(
        "update seeds.agreement_versions set valid_from = date '2026-02-01' "
        "where agreement_id = 'helios-white-label-2026'"
    )
    # no April close: Orbit's USD retainer cannot be converted
    wh.execute("delete from seeds.prices where price_date >= date '2026-04-01'")
    r = run_tests(wh, SEED_TESTS)

    status, rows = r["accepted_range_agreement_rules_rate_bps__10000__0"]
    assert status == "fail" and named(rows, rule_id="lumen-v2-revenue-share", rate_bps=10001)

    status, rows = r["assert_seed_agreement_versions_same_day_no_overlap"]
    assert status == "fail" and named(rows, agreement_id="lumen-wallet-2026")

    status, rows = r["assert_seed_agreement_rules_tiers"]
    assert status == "fail"
    assert named(
        rows, rule_id="lumen-v1-revenue-share", tier_index=1, problem="bands are not contiguous"
    )

    status, rows = r["assert_seed_partner_attributions_key_once_at_a_time"]
    assert status == "fail"

    status, rows = r["assert_commission_attribution_unambiguous"]
    assert status == "fail"
    assert named(
        rows,
        stake_unit_id=NORTHWIND_ACCOUNT,
        key_type="stake_account",
        agreement_ids="cobalt-custody-2026, northwind-exchange-2026",
        period_id="14",
    )

    status, rows = r["assert_commission_periods_have_version"]
    assert status == "fail"
    assert {
        row["period_id"] for row in rows if row["agreement_id"] == "helios-white-label-2026"
    } == {str(e) for e in range(7)}

    status, rows = r["assert_commission_usd_amounts_have_price"]
    assert status == "fail"
    assert named(
        rows,
        agreement_id="orbit-referral-2026",
        statement_month="2026-04",
        rule_id="orbit-v1-retainer",
    )


@pytest.mark.slow
def test_warnings_on_crafted_inputs(demo: Warehouse, tmp_path: Path) -> None:
    wh = copy_of(demo, tmp_path, "inputs")
    # aurora-02's stake accounts earned nothing and carry no delegated stake in epoch 6: both
    # attribution weights are 0
    wh.execute(
        "update canonical.canonical_stake_rewards "
        "set reward_native = 0, delegated_stake_native = 0, "
        "attribution_weight_native = 0, fallback_weight_native = 0 "
        f"where validator_id = '{AURORA_02}' and period_id = '6'"
    )
    # aurora-01 lost its P&L row for epoch 2 (the P&L is computed from canonical_validator_meta)
    wh.execute(
        "delete from canonical.canonical_validator_meta "
        f"where validator_id = '{AURORA_01}' and period_id = '2'"
    )
    # April has no close
    wh.execute("delete from seeds.prices where price_date >= date '2026-04-01'")
    wh.dbt("run", "--select", "path:dbt_project/intermediate/finance+")
    r = run_tests(wh, INPUT_TESTS)

    status, rows = r["assert_commission_share_weights"]
    assert status == "warn"
    assert named(
        rows, agreement_id="helios-white-label-2026", validator_id=AURORA_02, period_id="6"
    )

    status, rows = r["assert_commission_pnl_coverage"]
    assert status == "warn" and named(rows, validator_id=AURORA_01, period_id="2")

    status, rows = r["assert_commission_statement_prices"]
    assert status == "warn"
    assert {(row["agreement_id"], row["statement_month"]) for row in rows} >= {
        ("lumen-wallet-2026", "2026-04"),
        ("cobalt-custody-2026", "2026-04"),
    }
    assert {row["statement_month"] for row in rows} == {"2026-04"}
