"""Partner commissions recomputed in plain Python from the simulator's ground truth (DOMAIN §4-§6),
for the tests that compare the marts with it (tests/integration/test_commission_recompute.py,
test_readme_example.py).

The recomputation (``compute``) never reads a warehouse: it takes the simulator's truth
(``truth.stake_accounts_snapshot``, ``truth.stake_rewards``, ``truth.validator_epochs``) and the seed
CSVs, and restates the contract in integer Python. Every amount is an ``int`` in lamports; every
division truncates toward zero (``tdiv``).
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

CHAIN = "solana"
DECIMALS = 9
NATIVE_ASSET = "SOL"
COMPONENTS = ("inflation", "block_fees", "mev")
PRECEDENCE = {"stake_account": 1, "withdraw_authority": 2, "vote_account": 3}
PERIOD_RULES = ("pct_commission", "pct_gross")
NO_LIMIT = date(9999, 12, 31)


def tdiv(numerator: int, denominator: int) -> int:
    """Integer division truncating toward zero: divide the magnitudes, then apply the sign."""
    if denominator == 0:
        raise ZeroDivisionError("tdiv by zero")
    q = abs(numerator) // abs(denominator)
    return q if (numerator >= 0) == (denominator > 0) else -q


def half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even (denominator > 0)."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r > denominator or (2 * r == denominator and q % 2 == 1):
        q += 1
    return q if numerator >= 0 else -q


def _date(text: str) -> date | None:
    text = text.strip()
    return date.fromisoformat(text) if text else None


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


# --------------------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Rule:
    rule_id: str
    tier_index: int
    agreement_id: str
    version: int
    seq: int
    rule_type: str
    component: str
    rate_bps: int | None
    tier_mode: str
    tier_lower: int | None
    tier_upper: int | None
    amount: int | None
    amount_unit: str | None


@dataclass
class Seeds:
    partners: dict[str, dict[str, str]]
    agreements: dict[str, dict[str, Any]]
    versions: list[dict[str, Any]]
    rules: list[Rule]
    attributions: list[dict[str, Any]]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_seeds(seeds_dir: Path) -> Seeds:
    partners = {r["partner_id"]: r for r in _read(seeds_dir / "partners.csv")}
    agreements = {
        r["agreement_id"]: {
            **r,
            "signed_on": _date(r["signed_on"]),
            "terminated_on": _date(r["terminated_on"]),
        }
        for r in _read(seeds_dir / "agreements.csv")
    }
    versions = [
        {
            "agreement_id": r["agreement_id"],
            "version": int(r["version"]),
            "valid_from": _date(r["valid_from"]),
            "valid_to": _date(r["valid_to"]),
            "recorded_on": _date(r["recorded_on"]),
            "change_kind": r["change_kind"],
        }
        for r in _read(seeds_dir / "agreement_versions.csv")
    ]
    rules = [
        Rule(
            rule_id=r["rule_id"],
            tier_index=int(r["tier_index"]),
            agreement_id=r["agreement_id"],
            version=int(r["version"]),
            seq=int(r["seq"]),
            rule_type=r["rule_type"],
            component=r["component"],
            rate_bps=_int(r["rate_bps"]),
            tier_mode=r["tier_mode"],
            tier_lower=_int(r["tier_lower"]),
            tier_upper=_int(r["tier_upper"]),
            amount=_int(r["amount"]),
            amount_unit=r["amount_unit"].strip() or None,
        )
        for r in _read(seeds_dir / "agreement_rules.csv")
    ]
    attributions = [
        {
            "attribution_id": r["attribution_id"],
            "agreement_id": r["agreement_id"],
            "key_type": r["key_type"],
            "key_value": r["key_value"],
            "valid_from": _date(r["valid_from"]),
            "valid_to": _date(r["valid_to"]),
        }
        for r in _read(seeds_dir / "partner_attributions.csv")
    ]
    return Seeds(partners, agreements, versions, rules, attributions)


def load_prices(prices_csv: Path, chain: str = CHAIN, asset: str = NATIVE_ASSET) -> dict[date, int]:
    """prices.csv -> {price_date: price_micro_usd} of the chain's native asset (default SOL)."""
    out: dict[date, int] = {}
    for r in _read(prices_csv):
        if r["chain"].strip() == chain and r["asset"].strip() == asset:
            day = _date(r["price_date"])
            assert day is not None
            out[day] = int(r["price_micro_usd"])
    return out


