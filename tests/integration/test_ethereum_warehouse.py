"""Ethereum through the warehouse (methodology §8), end to end: the DEFAULT simulated Ethereum
chain served over HTTP on loopback, ingested by `aurora demo` (with Solana's) into a DuckDB file and
a PostgreSQL database, built by dbt, and compared with the simulator's independent ground truth
(ingest/simulator/ethereum/truth.py) recomputed in plain integer Python (tests/recompute.py): the
validator P&L per validator-day, every Ethereum statement line for line and hash for hash, and the
relay discrepancies. Then: the engines agree row for row, the slashed validator and the day without
an ETH close are warned about by name, an incremental build after one new day equals a full
refresh, and re-running changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from recompute import (
    ETH_ASSET,
    ETH_CHAIN,
    ETH_PNL_COLUMNS,
    Statement,
    _plain,
    compute_ethereum,
    ethereum_days_from_truth,
    ethereum_pnl,
    load_fee_terms,
    load_prices,
    load_seeds,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds"
MISSING_PRICE_DAY = "2026-03-02"  # seeds/prices.csv has no ETH close that day
SLASHED = "12"  # the DEFAULT network's slashed validator (Network.features())
# `aurora demo` points the relay providers of config/providers.yaml at the simulated relays in order
RELAYS = {"relay-a": "relay_flashbots", "relay-b": "relay_ultrasound"}
ETH_AGREEMENTS = "(select agreement_id from seeds.agreements where chain = 'ethereum')"
LINE_SQL = (
    "select partner_id, agreement_id, version, rule_id, tier_index, rule_type, component, "
    "statement_month, period_id, validator_id, basis_native, rate_bps, numerator, denominator, "
    f"amount_native from marts.partner_commission_lines where agreement_id in {ETH_AGREEMENTS}"
)
STATEMENT_SQL = (
    "select partner_id, agreement_id, chain, statement_month, line_count, total_native, "
    "price_micro_usd, total_usd_micro, total_usd_cents, lines_sha256 "
    "from marts.partner_commission_statements where chain = 'ethereum'"
)
# what a P&L and commission build reads: every relation with Ethereum rows
RELATIONS = (
    "canonical.canonical_periods",
    "canonical.canonical_validator_identities",
    "canonical.canonical_validator_meta",
    "canonical.canonical_stake_rewards",
    "canonical.canonical_validator_fees",
    "canonical.canonical_validator_mev",
    "marts.validator_pnl",
    "marts.dim_periods",
    "marts.dim_validators",
    "marts.partner_commission_lines",
    "marts.partner_commission_statements",
    "audit.provider_discrepancies",
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


@pytest.fixture(scope="module")
def network() -> Any:
    from ingest.simulator.ethereum.network import Scenario, build_network

    return build_network(Scenario())


@pytest.fixture(scope="module")
def days(network: Any) -> list[Any]:
    return ethereum_days_from_truth(network, load_fee_terms(SEEDS_DIR))


@pytest.fixture(scope="module")
def expected_statements(days: list[Any]) -> dict[tuple[str, str, str], Statement]:
    prices = load_prices(SEEDS_DIR / "prices.csv", ETH_CHAIN, ETH_ASSET)
    return compute_ethereum(days, load_seeds(SEEDS_DIR), prices)


@pytest.fixture(scope="module")
def built(demo_warehouses: Mapping[str, Any]) -> Mapping[str, Any]:
    """The session's shared `aurora demo` warehouses (conftest); PostgreSQL fails, never skips."""
    return demo_warehouses


# ------------------------------------------------------------------------------ P&L


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_ethereum_validator_pnl_equals_truth(
    built: Mapping[str, Any], days: list[Any], target: str
) -> None:
    expected = ethereum_pnl(days, SEEDS_DIR)
    want = sorted(tuple(_text(r[c]) for c in ETH_PNL_COLUMNS) for r in expected)
    select = ", ".join(f"cast({c} as varchar)" for c in ETH_PNL_COLUMNS)
    got = sorted(
        built[target].query(f"select {select} from marts.validator_pnl where chain = 'ethereum'")
    )
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, f"missing {missing[:2]}\nextra {extra[:2]}"
    assert got == want
    col = {c: i for i, c in enumerate(ETH_PNL_COLUMNS)}
    # the cases of the default chain are exercised, not just present
    assert {r[col["period_id"]] for r in got} == {
        "2026-02-28",
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
    }
    assert any(int(r[col["consensus_rewards_native"]]) < 0 for r in got)  # an inactivity leak
    assert any(int(r[col["mev_gross_native"]]) > 2**64 for r in got)  # 20.5 ETH payment
    unpriced = {r[col["period_id"]] for r in got if r[col["price_micro_usd"]] is None}
    assert unpriced == {MISSING_PRICE_DAY}
    assert all(r[col["revenue_usd_micro"]] is None for r in got if r[col["period_id"]] in unpriced)
    assert any(r[col["infra_cost_usd_micro"]] != "0" for r in got)  # validator 11 has a cost row
    by_key = {(r[col["validator_id"]], r[col["period_id"]]) for r in got}
    assert ("39", "2026-02-28") not in by_key  # not in the state yet
    assert ("39", "2026-03-01") not in by_key  # pending_queued and nothing earned


