"""Ground truth of a simulated network, computed from the network's own state.

This module imports nothing from the ingestion code: only the standard library and
:mod:`ingest.simulator.network` (a test parses the imports to enforce it). It restates the
methodology (docs/methodology.md §2-§3) in plain integer Python, so the warehouse's
tables can be compared with it value for value.

All amounts are ``int`` lamports (or micro-USD); every division truncates toward zero.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.simulator.network import U64_MAX, VOTE_FEE_LAMPORTS, Network

CHAIN = "solana"
ASSET = "SOL"
DECIMALS = 9

VALIDATOR_EPOCH_COLUMNS = [
    "chain",
    "validator_id",
    "identity_pubkey",
    "epoch",
    "period_id",
    "start_at",
    "end_at",
    "period_date",
    "commission_pct",
    "inflation_commission",
    "leader_slots",
    "produced_blocks",
    "skipped_slots",
    "block_fees",
    "mev_rewards",
    "mev_commission_bps",
    "mev_commission",
    "vote_tx_count",
    "vote_fees",
]
STAKE_REWARD_COLUMNS = [
    "epoch",
    "vote_account",
    "stake_account",
    "staker",
    "withdrawer",
    "is_null",
    "amount",
    "post_balance",
    "delegated_stake",
]
STAKE_ACCOUNT_COLUMNS = [
    "snapshot_epoch",
    "stake_pubkey",
    "vote_account",
    "account_type",
    "staker",
    "withdrawer",
    "delegated_stake",
    "activation_epoch",
    "deactivation_epoch",
    "lamports",
    "rent_exempt_reserve",
    "credits_observed",
]
PNL_COLUMNS = [
    "chain",
    "validator_id",
    "period_id",
    "period_date",
    "inflation_commission_native",
    "block_fees_native",
    "mev_commission_native",
    "revenue_native",
    "vote_fees_native",
    "net_native",
    "price_micro_usd",
    "revenue_usd_micro",
    "vote_fees_usd_micro",
    "infra_cost_usd_micro",
    "pnl_usd_micro",
]


def tdiv(numerator: int, denominator: int) -> int:
    """Division truncating toward zero (methodology §1): divide the magnitudes, apply the sign."""
    if denominator == 0:
        raise ZeroDivisionError("tdiv by zero")
    q = abs(numerator) // abs(denominator)
    return q if (numerator >= 0) == (denominator > 0) else -q


def _utc(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


# --------------------------------------------------------------------------------------------
# per validator and epoch


def period_bounds(network: Network, epoch: int) -> tuple[datetime, datetime]:
    """(start_at, end_at): block times of the first produced blocks of ``epoch`` and ``epoch+1``."""
    start = network.block_time_of_slot(network.first_produced_slot(epoch))
    end = network.block_time_of_slot(network.first_produced_slot(epoch + 1))
    return _utc(start), _utc(end)


def validator_epochs(network: Network) -> list[dict[str, Any]]:
    """One row per operator validator and closed epoch, sorted by (validator_id, epoch)."""
    rows: list[dict[str, Any]] = []
    for v in network.operator_validators:
        for epoch in network.closed_epochs:
            start_at, end_at = period_bounds(network, epoch)
            leader = network.leader_slots(v.index, epoch)
            produced = [s for s in leader if network.is_produced(s)]
            vote_reward = network.vote_reward(v.index, epoch)
            mev = network.mev(v.index, epoch)
            bps = mev.mev_commission_bps if mev.running_jito else None
            mev_commission = mev.mev_rewards * bps // 10_000 if bps is not None else 0
            vote_txs = len(network.votes(v.index, epoch))
            rows.append(
                {
                    "chain": CHAIN,
                    "validator_id": v.vote_pubkey,
                    "identity_pubkey": v.identity_pubkey,
                    "epoch": epoch,
                    "period_id": str(epoch),
                    "start_at": start_at,
                    "end_at": end_at,
                    "period_date": end_at.date(),
                    "commission_pct": v.commission_pct[epoch],
                    "inflation_commission": 0 if vote_reward is None else vote_reward.amount,
                    "leader_slots": len(leader),
                    "produced_blocks": len(produced),
                    "skipped_slots": len(leader) - len(produced),
                    "block_fees": sum(network.fee_reward(s) for s in produced),
                    "mev_rewards": mev.mev_rewards if mev.running_jito else 0,
                    "mev_commission_bps": bps,
                    "mev_commission": mev_commission,
                    "vote_tx_count": vote_txs,
                    "vote_fees": vote_txs * VOTE_FEE_LAMPORTS,
                }
            )
    rows.sort(key=lambda r: (r["validator_id"], r["epoch"]))
    return rows


# --------------------------------------------------------------------------------------------
# per stake account and epoch


def iter_stake_rewards(network: Network) -> Iterator[dict[str, Any]]:
    """Rows of :func:`stake_rewards`, streamed in order (vote_account, stake_account, epoch)."""
    accounts = sorted(
        (a for v in network.operator_validators for a in network.accounts_of(v.index)),
        key=lambda a: (a.voter, a.pubkey),
    )
    epochs = list(network.closed_epochs)
    amounts = [network.stake_amounts(e) for e in epochs]  # 0 = null
    posts = [network.stake_posts(e) for e in epochs]
    for a in accounts:
        i = a.index
        for epoch in epochs:
            amount = amounts[epoch][i]
            yield {
                "epoch": epoch,
                "vote_account": a.voter,
                "stake_account": a.pubkey,
                "staker": a.staker,
                "withdrawer": a.withdrawer,
                "is_null": amount == 0,
                "amount": amount,
                "post_balance": posts[epoch][i] if amount else None,
                "delegated_stake": a.delegated_stake,
            }


def stake_rewards(network: Network) -> list[dict[str, Any]]:
    """One row per operator stake account and closed epoch (a null reward has amount 0)."""
    return list(iter_stake_rewards(network))


def stake_accounts_snapshot(network: Network, tip_slot: int | None = None) -> list[dict[str, Any]]:
    """The operator's stake accounts as getProgramAccounts returns them at the (default) tip."""
    tip = network.default_tip_slot if tip_slot is None else tip_slot
    tip_epoch = network.schedule.epoch_of(tip)
    paid = network.paid_epoch_at(tip)
    rows = []
    for v in network.operator_validators:
        for a in network.accounts_of(v.index):
            if a.activation_epoch > tip_epoch:
                continue
            rows.append(
                {
                    "snapshot_epoch": tip_epoch,
                    "stake_pubkey": a.pubkey,
                    "vote_account": a.voter,
                    "account_type": "delegated",
                    "staker": a.staker,
                    "withdrawer": a.withdrawer,
                    "delegated_stake": a.delegated_stake,
                    "activation_epoch": a.activation_epoch,
                    "deactivation_epoch": U64_MAX,
                    "lamports": network.stake_balance(a.index, paid),
                    "rent_exempt_reserve": a.rent_exempt_reserve,
                    "credits_observed": a.credits_observed,
                }
            )
    rows.sort(key=lambda r: (r["vote_account"], r["stake_pubkey"]))
    return rows