# -------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class StakeRow:
    """One stake account of validator V in the snapshot of epoch E, with its reward."""

    validator_id: str
    epoch: int
    stake_account: str
    withdraw_authority: str
    delegated: int
    reward: int  # a_s: 0 when null
    has_reward: bool
    post_balance: int | None


@dataclass(frozen=True)
class ValidatorEpoch:
    validator_id: str
    epoch: int
    period_date: date
    inflation_commission: int
    block_fees: int
    mev_commission: int
    mev_rewards: int


def stake_rows_from_truth(
    snapshot: Iterable[Mapping[str, Any]],
    rewards: Iterable[Mapping[str, Any]],
    epochs: Iterable[int],
) -> list[StakeRow]:
    """V's stake accounts in epoch E are those delegated to V in the snapshot
    (``truth.stake_accounts_snapshot``), with their withdraw authority and delegated stake; their
    reward for E comes from ``truth.stake_rewards`` (null = 0)."""
    by_key = {(r["stake_account"], int(r["epoch"])): r for r in rewards}
    rows = []
    for a in snapshot:
        for epoch in epochs:
            reward = by_key.get((a["stake_pubkey"], epoch))
            is_null = reward is None or reward["is_null"]
            rows.append(
                StakeRow(
                    validator_id=a["vote_account"],
                    epoch=epoch,
                    stake_account=a["stake_pubkey"],
                    withdraw_authority=a["withdrawer"],
                    delegated=int(a["delegated_stake"]),
                    reward=0 if is_null or reward is None else int(reward["amount"]),
                    has_reward=not is_null,
                    post_balance=(
                        None if is_null or reward is None else int(reward["post_balance"])
                    ),
                )
            )
    return rows


def validator_epochs_from_truth(rows: Iterable[Mapping[str, Any]]) -> list[ValidatorEpoch]:
    """Adapter for ``truth.validator_epochs(network)`` rows."""
    return [
        ValidatorEpoch(
            validator_id=r["validator_id"],
            epoch=int(r["epoch"]),
            period_date=r["period_date"],
            inflation_commission=int(r["inflation_commission"]),
            block_fees=int(r["block_fees"]),
            mev_commission=int(r["mev_commission"]),
            mev_rewards=int(r["mev_rewards"]),
        )
        for r in rows
    ]


# -------------------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Line:
    partner_id: str
    agreement_id: str
    version: int
    rule_id: str
    tier_index: int
    rule_type: str
    component: str
    statement_month: str
    period_id: str | None
    validator_id: str | None
    basis_native: int | None
    rate_bps: int | None
    numerator: int | None
    denominator: int | None
    amount_native: int

    def serialise(self) -> str:
        """`period_id|validator_id|rule_id|tier_index|component|basis_native|rate_bps|amount_native`."""

        def text(value: object) -> str:
            return "" if value is None else str(value)

        return "|".join(
            text(v)
            for v in (
                self.period_id,
                self.validator_id,
                self.rule_id,
                self.tier_index,
                self.component,
                self.basis_native,
                self.rate_bps,
                self.amount_native,
            )
        )


def lines_sha256(lines: Iterable[Line]) -> str:
    """SHA-256 of the serialised lines, sorted byte by byte, joined with newlines."""
    texts = sorted(line.serialise().encode("utf-8") for line in lines)
    return hashlib.sha256(b"\n".join(texts)).hexdigest()


@dataclass
class Statement:
    partner_id: str
    agreement_id: str
    chain: str
    statement_month: str
    lines: list[Line] = field(default_factory=list)
    price_micro_usd: int | None = None
    decimals: int = DECIMALS

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def total_native(self) -> int:
        return sum(line.amount_native for line in self.lines)

    @property
    def total_usd_micro(self) -> int | None:
        if self.price_micro_usd is None:
            return None
        return tdiv(self.total_native * self.price_micro_usd, 10**self.decimals)

    @property
    def total_usd_cents(self) -> int | None:
        micro = self.total_usd_micro
        return None if micro is None else half_even(micro, 10_000)

    @property
    def lines_sha256(self) -> str:
        return lines_sha256(self.lines)