# ------------------------------------------------------------------------ statements


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_ethereum_statements_equal_recomputation(
    built: Mapping[str, Any],
    expected_statements: dict[tuple[str, str, str], Statement],
    target: str,
) -> None:
    from test_commission_recompute import expected_lines
    from test_commission_recompute import expected_statements as statement_rows

    wh = built[target]
    want_lines = expected_lines(expected_statements)
    got_lines = sorted((tuple(_plain(v) for v in r) for r in wh.query(LINE_SQL)), key=_sort_key)
    assert got_lines == want_lines
    got = sorted(tuple(_plain(v) for v in r) for r in wh.query(STATEMENT_SQL))
    assert got == statement_rows(expected_statements)
    assert {(r[1], r[3]) for r in got} == {
        (a, m)
        for a in ("aster-eth-2026", "borealis-eth-2026", "cirrus-eth-2026")
        for m in ("2026-02", "2026-03")
    }
    # the rules bite: a flat tier crossed, a marginal split, a cap, a minimum, a USD fee
    kinds = {(r[3], r[4], r[7]) for r in got_lines}
    assert {("aster-v1-consensus", 1, "2026-03"), ("aster-v1-consensus", 2, "2026-03")} <= kinds
    assert {("cirrus-v1-revenue-share", 2, "2026-02")} <= kinds
    assert any(r[3] == "aster-v1-cap" and r[14] < 0 for r in got_lines)
    assert any(r[3] == "borealis-v1-minimum" and r[14] > 0 for r in got_lines)
    fees = [r for r in got_lines if r[3] == "cirrus-v1-platform-fee"]
    assert fees and all(r[12] == 5000 * 10**4 * 10**18 for r in fees)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_ethereum_hashes_recompute_from_the_lines_table(
    built: Mapping[str, Any], target: str
) -> None:
    wh = built[target]
    rows = wh.query(
        "select agreement_id, statement_month, period_id, validator_id, rule_id, tier_index, "
        "component, basis_native, rate_bps, amount_native from marts.partner_commission_lines "
        f"where agreement_id in {ETH_AGREEMENTS}"
    )
    texts: dict[tuple[str, str], list[bytes]] = {}
    for agreement, month, *fields in rows:
        text = "|".join("" if v is None else str(_plain(v)) for v in fields)
        texts.setdefault((agreement, month), []).append(text.encode("utf-8"))
    statements = wh.query(
        "select agreement_id, statement_month, lines_sha256 "
        "from marts.partner_commission_statements where chain = 'ethereum'"
    )
    assert statements
    for agreement, month, sha in statements:
        lines = sorted(texts.get((agreement, month), []))
        assert hashlib.sha256(b"\n".join(lines)).hexdigest() == sha, (agreement, month)


# --------------------------------------------------------------------- discrepancies


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_ethereum_discrepancies_equal_truth(
    built: Mapping[str, Any], network: Any, target: str
) -> None:
    from ingest.simulator.ethereum import truth

    want = sorted(
        (
            d.period_id,
            d.validator_id,
            str(d.slot),
            d.kind,
            RELAYS.get(d.relay),
            str(d.claimed_wei),
            str(d.paid_wei),
        )
        for d in truth.discrepancies(network, only_closed=True)
    )
    got = sorted(
        built[target].query(
            "select period_id, validator_id, cast(slot as varchar), kind, relay, "
            "cast(claimed_native as varchar), cast(paid_native as varchar) "
            "from audit.provider_discrepancies where chain = 'ethereum'"
        ),
        key=_sort_key,
    )
    assert got == sorted(want, key=_sort_key)
    assert {r[3] for r in got} == {
        "relay_claim_differs",
        "relay_without_payment",
        "relay_claim_without_block",
        "relays_disagree",
        "fee_recipient_undeclared",
    }


# ------------------------------------------------------------------- engines, warnings


@pytest.mark.slow
@pytest.mark.postgres
def test_ethereum_rows_identical_on_duckdb_and_postgres(built: Mapping[str, Any]) -> None:
    from test_warehouse_pnl import RUN_SPECIFIC, text_rows

    for relation in RELATIONS:
        d_cols, d_rows = text_rows(built["duckdb"], relation, RUN_SPECIFIC)
        p_cols, p_rows = text_rows(built["postgres"], relation, RUN_SPECIFIC)
        assert d_cols == p_cols, relation
        assert d_rows == p_rows, relation
        assert d_rows, relation


