"""Partner commissions recomputed in plain Python from the simulator's ground truth (methodology
§4-§6), compared with the marts of a warehouse built end to end (`aurora demo`: simulator over HTTP
-> ingestion -> dbt build) on DuckDB and on PostgreSQL, line for line and hash for hash.

The recomputation (``compute``) never reads the warehouse: it takes the simulator's truth
(``truth.stake_accounts_snapshot``, ``truth.stake_rewards``, ``truth.validator_epochs``) and the seed
CSVs, and restates the contract in integer Python. Every amount is an ``int`` in lamports; every
division truncates toward zero (``tdiv``). One statement is also worked by hand below
(``test_hand_worked_statement``).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

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


def load_prices(prices_csv: Path) -> dict[date, int]:
    """prices.csv -> {price_date: price_micro_usd} for SOL on Solana."""
    out: dict[date, int] = {}
    for r in _read(prices_csv):
        if r["chain"].strip() == CHAIN and r["asset"].strip() == NATIVE_ASSET:
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
        return tdiv(self.total_native * self.price_micro_usd, 10**DECIMALS)

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
    amount: int, unit: str | None, price: int | None
) -> tuple[int, int | None, int | None]:
    """(native amount, numerator, denominator) of a fixed amount: usd_cents at the price."""
    if unit == "native":
        return amount, None, None
    if unit != "usd_cents":
        raise ValueError(f"unknown amount_unit {unit!r}")
    if price is None:
        raise ValueError("a usd_cents amount needs the statement's price")
    numerator = amount * 10**4 * 10**DECIMALS
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
            chain=CHAIN,
            statement_month=month,
            price_micro_usd=month_prices[-1] if month_prices else None,
        )

    # --- lines per epoch and validator
    for (agreement_id, validator_id, epoch), comp in sorted(bases.items()):
        agreement = seeds.agreements[agreement_id]
        day = period_date[epoch]
        terminated_on = agreement["terminated_on"]
        if terminated_on is not None and day >= terminated_on:
            continue
        version = resolve_version(seeds, agreement_id, day, knowledge_date)
        if version is None:
            raise ValueError(f"{agreement_id}: no version for epoch {epoch} ({day})")
        measure = tdiv(measure_sum[(agreement_id, epoch)], 10**DECIMALS)
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
            epoch: int = epoch,
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
                    period_id=str(epoch),
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
                rule.amount, rule.amount_unit, statement.price_micro_usd
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


# ------------------------------------------------------------------------------------ fixtures

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds"
FINANCE_TABLES = (
    "dim_partners",
    "partner_stake_attributions",
    "partner_commission_bases",
    "partner_commission_lines",
    "partner_commission_statements",
)
LINE_SQL = (
    "select partner_id, agreement_id, version, rule_id, tier_index, rule_type, component, "
    "statement_month, period_id, validator_id, basis_native, rate_bps, numerator, denominator, "
    "amount_native from marts.partner_commission_lines"
)
STATEMENT_SQL = (
    "select partner_id, agreement_id, chain, statement_month, line_count, total_native, "
    "price_micro_usd, total_usd_micro, total_usd_cents, lines_sha256 "
    "from marts.partner_commission_statements"
)


def _plain(value: Any) -> Any:
    """Warehouse values as plain Python: Decimal -> int (exactly), dates kept."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        assert value == value.to_integral_value(), value
        return int(value)
    return value


def warehouse_lines(wh: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (tuple(_plain(v) for v in row) for row in wh.query(LINE_SQL)),
        key=lambda r: tuple("" if v is None else str(v) for v in r),
    )


def warehouse_statements(wh: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(_plain(v) for v in row) for row in wh.query(STATEMENT_SQL))


def expected_lines(statements: Mapping[tuple[str, str, str], Statement]) -> list[tuple[Any, ...]]:
    rows = [
        (
            line.partner_id,
            line.agreement_id,
            line.version,
            line.rule_id,
            line.tier_index,
            line.rule_type,
            line.component,
            line.statement_month,
            line.period_id,
            line.validator_id,
            line.basis_native,
            line.rate_bps,
            line.numerator,
            line.denominator,
            line.amount_native,
        )
        for st in statements.values()
        for line in st.lines
    ]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def expected_statements(
    statements: Mapping[tuple[str, str, str], Statement],
) -> list[tuple[Any, ...]]:
    return sorted(
        (
            st.partner_id,
            st.agreement_id,
            st.chain,
            st.statement_month,
            st.line_count,
            st.total_native,
            st.price_micro_usd,
            st.total_usd_micro,
            st.total_usd_cents,
            st.lines_sha256,
        )
        for st in statements.values()
    )