# -------------------------------------------------------------------------------------- engine


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _holds(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day < valid_to)


def resolve_version(seeds: Seeds, agreement_id: str, day: date, knowledge_date: date) -> int | None:
    """The highest version holding ``day`` whose recorded_on is on or before the knowledge date."""
    found = [
        v["version"]
        for v in seeds.versions
        if v["agreement_id"] == agreement_id
        and _holds(v["valid_from"], v["valid_to"], day)
        and v["recorded_on"] <= knowledge_date
    ]
    return max(found) if found else None


def to_native(
    amount: int, unit: str | None, price: int | None, decimals: int = DECIMALS
) -> tuple[int, int | None, int | None]:
    """(native amount, numerator, denominator) of a fixed amount: usd_cents at the price."""
    if unit == "native":
        return amount, None, None
    if unit != "usd_cents":
        raise ValueError(f"unknown amount_unit {unit!r}")
    if price is None:
        raise ValueError("a usd_cents amount needs the statement's price")
    numerator = amount * 10**4 * 10**decimals
    return tdiv(numerator, price), numerator, price


def compute(
    stake_rows: Iterable[StakeRow],
    validator_epochs: Iterable[ValidatorEpoch],
    seeds: Seeds,
    prices: Mapping[date, int],
    knowledge_date: date = NO_LIMIT,
) -> dict[tuple[str, str, str], Statement]:
    """Statements keyed by (partner_id, agreement_id, statement_month), with their lines."""
    revenue = {(ve.validator_id, ve.epoch): ve for ve in validator_epochs}
    period_date = {epoch: ve.period_date for (_, epoch), ve in revenue.items()}

    # --- attribution (§4): the most specific applicable key wins, across agreements
    keys: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in seeds.attributions:
        if seeds.agreements[a["agreement_id"]]["chain"] == CHAIN:
            keys[(a["key_type"], a["key_value"])].append(a)

    by_validator_epoch: dict[tuple[str, int], list[StakeRow]] = defaultdict(list)
    winner: dict[tuple[str, int, str], str] = {}  # (validator, epoch, stake account) -> agreement
    for s in stake_rows:
        if (s.validator_id, s.epoch) not in revenue:
            continue  # not a closed period of an operator validator
        by_validator_epoch[(s.validator_id, s.epoch)].append(s)
        day = period_date[s.epoch]
        matches: dict[int, set[str]] = defaultdict(set)
        for key_type, value in (
            ("stake_account", s.stake_account),
            ("withdraw_authority", s.withdraw_authority),
            ("vote_account", s.validator_id),
        ):
            for a in keys.get((key_type, value), []):
                if _holds(a["valid_from"], a["valid_to"], day):
                    matches[PRECEDENCE[key_type]].add(a["agreement_id"])
        if matches:
            best = matches[min(matches)]
            if len(best) != 1:
                raise ValueError(f"ambiguous attribution of {s.stake_account} in {s.epoch}: {best}")
            winner[(s.validator_id, s.epoch, s.stake_account)] = next(iter(best))

    # --- shares and bases per agreement, validator, epoch (one truncation each)
    bases: dict[tuple[str, str, int], dict[str, tuple[int, int]]] = {}
    measure_sum: dict[tuple[str, int], int] = defaultdict(int)
    attributed_dates: dict[tuple[str, str], set[date]] = defaultdict(set)
    for (validator_id, epoch), accounts in by_validator_epoch.items():
        r_v = sum(s.reward for s in accounts)
        d_v = sum(s.delegated for s in accounts)
        per_agreement: dict[str, list[StakeRow]] = defaultdict(list)
        for s in accounts:
            agreement_id = winner.get((validator_id, epoch, s.stake_account))
            if agreement_id is not None:
                per_agreement[agreement_id].append(s)
        ve = revenue[(validator_id, epoch)]
        for agreement_id, mine in per_agreement.items():
            r_a = sum(s.reward for s in mine)
            d_a = sum(s.delegated for s in mine)
            if r_v > 0:
                num, den = r_a, r_v
            elif d_v > 0:
                num, den = d_a, d_v
            else:
                num, den = 0, 1

            def share(x: int, num: int = num, den: int = den) -> int:
                return tdiv(x * num, den)

            infl = share(ve.inflation_commission)
            fees = share(ve.block_fees)
            mev = share(ve.mev_commission)
            bases[(agreement_id, validator_id, epoch)] = {
                # component: (operator_commission basis, gross basis)
                "inflation": (infl, r_a + infl),
                "block_fees": (fees, fees),
                "mev": (mev, share(ve.mev_rewards)),
            }
            for s in mine:
                if s.has_reward:
                    assert s.post_balance is not None
                    measure_sum[(agreement_id, epoch)] += s.post_balance - s.reward
            attributed_dates[(agreement_id, _month(ve.period_date))].add(ve.period_date)

    return _statements(
        CHAIN,
        DECIMALS,
        {(a, v, str(e)): comp for (a, v, e), comp in bases.items()},
        {(a, str(e)): m for (a, e), m in measure_sum.items()},
        {str(e): d for e, d in period_date.items()},
        attributed_dates,
        seeds,
        prices,
        knowledge_date,
    )