# --------------------------------------------------------------------------------------------
# P&L (methodology §3)


def _parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)


def _seconds(delta: timedelta) -> int:
    return delta.days * 86_400 + delta.seconds


def infra_cost_usd_micro(
    start_at: datetime,
    end_at: datetime,
    cost_rows: list[tuple[date, date | None, int]],
) -> int:
    """Sum over cost rows and calendar months of trunc(monthly * overlap_s / month_s)."""
    total = 0
    for valid_from, valid_to, monthly in cost_rows:
        lo = max(start_at, _midnight(valid_from))
        hi = end_at if valid_to is None else min(end_at, _midnight(valid_to))
        month = _month_start(lo)
        while month < hi:
            nxt = _next_month(month)
            overlap = _seconds(min(hi, nxt) - max(lo, month))
            if overlap > 0:
                total += tdiv(monthly * overlap, _seconds(nxt - month))
            month = nxt
    return total


def read_validator_costs(path: Path) -> dict[str, list[tuple[date, date | None, int]]]:
    """validator_costs.csv (methodology §5) -> {validator_id: [(valid_from, valid_to, monthly)]}."""
    out: dict[str, list[tuple[date, date | None, int]]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["chain"].strip() != CHAIN:
                continue
            valid_to = row.get("valid_to", "").strip()
            out.setdefault(row["validator_id"].strip(), []).append(
                (
                    _parse_date(row["valid_from"]),
                    _parse_date(valid_to) if valid_to else None,
                    int(row["monthly_cost_usd_micro"]),
                )
            )
    return out


def read_prices(path: Path) -> dict[date, int]:
    """prices.csv (methodology §5) -> {price_date: price_micro_usd} for SOL on Solana."""
    out: dict[date, int] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["chain"].strip() != CHAIN or row["asset"].strip() != ASSET:
                continue
            day = _parse_date(row["price_date"])
            if day in out:
                raise ValueError(f"{path}: two prices for {ASSET} on {day.isoformat()}")
            out[day] = int(row["price_micro_usd"])
    return out


def pnl(network: Network, validator_costs_csv: Path, prices_csv: Path) -> list[dict[str, Any]]:
    """The validator_pnl rows of methodology §3, sorted by (validator_id, epoch)."""
    costs = read_validator_costs(validator_costs_csv)
    prices = read_prices(prices_csv)
    scale = 10**DECIMALS
    rows: list[dict[str, Any]] = []
    for ve in validator_epochs(network):
        revenue = ve["inflation_commission"] + ve["block_fees"] + ve["mev_commission"]
        vote_fees = ve["vote_fees"]
        infra = infra_cost_usd_micro(
            ve["start_at"], ve["end_at"], costs.get(ve["validator_id"], [])
        )
        price = prices.get(ve["period_date"])
        revenue_usd = vote_fees_usd = pnl_usd = None
        if price is not None:
            revenue_usd = tdiv(revenue * price, scale)
            vote_fees_usd = tdiv(vote_fees * price, scale)
            pnl_usd = revenue_usd - vote_fees_usd - infra
        rows.append(
            {
                "chain": CHAIN,
                "validator_id": ve["validator_id"],
                "period_id": ve["period_id"],
                "period_date": ve["period_date"],
                "inflation_commission_native": ve["inflation_commission"],
                "block_fees_native": ve["block_fees"],
                "mev_commission_native": ve["mev_commission"],
                "revenue_native": revenue,
                "vote_fees_native": vote_fees,
                "net_native": revenue - vote_fees,
                "price_micro_usd": price,
                "revenue_usd_micro": revenue_usd,
                "vote_fees_usd_micro": vote_fees_usd,
                "infra_cost_usd_micro": infra,
                "pnl_usd_micro": pnl_usd,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# files


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: Iterator[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in columns])


def write_truth(network: Network, out_dir: Path) -> list[Path]:
    """Write validator_epochs.csv, stake_rewards.csv and stake_accounts.csv (sorted, stable)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "validator_epochs.csv": (VALIDATOR_EPOCH_COLUMNS, iter(validator_epochs(network))),
        "stake_rewards.csv": (STAKE_REWARD_COLUMNS, iter_stake_rewards(network)),
        "stake_accounts.csv": (STAKE_ACCOUNT_COLUMNS, iter(stake_accounts_snapshot(network))),
    }
    written = []
    for name, (columns, rows) in files.items():
        path = out_dir / name
        _write_csv(path, columns, rows)
        written.append(path)
    return written


def write_seed_files(network: Network, seeds_dir: Path) -> Path:
    """Write validators.csv (chain, validator_id, identity_pubkey, validator_name)."""
    seeds_dir = Path(seeds_dir)
    seeds_dir.mkdir(parents=True, exist_ok=True)
    rows = sorted(
        (
            {
                "chain": CHAIN,
                "validator_id": v.vote_pubkey,
                "identity_pubkey": v.identity_pubkey,
                "validator_name": v.name,
            }
            for v in network.operator_validators
        ),
        key=lambda r: r["validator_id"],
    )
    path = seeds_dir / "validators.csv"
    _write_csv(path, ["chain", "validator_id", "identity_pubkey", "validator_name"], iter(rows))
    return path