def table_digest(wh: Any, table: str) -> str:
    """SHA-256 of a mart's rows (every column as text, rows sorted): equal digests, equal bytes."""
    columns = [
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            f"and table_name = '{table}' order by ordinal_position"
        )
    ]
    assert columns, f"marts.{table} does not exist"
    text = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
    rows = sorted("|".join(row) for row in wh.query(f"select {text} from marts.{table}"))
    return hashlib.sha256("\n".join([",".join(columns), *rows]).encode()).hexdigest()


@pytest.fixture(scope="module")
def truth_inputs() -> tuple[list[StakeRow], list[ValidatorEpoch]]:
    from ingest.simulator import truth
    from ingest.simulator.network import Scenario, build_network

    network = build_network(Scenario())
    return (
        stake_rows_from_truth(
            truth.stake_accounts_snapshot(network),
            truth.stake_rewards(network),
            network.closed_epochs,
        ),
        validator_epochs_from_truth(truth.validator_epochs(network)),
    )


def recompute(
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
    knowledge_date: date = NO_LIMIT,
) -> dict[tuple[str, str, str], Statement]:
    stake, epochs = truth_inputs
    return compute(
        stake,
        epochs,
        load_seeds(SEEDS_DIR),
        load_prices(SEEDS_DIR / "prices.csv"),
        knowledge_date,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`aurora demo` on a fresh DuckDB file and a fresh PostgreSQL database."""
    from support import run_aurora, warehouse

    targets = ["duckdb", "postgres"]
    with contextlib.ExitStack() as stack:
        out: dict[str, Any] = {}
        for target in targets:
            wh = stack.enter_context(warehouse(target, tmp_path_factory.mktemp(target)))
            result = run_aurora(["demo", "--target", target], wh.env)
            assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
            out[target] = wh
        yield out


# --------------------------------------------------------------------------------------- tests


@pytest.mark.slow
def test_marts_equal_python_recompute_line_for_line(
    built: dict[str, Any], truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]]
) -> None:
    statements = recompute(truth_inputs)
    want_lines = expected_lines(statements)
    want_statements = expected_statements(statements)
    assert len(want_lines) > 300 and len(want_statements) == 20
    for target, wh in built.items():
        got_lines = warehouse_lines(wh)
        got_set, want_set = set(got_lines), set(want_lines)
        missing = [r for r in want_lines if r not in got_set]
        extra = [r for r in got_lines if r not in want_set]
        assert not missing and not extra, f"{target}: missing {missing[:3]} extra {extra[:3]}"
        assert got_lines == want_lines, target
        assert warehouse_statements(wh) == want_statements, target


@pytest.mark.slow
def test_duckdb_and_postgres_give_identical_hashes_and_rows(built: dict[str, Any]) -> None:
    duck, pg = built["duckdb"], built["postgres"]
    hashes = "select agreement_id, statement_month, lines_sha256 from marts.partner_commission_statements"
    assert sorted(duck.query(hashes)) == sorted(pg.query(hashes))
    for table in FINANCE_TABLES:
        assert table_digest(duck, table) == table_digest(pg, table), table


@pytest.mark.slow
def test_rebuilding_gives_identical_bytes(built: dict[str, Any]) -> None:
    for target, wh in built.items():
        before = {t: table_digest(wh, t) for t in FINANCE_TABLES}
        wh.dbt(
            "build",
            "--select",
            "path:dbt_project/intermediate/finance",
            "path:dbt_project/marts/finance",
        )
        assert {t: table_digest(wh, t) for t in FINANCE_TABLES} == before, target


@pytest.mark.slow
def test_knowledge_date_excludes_the_later_correction(
    built: dict[str, Any],
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
    tmp_path: Path,
) -> None:
    """Orbit Labs' correction (v2, recorded 2026-04-10) restates February; with knowledge_date
    2026-04-01 the February statement is the one computed under v1, as it was first sent."""
    from support import Warehouse

    source = built["duckdb"]
    copy = tmp_path / "as_of.duckdb"
    shutil.copyfile(source.env["AURORA_DUCKDB_PATH"], copy)
    wh = Warehouse(
        "duckdb",
        {**source.env, "AURORA_DUCKDB_PATH": str(copy)},
        tmp_path / "target_duckdb",
        log_path=tmp_path / "logs",
    )
    wh.dbt(
        "build",
        "--select",
        "path:dbt_project/intermediate/finance",
        "path:dbt_project/marts/finance",
        vars={"knowledge_date": "2026-04-01"},
    )
    as_of = recompute(truth_inputs, date(2026, 4, 1))
    assert warehouse_lines(wh) == expected_lines(as_of)
    assert warehouse_statements(wh) == expected_statements(as_of)
    feb = "where agreement_id = 'orbit-referral-2026' and statement_month = '2026-02'"
    versions_now = source.query(
        f"select distinct version from marts.partner_commission_lines {feb}"
    )
    versions_then = wh.query(f"select distinct version from marts.partner_commission_lines {feb}")
    assert versions_now == [(2,)] and versions_then == [(1,)]
    hash_sql = f"select lines_sha256 from marts.partner_commission_statements {feb}"
    assert source.query(hash_sql) != wh.query(hash_sql)
    # months the correction does not cover are unchanged
    others = (
        "select agreement_id, statement_month, lines_sha256 from "
        "marts.partner_commission_statements where not (agreement_id = 'orbit-referral-2026' "
        "and statement_month = '2026-02')"
    )
    assert sorted(source.query(others)) == sorted(wh.query(others))


# ---------------------------------------------------------------- one statement worked by hand

AURORA_04 = "DgtuDZq6VSsFBz75JDax1c1StYWE6fdzG7sxm4funzH2"
AURORA_05 = "9MUTNnYnZFyXNn2r5AuxsbWsBtp2RLQLiK9qfUMEgnHD"
ORBIT_ACCOUNTS = {
    "5Yto43j63oRNkBjGQQRh32vbfT6Pe15AHg7NHCyunMZ8",  # on aurora-04
    "D7D41dNE6NcCqcRkhfrXFx5Cn6kJZ3LRfiwzUj6Zqyaw",  # on aurora-04
    "DeX1YPZbqAezU5JLuMvZVduJ5NX7n7RAJJDirema2UMo",  # on aurora-05
    "2zMNfL153CFzuAykpWije5tYe2wrbzfj3xQL8JnQxwQX",  # on aurora-05 (activated in epoch 11)
}
# Orbit Labs, April 2026 (epochs 21, 22, 23: period dates 2026-04-01, 04-03, 04-07), agreement
# orbit-referral-2026 v1: pct_gross 100 bps on `all` + a 250.00 USD monthly retainer.
# Inputs per (epoch, validator): R_A (Orbit's staker rewards), R_V (all staker rewards of the
# validator), inflation commission, block fees, MEV rewards (Kobe's pot).
ORBIT_APRIL_INPUTS = {
    (21, AURORA_04): (27585148533, 269739827317, 23455637141, 64851976, 20717964714),
    (22, AURORA_04): (27281408159, 266769719112, 23197366862, 47148883, 27758957234),
    (23, AURORA_04): (27474697488, 268659787971, 23361720674, 95714290, 39473174877),
    (21, AURORA_05): (31557669815, 258197619131, 7985493357, 70819864, 23054125501),
    (22, AURORA_05): (31748158767, 259756156069, 8033695530, 49217356, 39172114600),
    (23, AURORA_05): (31716410609, 259496399911, 8025661835, 0, 39399528908),
}
# Worked for (21, aurora-04), each basis one truncated division by R_V = 269,739,827,317:
#   inflation  trunc(23,455,637,141 x 27,585,148,533 / R_V) = 2,398,708,566
#   block fees trunc(64,851,976 x 27,585,148,533 / R_V)     =     6,632,136
#   MEV gross  trunc(20,717,964,714 x 27,585,148,533 / R_V) = 2,118,738,414
#   gross = R_A + inflation basis + block fees basis + MEV gross
#         = 27,585,148,533 + 2,398,708,566 + 6,632,136 + 2,118,738,414 = 32,109,227,649
#   line  = trunc(32,109,227,649 x 100 / 10,000) = 321,092,276 (the .49 lamport stays with us)
# The other five lines, the same way:
#   (22, aurora-04) 27,281,408,159 + 2,372,296,359 + 4,821,716 + 2,838,790,867 = 32,497,317,101
#   (23, aurora-04) 27,474,697,488 + 2,389,104,127 + 9,788,294 + 4,036,754,241 = 33,910,344,150
#   (21, aurora-05) 31,557,669,815 +   976,010,404 + 8,655,811 + 2,817,742,792 = 35,360,078,822
#   (22, aurora-05) 31,748,158,767 +   981,901,815 + 6,015,489 + 4,787,730,663 = 37,523,806,734
#   (23, aurora-05) 31,716,410,609 +   980,919,913 +         0 + 4,815,525,907 = 37,512,856,429
# Retainer: 25,000 cents at April's last close (2026-04-30, 176.158797 USD/SOL):
#   trunc(25,000 x 10^4 x 10^9 / 176,158,797) = trunc(250,000,000,000,000,000 / 176,158,797)
#   = 1,419,174,087 lamports.
ORBIT_APRIL_LINES = [
    f"21|{AURORA_04}|orbit-v1-gross|0|all|32109227649|100|321092276",
    f"22|{AURORA_04}|orbit-v1-gross|0|all|32497317101|100|324973171",
    f"23|{AURORA_04}|orbit-v1-gross|0|all|33910344150|100|339103441",
    f"21|{AURORA_05}|orbit-v1-gross|0|all|35360078822|100|353600788",
    f"22|{AURORA_05}|orbit-v1-gross|0|all|37523806734|100|375238067",
    f"23|{AURORA_05}|orbit-v1-gross|0|all|37512856429|100|375128564",
    "||orbit-v1-retainer|0|all|||1419174087",
]
# total = 321,092,276 + 324,973,171 + 339,103,441 + 353,600,788 + 375,238,067 + 375,128,564
#       + 1,419,174,087 = 3,508,310,394 lamports
# USD   = trunc(3,508,310,394 x 176,158,797 / 10^9) = 618,019,738 micro-USD
# cents = half-even(61,801.9738) = 61,802 (payable: the agreement's statement currency is usd)
ORBIT_APRIL_TOTALS = (7, 3508310394, 176158797, 618019738, 61802)


def test_hand_worked_statement_inputs_and_python(
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
) -> None:
    """The hand-worked inputs are the simulator's truth, and the recomputation agrees."""
    stake, epochs = truth_inputs
    revenue = {(ve.epoch, ve.validator_id): ve for ve in epochs}
    for (epoch, validator_id), (r_a, r_v, infl, fees, mev_rewards) in ORBIT_APRIL_INPUTS.items():
        rows = [s for s in stake if s.epoch == epoch and s.validator_id == validator_id]
        assert sum(s.reward for s in rows) == r_v
        assert sum(s.reward for s in rows if s.stake_account in ORBIT_ACCOUNTS) == r_a
        ve = revenue[(epoch, validator_id)]
        assert (ve.inflation_commission, ve.block_fees, ve.mev_rewards) == (infl, fees, mev_rewards)
    st = recompute(truth_inputs)[("orbit-labs", "orbit-referral-2026", "2026-04")]
    assert sorted(line.serialise() for line in st.lines) == sorted(ORBIT_APRIL_LINES)
    assert (
        st.line_count,
        st.total_native,
        st.price_micro_usd,
        st.total_usd_micro,
        st.total_usd_cents,
    ) == ORBIT_APRIL_TOTALS
    hand_hash = hashlib.sha256(
        b"\n".join(sorted(text.encode() for text in ORBIT_APRIL_LINES))
    ).hexdigest()
    assert st.lines_sha256 == hand_hash


@pytest.mark.slow
def test_hand_worked_statement_in_the_marts(built: dict[str, Any]) -> None:
    hand_hash = hashlib.sha256(
        b"\n".join(sorted(text.encode() for text in ORBIT_APRIL_LINES))
    ).hexdigest()
    where = "where agreement_id = 'orbit-referral-2026' and statement_month = '2026-04'"
    for target, wh in built.items():
        texts = [
            r[0] for r in wh.query(f"select line_text from marts.partner_commission_lines {where}")
        ]
        assert sorted(texts) == sorted(ORBIT_APRIL_LINES), target
        (row,) = wh.query(
            "select line_count, total_native, price_micro_usd, total_usd_micro, total_usd_cents, "
            f"lines_sha256 from marts.partner_commission_statements {where}"
        )
        assert tuple(_plain(v) for v in row) == (*ORBIT_APRIL_TOTALS, hand_hash), target


# ------------------------------------------------------------------ the sample seeds' features


@pytest.mark.slow
def test_every_sample_feature_bites(built: dict[str, Any]) -> None:
    """Where each feature of seeds/*.csv shows in the demo (the report lists the same map)."""
    wh = built["duckdb"]

    def q(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in wh.query(sql)]

    # Lumen Wallet: a marginal tier on `all` crossing three bands in every epoch (measure ~98k SOL)
    bands = q(
        "select period_id, validator_id, count(*) from marts.partner_commission_lines "
        "where agreement_id = 'lumen-wallet-2026' and tier_mode = 'marginal' group by 1, 2"
    )
    assert bands and {n for _, _, n in bands} == {3}
    # ... amended mid-February: v1 up to 2026-02-14, v2 (recorded 2026-02-10) from 2026-02-15
    assert q(
        "select version, min(period_date), max(period_date) from marts.partner_commission_lines "
        "where agreement_id = 'lumen-wallet-2026' and statement_month = '2026-02' "
        "group by 1 order by 1"
    ) == [(1, date(2026, 2, 2), date(2026, 2, 14)), (2, date(2026, 2, 18), date(2026, 2, 26))]
    # ... a withdraw-authority partner
    assert q(
        "select distinct key_type from marts.partner_stake_attributions "
        "where agreement_id = 'lumen-wallet-2026'"
    ) == [("withdraw_authority",)]

    # Northwind Exchange: the cap binds in March (a 5th account joins on 2026-03-01), the minimum
    # in April (three epochs); neither in January or February
    assert q(
        "select statement_month, rule_type, amount_native < 0 from marts.partner_commission_lines "
        "where agreement_id = 'northwind-exchange-2026' and period_id is null order by 1"
    ) == [("2026-03", "cap", True), ("2026-04", "minimum", False)]
    assert q(
        "select statement_month, total_native from marts.partner_commission_statements "
        "where agreement_id = 'northwind-exchange-2026' and statement_month >= '2026-03' "
        "order by 1"
    ) == [("2026-03", 255_000_000_000), ("2026-04", 150_000_000_000)]
    # ... its 0 bps block-fees rule never emits a line
    assert q(
        "select count(*) from marts.partner_commission_lines "
        "where rule_id = 'northwind-v1-block-fees'"
    ) == [(0,)]
    # ... a stake account claimed at two precedences: Northwind's stake_account key beats Lumen's
    # withdraw authority (EdMiRn...) and Helios' white label (31QTdry...)
    assert q(
        "select distinct stake_account, agreement_id, key_type "
        "from marts.partner_stake_attributions where stake_account in "
        "('EdMiRnRAxuXF1r8fvPXhdQ3Zb2zDrGayycC2jRtXtjmq', "
        "'31QTdryHVHkJjenxpKAwNBTttR38yLq2thV74nGUvtk2') order by 1"
    ) == [
        (
            "31QTdryHVHkJjenxpKAwNBTttR38yLq2thV74nGUvtk2",
            "northwind-exchange-2026",
            "stake_account",
        ),
        (
            "EdMiRnRAxuXF1r8fvPXhdQ3Zb2zDrGayycC2jRtXtjmq",
            "northwind-exchange-2026",
            "stake_account",
        ),
    ]

    # Helios Staking: white label of aurora-02 (100% commission, R_V = 0): the share falls back to
    # delegated stake, minus the accounts that more specific keys claim
    assert q(
        "select distinct validator_id, key_type from marts.partner_stake_attributions "
        "where agreement_id = 'helios-white-label-2026'"
    ) == [("9RSNZddTHHuP6qNdgD4fLThnd2CxbJ2hMbFe98byq3VV", "vote_account")]
    shares = q(
        "select distinct share_weight, share_numerator_native < share_denominator_native "
        "from marts.partner_commission_bases where agreement_id = 'helios-white-label-2026'"
    )
    assert shares == [("delegated_stake", True)]

    # Orbit Labs: a USD retainer converted at each month's last close, numerator and denominator on
    # the line; a pct_gross rule; a correction (v2, recorded 2026-04-10) restating February only
    assert q(
        "select statement_month, numerator, denominator is not null "
        "from marts.partner_commission_lines where rule_type = 'fixed_fee' "
        "and agreement_id = 'orbit-referral-2026' order by 1"
    ) == [(m, 25_000 * 10**13, True) for m in ("2026-01", "2026-02", "2026-03", "2026-04")]
    assert q(
        "select statement_month, min(version), max(version) from marts.partner_commission_lines "
        "where agreement_id = 'orbit-referral-2026' group by 1 order by 1"
    ) == [("2026-01", 1, 1), ("2026-02", 2, 2), ("2026-03", 1, 1), ("2026-04", 1, 1)]

    # Cobalt Custody: terminated on 2026-03-15: no line for periods dated on or after it; April
    # (a month starting after termination) has a statement with no lines
    assert q(
        "select max(period_date) from marts.partner_commission_lines "
        "where agreement_id = 'cobalt-custody-2026'"
    ) == [(date(2026, 3, 14),)]
    assert q(
        "select line_count, total_native, lines_sha256 from marts.partner_commission_statements "
        "where agreement_id = 'cobalt-custody-2026' and statement_month = '2026-04'"
    ) == [(0, 0, hashlib.sha256(b"").hexdigest())]
    # ... a flat tier on inflation: band 2 (10,000+ SOL) for every epoch
    assert q(
        "select distinct tier_index from marts.partner_commission_lines "
        "where rule_id = 'cobalt-v1-inflation'"
    ) == [(2,)]

    # Epoch 21 ends on 2026-04-01 (epoch 22's first slots are skipped): it is on April's statements
    assert q(
        "select distinct statement_month from marts.partner_commission_lines where period_id = '21'"
    ) == [("2026-04",)]


# ---------------------------------------------------------------------------------- the export


@pytest.mark.slow
def test_export_gives_identical_bytes_on_both_engines(
    built: dict[str, Any], tmp_path: Path
) -> None:
    """`aurora statements export` writes the same file from DuckDB and from PostgreSQL, and the
    hashes in it are the marts' (and the hand-worked statement's)."""
    import json

    from support import run_aurora

    outputs: dict[str, bytes] = {}
    for target, wh in built.items():
        for fmt in ("csv", "json"):
            out = tmp_path / f"{target}.{fmt}"
            result = run_aurora(
                [
                    "statements",
                    "export",
                    "--month",
                    "2026-04",
                    "--format",
                    fmt,
                    "--target",
                    target,
                    "--output",
                    str(out),
                ],
                wh.env,
                timeout=300,
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            outputs[f"{target}.{fmt}"] = out.read_bytes()
    if "postgres" in built:
        assert outputs["duckdb.csv"] == outputs["postgres.csv"]
        assert outputs["duckdb.json"] == outputs["postgres.json"]
    doc = json.loads(outputs["duckdb.json"])
    orbit = next(s for s in doc["statements"] if s["agreement_id"] == "orbit-referral-2026")
    assert [line["line_text"] for line in orbit["lines"]] == sorted(
        ORBIT_APRIL_LINES, key=lambda text: text.encode()
    )
    assert orbit["payable_unit"] == "usd_cents" and orbit["payable_amount"] == 61802
    assert orbit["payable_display"] == "618.02" and orbit["total"] == "3.508310394"
    hashes = dict(
        built["duckdb"].query(
            "select agreement_id, lines_sha256 from marts.partner_commission_statements "
            "where statement_month = '2026-04'"
        )
    )
    assert {s["agreement_id"]: s["lines_sha256"] for s in doc["statements"]} == hashes