def _statements(
    chain: str,
    decimals: int,
    bases: Mapping[tuple[str, str, str], Mapping[str, tuple[int, int]]],
    measure_sum: Mapping[tuple[str, str], int],
    period_date: Mapping[str, date],
    attributed_dates: Mapping[tuple[str, str], set[date]],
    seeds: Seeds,
    prices: Mapping[date, int],
    knowledge_date: date,
) -> dict[tuple[str, str, str], Statement]:
    """The chain-independent part (§5, §6): from each agreement's bases per (validator, period_id)
    (component -> (operator_commission basis, gross basis)), its tier measure sums in the smallest
    unit per period, and its attributed period dates per month, the lines and statements."""
    rules_by_version: dict[tuple[str, int], list[Rule]] = defaultdict(list)
    for rule in seeds.rules:
        rules_by_version[(rule.agreement_id, rule.version)].append(rule)

    statements: dict[tuple[str, str, str], Statement] = {}
    for agreement_id, month in attributed_dates:
        partner_id = seeds.agreements[agreement_id]["partner_id"]
        month_prices = [p for d, p in sorted(prices.items()) if _month(d) == month]
        statements[(partner_id, agreement_id, month)] = Statement(
            partner_id=partner_id,
            agreement_id=agreement_id,
            chain=chain,
            statement_month=month,
            price_micro_usd=month_prices[-1] if month_prices else None,
            decimals=decimals,
        )

    # --- lines per epoch and validator
    for (agreement_id, validator_id, period), comp in sorted(bases.items()):
        agreement = seeds.agreements[agreement_id]
        day = period_date[period]
        terminated_on = agreement["terminated_on"]
        if terminated_on is not None and day >= terminated_on:
            continue
        version = resolve_version(seeds, agreement_id, day, knowledge_date)
        if version is None:
            raise ValueError(f"{agreement_id}: no version for period {period} ({day})")
        measure = tdiv(measure_sum.get((agreement_id, period), 0), 10**decimals)
        statement = statements[(agreement["partner_id"], agreement_id, _month(day))]
        rules = [
            r for r in rules_by_version[(agreement_id, version)] if r.rule_type in PERIOD_RULES
        ]

        def emit(
            rule: Rule,
            basis: int,
            amount: int,
            numerator: int,
            denominator: int,
            statement: Statement = statement,
            version: int = version,
            period: str = period,
            validator_id: str = validator_id,
            agreement_id: str = agreement_id,
        ) -> None:
            if amount == 0:
                return
            statement.lines.append(
                Line(
                    partner_id=statement.partner_id,
                    agreement_id=agreement_id,
                    version=version,
                    rule_id=rule.rule_id,
                    tier_index=rule.tier_index,
                    rule_type=rule.rule_type,
                    component=rule.component,
                    statement_month=statement.statement_month,
                    period_id=period,
                    validator_id=validator_id,
                    basis_native=basis,
                    rate_bps=rule.rate_bps,
                    numerator=numerator,
                    denominator=denominator,
                    amount_native=amount,
                )
            )

        for rule in rules:
            kind = 0 if rule.rule_type == "pct_commission" else 1
            if rule.component == "all":
                basis = sum(comp[c][kind] for c in COMPONENTS)
            else:
                basis = comp[rule.component][kind]
            assert rule.rate_bps is not None
            if rule.tier_mode == "none":
                n = basis * rule.rate_bps
                emit(rule, basis, tdiv(n, 10_000), n, 10_000)
            elif rule.tier_mode == "flat":
                assert rule.tier_lower is not None
                if rule.tier_lower <= measure and (
                    rule.tier_upper is None or measure < rule.tier_upper
                ):
                    n = basis * rule.rate_bps
                    emit(rule, basis, tdiv(n, 10_000), n, 10_000)
            elif rule.tier_mode == "marginal":
                assert rule.tier_lower is not None
                if measure > 0 and measure > rule.tier_lower:
                    top = measure if rule.tier_upper is None else min(measure, rule.tier_upper)
                    band_stake = top - rule.tier_lower
                    n = basis * band_stake * rule.rate_bps
                    d = measure * 10_000
                    emit(rule, basis, tdiv(n, d), n, d)
            else:
                raise ValueError(f"unknown tier_mode {rule.tier_mode!r}")

    # --- per-statement rules: fixed fees, then minimum, then cap (ties by seq, then rule_id)
    order = {"fixed_fee": 0, "minimum": 1, "cap": 2}
    for (partner_id, agreement_id, month), statement in statements.items():
        agreement = seeds.agreements[agreement_id]
        month_start = date(int(month[:4]), int(month[5:]), 1)
        terminated_on = agreement["terminated_on"]
        if terminated_on is not None and month_start >= terminated_on:
            continue
        latest = max(attributed_dates[(agreement_id, month)])
        version = resolve_version(seeds, agreement_id, latest, knowledge_date)
        if version is None:
            continue
        rules = sorted(
            (r for r in rules_by_version[(agreement_id, version)] if r.rule_type in order),
            key=lambda r: (order[r.rule_type], r.seq, r.rule_id.encode("utf-8")),
        )
        running = statement.total_native
        for rule in rules:
            assert rule.amount is not None
            amount, numerator, denominator = to_native(
                rule.amount, rule.amount_unit, statement.price_micro_usd, decimals
            )
            basis: int | None
            if rule.rule_type == "fixed_fee":
                basis, line_amount = None, amount
            elif rule.rule_type == "minimum":
                basis, line_amount = running, max(0, amount - running)
            else:
                basis, line_amount = running, min(0, amount - running)
            running += line_amount
            if line_amount == 0:
                continue
            statement.lines.append(
                Line(
                    partner_id=partner_id,
                    agreement_id=agreement_id,
                    version=version,
                    rule_id=rule.rule_id,
                    tier_index=rule.tier_index,
                    rule_type=rule.rule_type,
                    component=rule.component,
                    statement_month=month,
                    period_id=None,
                    validator_id=None,
                    basis_native=basis,
                    rate_bps=None,
                    numerator=numerator,
                    denominator=denominator,
                    amount_native=line_amount,
                )
            )
    return statements


