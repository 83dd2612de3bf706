"""Ground truth of a simulated Ethereum chain: the Ethereum P&L figures (methodology §8) per
operator validator and UTC day, computed in plain integer Python from the network's own records.

This module imports nothing from the ingestion code: only the standard library and
:mod:`ingest.simulator.ethereum.network` (a test parses the imports to enforce it). Days, epochs
and the closed-day rule are recomputed here from the genesis time and the slot and epoch lengths,
not taken from the network's helpers.

Rules (the calculation contract, with the choices this module makes where it is silent):
- Day D holds the epochs whose first slot starts in [D 00:00, D+1 00:00) UTC; everything in those
  epochs' slots belongs to D. ``start_at`` = the start of D's first epoch, ``end_at`` = the start
  of D+1's first epoch. D is closed when the finalized epoch is >= D's last epoch + 2.
- ``consensus_rewards`` (wei) = 10^9 x (the sum over D's epochs of V's attestation
  ``head + target + source + inactivity``, + ``total`` of the block rewards of V's canonical blocks
  in D, + V's sync-committee reward in every slot of D with a block while V is a member).
- ``execution_fees`` of a canonical block V proposed = the sum over its receipts of
  ``gas_used * (effective_gas_price - base_fee)`` when the block's fee recipient counts, else 0.
  A block no relay reports (vanilla): it counts when it is V's declared fee recipient. A relay
  block (a configured relay reports its block_hash): when it equals the relay's
  ``proposer_fee_recipient`` (the first reporting relay, in configured order), which must itself
  be V's declared recipient.
- ``mev`` of a relay block = the value of its last transaction when that is sent to the relay's
  ``proposer_fee_recipient`` and succeeded; else 0. Several relays reporting one block_hash are
  one block.
- Discrepancies (one row per relay where a relay is involved):
  ``relay_without_payment``: a reporting relay, no successful payment and the builder kept the fees
  (claimed = value, paid = 0); ``relay_claim_differs``: otherwise, a reporting relay whose value is
  not the paid total = payment + the execution fees when they count (claimed = value, paid =
  that total) (a relay block whose fee recipient is the proposer and that has no payment
  transaction is thus compared with its fees, not flagged as without payment);
  ``relays_disagree``: two or more relays report the block_hash with different values (a row per
  reporting relay, claimed = its value, paid = the paid total); ``relay_claim_without_block``: a
  relay reports a payload for one of V's proposal slots whose block is missed, or with another
  block_hash than the canonical block's (claimed = value, paid = 0);
  ``fee_recipient_undeclared``: the recipient a block pays (the payload's for a vanilla block, the
  relay's for a relay block) is not V's declared one; nothing of the block counts (claimed = the
  amount the block paid that recipient, paid = 0).
- Rows: a validator-day is listed when the state at the first slot of D's last epoch has the
  validator with a status other than ``pending_*`` and ``withdrawal_done``, or when one of its
  components is non-zero.

Amounts are ``int``; every division truncates toward zero.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ingest.simulator.ethereum.network import BeaconBlock, Network

CHAIN = "ethereum"
ASSET = "ETH"
DECIMALS = 18
WEI_PER_GWEI = 10**9

RELAY_CLAIM_DIFFERS = "relay_claim_differs"
RELAY_WITHOUT_PAYMENT = "relay_without_payment"
RELAY_CLAIM_WITHOUT_BLOCK = "relay_claim_without_block"
RELAYS_DISAGREE = "relays_disagree"
FEE_RECIPIENT_UNDECLARED = "fee_recipient_undeclared"


def tdiv(a: int, b: int) -> int:
    """Integer division truncating toward zero (the warehouse's division macro)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


# ----------------------------------------------------------------------------------- days
@dataclass(frozen=True)
class DayBounds:
    day: date
    first_epoch: int
    last_epoch: int
    start_at: int  # unix seconds
    end_at: int
    state_slot: int  # the first slot of the day's last epoch

    @property
    def epochs(self) -> range:
        return range(self.first_epoch, self.last_epoch + 1)


def _epoch_seconds(network: Network) -> int:
    return network.seconds_per_slot * network.slots_per_epoch


def _first_epoch_at_or_after(network: Network, unix: int) -> int:
    offset = unix - network.genesis_time
    return max(0, -((-offset) // _epoch_seconds(network)))


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def day_bounds(network: Network, day: date) -> DayBounds | None:
    """Day D's epochs and times (None when no epoch starts on D)."""
    first = _first_epoch_at_or_after(network, _midnight(day))
    following = _first_epoch_at_or_after(network, _midnight(day + timedelta(days=1)))
    if following <= first:
        return None
    seconds = _epoch_seconds(network)
    return DayBounds(
        day=day,
        first_epoch=first,
        last_epoch=following - 1,
        start_at=network.genesis_time + first * seconds,
        end_at=network.genesis_time + following * seconds,
        state_slot=(following - 1) * network.slots_per_epoch,
    )


def day_of_epoch(network: Network, epoch: int) -> date:
    start = network.genesis_time + epoch * _epoch_seconds(network)
    return datetime.fromtimestamp(start, tz=UTC).date()


def all_days(network: Network) -> list[DayBounds]:
    """Every day whose epochs are all generated (the genesis day first)."""
    out: list[DayBounds] = []
    day = day_of_epoch(network, 0)
    while True:
        bounds = day_bounds(network, day)
        if bounds is None or bounds.last_epoch >= network.n_epochs:
            return out
        out.append(bounds)
        day += timedelta(days=1)


def finalized_epoch(network: Network, head_slot: int | None = None) -> int:
    head = network.last_slot if head_slot is None else head_slot
    return network.finalized_epoch(head // network.slots_per_epoch)


def is_closed(bounds: DayBounds, finalized: int) -> bool:
    return finalized >= bounds.last_epoch + 2


def closed_days(network: Network, head_slot: int | None = None) -> list[date]:
    finalized = finalized_epoch(network, head_slot)
    return [b.day for b in all_days(network) if is_closed(b, finalized)]


# -------------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Discrepancy:
    chain: str
    period_id: str
    validator_id: str
    slot: int
    kind: str
    relay: str  # empty when no relay is involved
    claimed_wei: int
    paid_wei: int
    block_hash: str  # the reported payload's (or the block's) hash


@dataclass(frozen=True)
class ProposalOutcome:
    """One proposal duty of an operator validator and what it earned (wei)."""

    slot: int
    validator_index: int
    is_missed: bool
    block_hash: str
    block_rewards_gwei: int
    execution_fees_raw_wei: int  # what the receipts paid the block's fee recipient
    execution_fees_wei: int  # the part that counts as V's
    mev_wei: int
    relays: tuple[str, ...]  # the configured relays reporting this block_hash
    discrepancies: tuple[Discrepancy, ...]


def priority_fees(block: BeaconBlock) -> int:
    """Sum of ``gas_used * (effective_gas_price - base_fee)`` over the block's receipts (wei)."""
    base = block.execution.base_fee_per_gas
    return sum(tx.gas_used * (tx.effective_gas_price - base) for tx in block.execution.transactions)


def _relays(network: Network, relays: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(network.relays if relays is None else relays)


def proposal_outcome(
    network: Network, slot: int, relays: Sequence[str] | None = None
) -> ProposalOutcome:
    proposer = network.proposers[slot]
    if proposer is None:
        raise ValueError(f"slot {slot} has no proposer")
    configured = _relays(network, relays)
    period_id = day_of_epoch(network, slot // network.slots_per_epoch).isoformat()
    validator_id = str(proposer)
    declared = network.validators[proposer].fee_recipient
    block = network.blocks.get(slot)
    out: list[Discrepancy] = []

    def row(kind: str, relay: str, claimed: int, paid: int, block_hash: str) -> None:
        out.append(
            Discrepancy(
                CHAIN, period_id, validator_id, slot, kind, relay, claimed, paid, block_hash
            )
        )

    canonical_hash = block.execution.hash if block is not None else ""
    reporting = []
    for relay in configured:
        for d in network.deliveries.get(relay, {}).get(slot, []):
            if d.block_hash == canonical_hash:
                reporting.append(d)
            else:
                row(RELAY_CLAIM_WITHOUT_BLOCK, relay, d.value, 0, d.block_hash)
    if block is None:
        return ProposalOutcome(slot, proposer, True, "", 0, 0, 0, 0, (), tuple(out))

    raw_fees = priority_fees(block)
    execution = block.execution
    fees = mev = 0
    if not reporting:
        if execution.fee_recipient == declared:
            fees = raw_fees
        else:
            row(FEE_RECIPIENT_UNDECLARED, "", raw_fees, 0, canonical_hash)
    else:
        recipient = reporting[0].proposer_fee_recipient
        fees_count = execution.fee_recipient == recipient
        last = execution.transactions[-1] if execution.transactions else None
        has_payment = last is not None and last.to == recipient and last.status == 1
        payment = last.value if has_payment and last is not None else 0
        if recipient != declared:
            row(FEE_RECIPIENT_UNDECLARED, reporting[0].relay, payment, 0, canonical_hash)
        else:
            fees = raw_fees if fees_count else 0
            mev = payment
            paid_total = payment + fees
            for d in reporting:
                if not has_payment and not fees_count:
                    row(RELAY_WITHOUT_PAYMENT, d.relay, d.value, 0, canonical_hash)
                elif d.value != paid_total:
                    row(RELAY_CLAIM_DIFFERS, d.relay, d.value, paid_total, canonical_hash)
            if len({d.value for d in reporting}) > 1:
                for d in reporting:
                    row(RELAYS_DISAGREE, d.relay, d.value, paid_total, canonical_hash)
    return ProposalOutcome(
        slot=slot,
        validator_index=proposer,
        is_missed=False,
        block_hash=canonical_hash,
        block_rewards_gwei=block.rewards.total,
        execution_fees_raw_wei=raw_fees,
        execution_fees_wei=fees,
        mev_wei=mev,
        relays=tuple(sorted({d.relay for d in reporting})),
        discrepancies=tuple(out),
    )


def proposal_slots(network: Network, index: int, epochs: Iterable[int]) -> list[int]:
    """V's proposal duty slots in ``epochs``."""
    out = []
    for epoch in epochs:
        first = epoch * network.slots_per_epoch
        for slot in range(first, first + network.slots_per_epoch):
            if network.proposers[slot] == index:
                out.append(slot)
    return out


# --------------------------------------------------------------------------- validator days
@dataclass(frozen=True)
class ValidatorDay:
    chain: str
    validator_id: str
    period_id: str
    start_at: str
    end_at: str
    first_epoch: int
    last_epoch: int
    state_slot: int
    is_closed: bool
    has_row: bool
    status: str  # empty when the state does not hold the validator yet
    effective_balance_gwei: int
    balance_gwei: int
    withdrawal_credentials_prefix: str
    withdrawal_address: str
    attestation_rewards_gwei: int
    block_rewards_gwei: int
    sync_committee_rewards_gwei: int
    consensus_rewards_wei: int
    execution_fees_wei: int
    mev_wei: int
    proposal_duties: int
    missed_proposals: int
    relay_blocks: int
    sync_committee_slots: int

    @property
    def day(self) -> date:
        return date.fromisoformat(self.period_id)


def _iso(unix: int) -> str:
    return datetime.fromtimestamp(unix, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validator_day(
    network: Network,
    index: int,
    bounds: DayBounds,
    *,
    finalized: int,
    relays: Sequence[str] | None = None,
) -> ValidatorDay:
    attestation = 0
    sync = 0
    sync_slots = 0
    for epoch in bounds.epochs:
        reward = network.attestations[epoch].get(index)
        if reward is not None:
            attestation += reward.head + reward.target + reward.source + reward.inactivity
        committee = network.sync_committees[epoch // network.epochs_per_sync_committee_period]
        if index not in committee:
            continue
        first = epoch * network.slots_per_epoch
        for slot in range(first, first + network.slots_per_epoch):
            if slot in network.blocks:
                sync += network.sync_rewards[slot][index]
                sync_slots += 1
    block_rewards = fees = mev = missed = relay_blocks = 0
    duties = proposal_slots(network, index, bounds.epochs)
    for slot in duties:
        outcome = proposal_outcome(network, slot, relays)
        missed += outcome.is_missed
        block_rewards += outcome.block_rewards_gwei
        fees += outcome.execution_fees_wei
        mev += outcome.mev_wei
        relay_blocks += bool(outcome.relays)
    consensus = (attestation + block_rewards + sync) * WEI_PER_GWEI
    status = network.status(index, bounds.state_slot)
    listed = status is not None and not status.startswith("pending_")
    listed = listed and status != "withdrawal_done"
    info = network.validators[index]
    in_state = status is not None
    return ValidatorDay(
        chain=CHAIN,
        validator_id=str(index),
        period_id=bounds.day.isoformat(),
        start_at=_iso(bounds.start_at),
        end_at=_iso(bounds.end_at),
        first_epoch=bounds.first_epoch,
        last_epoch=bounds.last_epoch,
        state_slot=bounds.state_slot,
        is_closed=is_closed(bounds, finalized),
        has_row=listed or consensus != 0 or fees != 0 or mev != 0,
        status=status or "",
        effective_balance_gwei=network.effective_balance(index, bounds.state_slot)
        if in_state
        else 0,
        balance_gwei=network.balance(index, bounds.state_slot) if in_state else 0,
        withdrawal_credentials_prefix=info.credential_prefix if in_state else "",
        withdrawal_address=(info.withdrawal_address or "") if in_state else "",
        attestation_rewards_gwei=attestation,
        block_rewards_gwei=block_rewards,
        sync_committee_rewards_gwei=sync,
        consensus_rewards_wei=consensus,
        execution_fees_wei=fees,
        mev_wei=mev,
        proposal_duties=len(duties),
        missed_proposals=missed,
        relay_blocks=relay_blocks,
        sync_committee_slots=sync_slots,
    )


def validator_days(
    network: Network,
    *,
    head_slot: int | None = None,
    relays: Sequence[str] | None = None,
    only_closed: bool = False,
) -> list[ValidatorDay]:
    """Every (operator validator, generated day), sorted by (period_id, validator_id) as text."""
    finalized = finalized_epoch(network, head_slot)
    out = []
    for bounds in all_days(network):
        if only_closed and not is_closed(bounds, finalized):
            continue
        for index in network.operator_indices:
            out.append(validator_day(network, index, bounds, finalized=finalized, relays=relays))
    out.sort(key=lambda r: (r.period_id, r.validator_id))
    return out


def discrepancies(
    network: Network, *, relays: Sequence[str] | None = None, only_closed: bool = False
) -> list[Discrepancy]:
    finalized = finalized_epoch(network)
    out: list[Discrepancy] = []
    for bounds in all_days(network):
        if only_closed and not is_closed(bounds, finalized):
            continue
        for index in network.operator_indices:
            for slot in proposal_slots(network, index, bounds.epochs):
                out.extend(proposal_outcome(network, slot, relays).discrepancies)
    out.sort(key=lambda d: (d.period_id, d.validator_id, d.slot, d.kind, d.relay))
    return out


def operator_revenue(
    consensus_rewards: int,
    execution_fees: int,
    mev: int,
    consensus_fee_bps: int,
    execution_fee_bps: int,
) -> tuple[int, int, int]:
    """(inflation_commission, block_fees, mev_commission) of one validator-day (methodology §8
    "Operator revenue"): a negative consensus day costs the staker, not the operator."""
    return (
        tdiv(max(consensus_rewards, 0) * consensus_fee_bps, 10_000),
        tdiv(execution_fees * execution_fee_bps, 10_000),
        tdiv(mev * execution_fee_bps, 10_000),
    )


# ---------------------------------------------------------------------------------- files
def _write_csv(path: Path, rows: Sequence[object], columns: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            values = asdict(row)  # type: ignore[call-overload]
            writer.writerow(
                [
                    ("true" if values[c] else "false") if isinstance(values[c], bool) else values[c]
                    for c in columns
                ]
            )


VALIDATOR_DAY_COLUMNS = [f.name for f in fields(ValidatorDay)]
DISCREPANCY_COLUMNS = [f.name for f in fields(Discrepancy)]


def write_truth(network: Network, out_dir: Path) -> list[Path]:
    """validator_days.csv and discrepancies.csv (byte-stable: same seed, same bytes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    days_path = out_dir / "validator_days.csv"
    disc_path = out_dir / "discrepancies.csv"
    _write_csv(days_path, validator_days(network), VALIDATOR_DAY_COLUMNS)
    _write_csv(disc_path, discrepancies(network), DISCREPANCY_COLUMNS)
    return [days_path, disc_path]


SEED_COLUMNS = ["chain", "validator_id", "identity_pubkey", "validator_name", "fee_recipient"]


def write_seed_file(network: Network, out_dir: Path) -> Path:
    """validators.csv with the operator's Ethereum validators (the seeds' columns): the index, its
    BLS pubkey (lowercase), a name and the fee recipient the operator declared (lowercase)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "validators.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        for index in sorted(network.operator_indices):
            pubkey = network.validators[index].pubkey.lower()
            recipient = network.validators[index].fee_recipient.lower()
            writer.writerow([CHAIN, index, pubkey, f"eth-{index:04d}", recipient])
    return path
