"""Ground truth: import isolation, the P&L arithmetic on hand-computed numbers, the seed file."""

from __future__ import annotations

import ast
import calendar
import csv
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import ingest.simulator.truth as truth_module
from ingest.simulator import truth
from ingest.simulator.network import Network, Scenario, build_network


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


def test_truth_imports_only_stdlib_and_the_network() -> None:
    tree = ast.parse(Path(truth_module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports in truth.py"
            assert node.module is not None
            imported.add(node.module)
    allowed = {"ingest.simulator.network"}
    for name in sorted(imported):
        top = name.split(".")[0]
        assert name in allowed or top == "__future__" or top in sys.stdlib_module_names, name
    assert "ingest.simulator.network" in imported


def test_tdiv_truncates_toward_zero() -> None:
    assert truth.tdiv(7, 2) == 3
    assert truth.tdiv(-7, 2) == -3
    assert truth.tdiv(7, -2) == -3
    assert truth.tdiv(-7, -2) == 3


def test_infra_cost_spread_over_calendar_months() -> None:
    start = datetime(2026, 1, 29, tzinfo=UTC)
    end = datetime(2026, 2, 2, tzinfo=UTC)
    # 3 days of January (31 days) + 1 day of February (28 days) at 3,100 USD a month
    rows = [(date(2025, 1, 1), None, 3_100_000_000)]
    jan = 3_100_000_000 * 3 * 86_400 // (31 * 86_400)  # 300,000,000 exactly
    feb = 3_100_000_000 * 86_400 // (28 * 86_400)  # 110,714,285.7 -> 110,714,285
    assert (jan, feb) == (300_000_000, 110_714_285)
    assert truth.infra_cost_usd_micro(start, end, rows) == 410_714_285
    # a cost row ending mid-period (valid_to exclusive) and a second one starting there
    rows = [
        (date(2025, 1, 1), date(2026, 1, 31), 3_100_000_000),
        (date(2026, 1, 31), None, 6_200_000_000),
    ]
    expected = 200_000_000 + 200_000_000 + 221_428_571  # Jan 29-30, Jan 31, Feb 1
    assert truth.infra_cost_usd_micro(start, end, rows) == expected
    # no overlap
    assert truth.infra_cost_usd_micro(start, end, [(date(2026, 3, 1), None, 1)]) == 0


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_pnl_rows(net: Network, tmp_path: Path) -> None:
    validators = truth.validator_epochs(net)
    v0 = validators[0]["validator_id"]
    costs = _write(
        tmp_path / "validator_costs.csv",
        ["chain", "validator_id", "valid_from", "valid_to", "monthly_cost_usd_micro"],
        [["solana", v0, "2025-12-01", "", 3_100_000_000], ["ethereum", v0, "2025-12-01", "", 1]],
    )
    dates = sorted({r["period_date"] for r in validators})
    priced = dates[:-1]  # the last period date has no close: its USD figures are null
    prices = _write(
        tmp_path / "prices.csv",
        ["chain", "asset", "price_date", "price_micro_usd"],
        [["solana", "SOL", d.isoformat(), 150_123_456 + i] for i, d in enumerate(priced)]
        + [["ethereum", "ETH", dates[-1].isoformat(), 3_000_000_000]],
    )
    rows = truth.pnl(net, costs, prices)
    assert len(rows) == len(validators)
    assert list(rows[0]) == truth.PNL_COLUMNS
    by_key = {(r["validator_id"], r["period_id"]): r for r in rows}
    for ve in validators:
        r = by_key[(ve["validator_id"], ve["period_id"])]
        revenue = ve["inflation_commission"] + ve["block_fees"] + ve["mev_commission"]
        assert r["revenue_native"] == revenue
        assert r["net_native"] == revenue - ve["vote_fees"]
        if ve["validator_id"] != v0:
            assert r["infra_cost_usd_micro"] == 0
        else:
            seconds = int((ve["end_at"] - ve["start_at"]).total_seconds())
            assert r["infra_cost_usd_micro"] > 0
            if ve["start_at"].month == ve["end_at"].month or ve["end_at"].day == 1:
                month_days = calendar.monthrange(ve["start_at"].year, ve["start_at"].month)[1]
                expected = 3_100_000_000 * seconds // (month_days * 86_400)
                assert r["infra_cost_usd_micro"] == expected
        if ve["period_date"] == dates[-1]:
            assert r["price_micro_usd"] is None
            assert r["revenue_usd_micro"] is None and r["pnl_usd_micro"] is None
        else:
            price = r["price_micro_usd"]
            assert price == 150_123_456 + priced.index(ve["period_date"])
            assert r["revenue_usd_micro"] == revenue * price // 10**9
            assert r["vote_fees_usd_micro"] == ve["vote_fees"] * price // 10**9
            assert r["pnl_usd_micro"] == (
                r["revenue_usd_micro"] - r["vote_fees_usd_micro"] - r["infra_cost_usd_micro"]
            )


def test_pnl_hand_computed_row(net: Network, tmp_path: Path) -> None:
    ve = truth.validator_epochs(net)[0]
    costs = _write(
        tmp_path / "c.csv",
        ["chain", "validator_id", "valid_from", "valid_to", "monthly_cost_usd_micro"],
        [],
    )
    prices = _write(
        tmp_path / "p.csv",
        ["chain", "asset", "price_date", "price_micro_usd"],
        [["solana", "SOL", ve["period_date"].isoformat(), 123_456_789]],
    )
    row = truth.pnl(net, costs, prices)[0]
    # the lamport figures of this row, converted by hand: x * 123.456789 USD / 10^9, truncated
    revenue = ve["inflation_commission"] + ve["block_fees"] + ve["mev_commission"]
    assert row["revenue_usd_micro"] == int(str(revenue * 123_456_789)[:-9] or "0")
    assert row["vote_fees_usd_micro"] == int(str(ve["vote_fees"] * 123_456_789)[:-9] or "0")


def test_duplicate_price_is_an_error(tmp_path: Path) -> None:
    prices = _write(
        tmp_path / "p.csv",
        ["chain", "asset", "price_date", "price_micro_usd"],
        [["solana", "SOL", "2026-01-05", 1], ["solana", "SOL", "2026-01-05", 2]],
    )
    with pytest.raises(ValueError, match="two prices"):
        truth.read_prices(prices)


def test_write_seed_files(net: Network, tmp_path: Path) -> None:
    path = truth.write_seed_files(net, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "chain,validator_id,identity_pubkey,validator_name"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == len(net.operator_validators)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    for chain, vote, identity, _name in rows:
        v = net.validator_by_vote(vote)
        assert chain == "solana" and v is not None and v.is_operator
        assert v.identity_pubkey == identity


def test_truth_files_shape(net: Network, tmp_path: Path) -> None:
    truth.write_truth(net, tmp_path)
    with (tmp_path / "stake_rewards.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    n_accounts = sum(len(net.accounts_of(v.index)) for v in net.operator_validators)
    assert len(rows) == n_accounts * net.n_epochs
    nulls = [r for r in rows if r["is_null"] == "true"]
    assert nulls and all(r["amount"] == "0" and r["post_balance"] == "" for r in nulls)
    with (tmp_path / "validator_epochs.csv").open(newline="", encoding="utf-8") as fh:
        ve = list(csv.DictReader(fh))
    assert len(ve) == len(net.operator_validators) * net.n_epochs
    assert ve[0]["start_at"].endswith("Z") and "." not in ve[0]["inflation_commission"]