# ------------------------------------------------------------------------------------ Ethereum

ETH_CHAIN = "ethereum"
ETH_DECIMALS = 18
ETH_ASSET = "ETH"
ETH_PRECEDENCE = {"validator": 1, "withdrawal_address": 2}


@dataclass(frozen=True)
class FeeTerm:
    validator_id: str
    valid_from: date
    valid_to: date | None
    consensus_fee_bps: int
    execution_fee_bps: int


def load_fee_terms(seeds_dir: Path) -> list[FeeTerm]:
    """seeds/validator_fee_terms.csv (methodology §8), Ethereum rows."""
    out = []
    for r in _read(seeds_dir / "validator_fee_terms.csv"):
        if r["chain"].strip() != ETH_CHAIN:
            continue
        valid_from = _date(r["valid_from"])
        assert valid_from is not None
        out.append(
            FeeTerm(
                validator_id=r["validator_id"].strip(),
                valid_from=valid_from,
                valid_to=_date(r["valid_to"]),
                consensus_fee_bps=int(r["consensus_fee_bps"]),
                execution_fee_bps=int(r["execution_fee_bps"]),
            )
        )
    return out


@dataclass(frozen=True)
class EthereumDay:
    """One operator validator-day with a P&L row, from the Ethereum simulator's ground truth
    (``truth.validator_days``), with the operator revenue of its fee terms."""

    validator_id: str
    period_id: str
    period_date: date
    start_at: datetime
    end_at: datetime
    withdrawal_address: str | None
    is_active: bool
    effective_balance_gwei: int
    consensus_rewards: int
    execution_fees: int
    mev: int
    inflation_commission: int
    block_fees: int
    mev_commission: int