@pytest.mark.slow
def test_slashed_validator_and_missing_price_day_are_warned_by_name(
    shared_warehouses: Any, tmp_path: Path
) -> None:
    with shared_warehouses.copy("duckdb", tmp_path) as wh:
        result = wh.dbt(
            "test",
            "--select",
            "assert_ethereum_slashed_validators assert_pnl_price_available",
            vars={"aurora_store_failures": True},
        )
        results = wh.run_results()
        assert results["assert_ethereum_slashed_validators"]["status"] == "warn", result.stdout
        assert results["assert_pnl_price_available"]["status"] == "warn", result.stdout
        slashed = wh.query(
            "select validator_id, period_id, validator_status "
            "from dbt_test__audit.assert_ethereum_slashed_validators order by period_id"
        )
        assert {r[0] for r in slashed} == {SLASHED}
        assert all(r[2].endswith("slashed") for r in slashed)
        unpriced = wh.query("select * from dbt_test__audit.assert_pnl_price_available")
        assert any(
            "ethereum" in map(str, r) and MISSING_PRICE_DAY in map(str, r) for r in unpriced
        ), unpriced


# ------------------------------------------------------------------------ incremental


@pytest.mark.slow
def test_one_new_day_incremental_equals_full_refresh_and_rerun_changes_nothing(
    tmp_path: Path,
) -> None:
    """One new day, then an edit of the fee terms (what finance edits): each incremental build
    equals a full refresh, and a rerun changes nothing."""
    import dataclasses

    from support import project_copy, run_aurora_in, warehouse
    from test_incremental_builds import snapshot as _snapshot

    project = project_copy(tmp_path / "project")
    with warehouse("duckdb", tmp_path) as wh:
        wh = dataclasses.replace(wh, project_dir=project)
        first = run_aurora_in(project, ["demo", "--days", "2026-02-28..2026-03-02"], wh.env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert wh.query(
            "select max(period_id) from canonical.canonical_periods where chain = 'ethereum'"
        ) == [("2026-03-02",)]
        before = {r: _snapshot(wh, r) for r in RELATIONS}
        second = run_aurora_in(project, ["demo", "--days", "2026-03-03"], wh.env)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        incremental = {r: _snapshot(wh, r) for r in RELATIONS}
        # the old days' canonical rows are untouched (same lineage), the new day is there
        for relation in RELATIONS[:6]:
            assert set(before[relation]) <= set(incremental[relation]), relation
        assert len(incremental["marts.validator_pnl"]) > len(before["marts.validator_pnl"])
        # finance raises the execution fee of validator 31 (the MEV validator) before the next
        # build: the incremental build restates it, though nothing new is loaded
        terms = project / "seeds" / "validator_fee_terms.csv"
        lines = terms.read_text().splitlines()
        edited = [
            line.replace(",1000,1000", ",1000,2500") if line.startswith("ethereum,31,") else line
            for line in lines
        ]
        assert edited != lines
        terms.write_text("\n".join(edited) + "\n")
        mev = (
            "select mev_commission_native, mev_gross_native from marts.validator_pnl"
            " where chain = 'ethereum' and validator_id = '31'"
        )
        rows = wh.query(mev)
        assert any(gross for _, gross in rows)
        assert all(commission == int(gross) * 1000 // 10000 for commission, gross in rows)
        wh.dbt("build")
        edited_incremental = {r: _snapshot(wh, r) for r in RELATIONS}
        assert edited_incremental["marts.validator_pnl"] != incremental["marts.validator_pnl"]
        rows = wh.query(mev)
        assert all(commission == int(gross) * 2500 // 10000 for commission, gross in rows)

        wh.dbt("build", "--full-refresh")
        full = {r: _snapshot(wh, r) for r in RELATIONS}
        for relation in RELATIONS:
            assert edited_incremental[relation] == full[relation], relation
        wh.dbt("build")
        again = {r: _snapshot(wh, r) for r in RELATIONS}
        assert again == full


# ---------------------------------------------------------------------------- lineage


@pytest.mark.slow
def test_every_raw_ethereum_source_is_upstream_of_the_statements(
    built: Mapping[str, Any],
) -> None:
    """What `aurora docs` shows: the lineage from partner_commission_statements reaches every raw
    Ethereum table that feeds a figure (the manifest of the demo's build, which `aurora docs`
    embeds)."""
    import json

    from test_docs import AUDIT_ONLY_SOURCES, _ancestors

    manifest = json.loads((built["duckdb"].target_path / "manifest.json").read_text())
    upstream = _ancestors(manifest, "model.aurora.partner_commission_statements")
    raw = {
        uid
        for uid, s in manifest["sources"].items()
        if s["source_name"] == "ethereum" and s["name"] not in AUDIT_ONLY_SOURCES
    }
    assert len(raw) == 17  # the 18 raw tables less staging_payloads (bodies, for audits)
    assert raw - upstream == set(), sorted(raw - upstream)