def _fee_term(terms: Iterable[FeeTerm], validator_id: str, day: date) -> FeeTerm:
    found = [
        t for t in terms if t.validator_id == validator_id and _holds(t.valid_from, t.valid_to, day)
    ]
    if len(found) != 1:
        raise ValueError(f"validator {validator_id} on {day}: {len(found)} fee terms apply")
    return found[0]


def ethereum_days_from_truth(network: Any, terms: Iterable[FeeTerm]) -> list[EthereumDay]:
    """The closed validator-days with a row (methodology §8 "Rows"), revenue at the fee terms."""
    from ingest.simulator.ethereum import truth as eth_truth

    terms = list(terms)
    out = []
    for r in eth_truth.validator_days(network, only_closed=True):
        if not r.has_row:
            continue
        term = _fee_term(terms, r.validator_id, r.day)
        infl, fees, mev = eth_truth.operator_revenue(
            r.consensus_rewards_wei,
            r.execution_fees_wei,
            r.mev_wei,
            term.consensus_fee_bps,
            term.execution_fee_bps,
        )
        out.append(
            EthereumDay(
                validator_id=r.validator_id,
                period_id=r.period_id,
                period_date=r.day,
                start_at=datetime.strptime(r.start_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                end_at=datetime.strptime(r.end_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                withdrawal_address=r.withdrawal_address or None,
                is_active=r.status.startswith("active_"),
                effective_balance_gwei=r.effective_balance_gwei,
                consensus_rewards=r.consensus_rewards_wei,
                execution_fees=r.execution_fees_wei,
                mev=r.mev_wei,
                inflation_commission=infl,
                block_fees=fees,
                mev_commission=mev,
            )
        )
    return out


def compute_ethereum(
    days: Iterable[EthereumDay],
    seeds: Seeds,
    prices: Mapping[date, int],
    knowledge_date: date = NO_LIMIT,
) -> dict[tuple[str, str, str], Statement]:
    """Ethereum statements (methodology §8 "Attribution", then §5-§6 unchanged): a validator-day
    goes whole to the agreement of its most specific applicable key (validator >
    withdrawal_address); bases are the operator revenue and the gross (max(consensus, 0),
    execution fees, MEV); the tier measure sums the effective balance of the active attributed
    validators (gwei, in wei here: the same floor)."""
    keys: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in seeds.attributions:
        if seeds.agreements[a["agreement_id"]]["chain"] == ETH_CHAIN:
            keys[(a["key_type"], a["key_value"])].append(a)
    bases: dict[tuple[str, str, str], dict[str, tuple[int, int]]] = {}
    measure_sum: dict[tuple[str, str], int] = defaultdict(int)
    period_date: dict[str, date] = {}
    attributed_dates: dict[tuple[str, str], set[date]] = defaultdict(set)
    for d in days:
        period_date[d.period_id] = d.period_date
        matches: dict[int, set[str]] = defaultdict(set)
        for key_type, value in (
            ("validator", d.validator_id),
            ("withdrawal_address", d.withdrawal_address),
        ):
            for a in keys.get((key_type, value or ""), []):
                if _holds(a["valid_from"], a["valid_to"], d.period_date):
                    matches[ETH_PRECEDENCE[key_type]].add(a["agreement_id"])
        if not matches:
            continue
        best = matches[min(matches)]
        if len(best) != 1:
            raise ValueError(f"ambiguous attribution of {d.validator_id} on {d.period_id}: {best}")
        agreement_id = next(iter(best))
        bases[(agreement_id, d.validator_id, d.period_id)] = {
            "inflation": (d.inflation_commission, max(d.consensus_rewards, 0)),
            "block_fees": (d.block_fees, d.execution_fees),
            "mev": (d.mev_commission, d.mev),
        }
        if d.is_active:
            measure_sum[(agreement_id, d.period_id)] += d.effective_balance_gwei * 10**9
        attributed_dates[(agreement_id, _month(d.period_date))].add(d.period_date)
    return _statements(
        ETH_CHAIN,
        ETH_DECIMALS,
        bases,
        measure_sum,
        period_date,
        attributed_dates,
        seeds,
        prices,
        knowledge_date,
    )


ETH_PNL_COLUMNS = (
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
    "consensus_rewards_native",
    "execution_fees_gross_native",
    "mev_gross_native",
)


def ethereum_pnl(days: Iterable[EthereumDay], seeds_dir: Path) -> list[dict[str, Any]]:
    """validator_pnl rows of Ethereum validator-days (methodology §3 columns, §8 figures): USD at
    the ETH close of the day (18 decimals), infra costs prorated over [start_at, end_at)."""
    from ingest.simulator.truth import infra_cost_usd_micro

    prices = load_prices(seeds_dir / "prices.csv", ETH_CHAIN, ETH_ASSET)
    costs: dict[str, list[tuple[date, date | None, int]]] = defaultdict(list)
    for r in _read(seeds_dir / "validator_costs.csv"):
        if r["chain"].strip() == ETH_CHAIN:
            valid_from = _date(r["valid_from"])
            assert valid_from is not None
            costs[r["validator_id"].strip()].append(
                (valid_from, _date(r["valid_to"]), int(r["monthly_cost_usd_micro"]))
            )
    out = []
    for d in days:
        revenue = d.inflation_commission + d.block_fees + d.mev_commission
        price = prices.get(d.period_date)
        infra = infra_cost_usd_micro(d.start_at, d.end_at, costs.get(d.validator_id, []))
        revenue_usd = None if price is None else tdiv(revenue * price, 10**ETH_DECIMALS)
        out.append(
            {
                "chain": ETH_CHAIN,
                "validator_id": d.validator_id,
                "period_id": d.period_id,
                "period_date": d.period_date,
                "inflation_commission_native": d.inflation_commission,
                "block_fees_native": d.block_fees,
                "mev_commission_native": d.mev_commission,
                "revenue_native": revenue,
                "vote_fees_native": 0,
                "net_native": revenue,
                "price_micro_usd": price,
                "revenue_usd_micro": revenue_usd,
                "vote_fees_usd_micro": None if price is None else 0,
                "infra_cost_usd_micro": infra,
                "pnl_usd_micro": None if revenue_usd is None else revenue_usd - infra,
                "consensus_rewards_native": d.consensus_rewards,
                "execution_fees_gross_native": d.execution_fees,
                "mev_gross_native": d.mev,
            }
        )
    return out


# ------------------------------------------------------------------------------------ helpers


def inputs_from_truth(network: Any) -> tuple[list[StakeRow], list[ValidatorEpoch]]:
    """The recomputation's inputs from a simulated network's ground truth."""
    from ingest.simulator import truth

    return (
        stake_rows_from_truth(
            truth.stake_accounts_snapshot(network),
            truth.stake_rewards(network),
            network.closed_epochs,
        ),
        validator_epochs_from_truth(truth.validator_epochs(network)),
    )


def _plain(value: Any) -> Any:
    """Warehouse values as plain Python: Decimal -> int (exactly), dates kept."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        assert value == value.to_integral_value(), value
        return int(value)
    return value
