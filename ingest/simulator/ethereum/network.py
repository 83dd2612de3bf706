"""A deterministic synthetic Ethereum chain: validators, proposals, attestation and sync-committee
rewards, execution blocks with transactions and receipts, and MEV-boost relay deliveries.

Everything derives from ``Scenario.seed`` through ``random.Random`` instances seeded with strings
(``Random`` hashes a ``str`` seed with SHA-512: results do not depend on ``PYTHONHASHSEED``), never
the global generator, never the clock. Consensus amounts are ``int`` gwei, execution amounts ``int``
wei. Nothing here imports the ingestion code.

Time. ``SECONDS_PER_SLOT`` and ``SLOTS_PER_EPOCH`` are the scenario's (450 s and 7 by default, so an
epoch lasts 52.5 minutes and UTC days hold 27 or 28 epochs); genesis is chosen so that epoch
``genesis_epochs_before`` starts exactly at ``first_day`` 00:00 UTC. The chain is generated from
genesis through ``n_days`` full days and ``tail_epochs`` epochs of the next day; the default head is
the last generated slot.

Model (documented simplifications):
- Proposers: each slot >= 1 has one, drawn uniformly among the validators active in its epoch and
  not slashed before the slot. A slot is missed (no beacon block, no execution block) at
  ``missed_permille``.
- Attestation rewards of epoch e, for every validator eligible in e (active, or slashed and not yet
  withdrawable), from the Altair weights (head 14, target 26, source 14 of 64) with a fixed base
  reward per increment: a participant gets the ideal amounts (head 0 when it missed the head
  vote), a non-participant ``-source`` and ``-target`` and no head. During an inactivity leak
  (more than 4 epochs since finality) participants get 0 and non-participants also pay
  ``inactivity = -(effective_balance * score) // (4 * 2**24)``, with the spec's inactivity
  score (+4 per missed target, -1 per hit, -16 per epoch outside a leak).
- Finality: the finalized epoch at a head in epoch h is h - 2, except during the stall, where
  it stays at ``stall_start - 2``.
- Sync committees: per period of ``EPOCHS_PER_SYNC_COMMITTEE_PERIOD`` epochs, ``SYNC_COMMITTEE_SIZE``
  distinct validators drawn among those active at the period's start. In each slot with a block a
  member gets ``+R`` (signed) or ``-R`` (did not); a slot without a block pays nothing.
- Block rewards (consensus): attestations 40k..90k gwei (scaled to a network where everyone
  proposes every few hours), sync_aggregate from the participants,
  proposer_slashings = the slashed validator's effective balance / 512 in the block that includes
  the slashing, attester_slashings 0; ``total`` is their sum.
- Execution blocks: 2-6 transactions (EIP-1559 type 2, some legacy type 0 and blob type 3, a few
  failed), each paying ``gas_used * (effective_gas_price - base_fee)`` to the fee recipient;
  blob fees are burned. MEV-boost blocks: the builder is the fee recipient and pays the
  proposer's fee recipient in the block's last transaction; relays report the delivery with a
  ``value`` (the claim).
- Balances (gwei): 32 ETH (plus a little) + rewards as credited (attestation rewards of epoch e at
  the start of e + 2, block and sync rewards in their slot) - the initial slashing penalty
  (effective balance / 32) - the full withdrawal of an exited validator. Effective balance 32 ETH,
  31 ETH after slashing, 0 once withdrawn. Partial withdrawals are not modelled.

Cases the DEFAULT scenario holds for the operator's validators (:meth:`Network.features`): 0x00,
0x01 and 0x02 credentials; negative attestation rewards; inactivity penalties during a finality
stall; a negative sync-committee reward; missed proposals (one with a relay claim); vanilla and
MEV-boost blocks; a block delivered by two relays; two relays disagreeing on a block's value; a
relay claim above the payment; a relay block without a payment and one whose payment failed; a
payment above 2^64 wei; blocks whose fee recipient is the proposer (with and without a payment);
a vanilla block with an undeclared fee recipient; a relay claim for a payload that is not the
canonical block; a slashed validator and the block including its slashing (whistleblower reward);
a pending validator; a voluntary exit ending in ``withdrawal_done``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

GWEI = 10**9
ETH_WEI = 10**18
FAR_FUTURE_EPOCH = 2**64 - 1
MAX_EFFECTIVE_BALANCE = 32 * GWEI  # gwei
EFFECTIVE_BALANCE_INCREMENT = GWEI
BASE_REWARD_PER_INCREMENT = 345  # gwei per 1 ETH of effective balance and epoch (fixed here)
TIMELY_SOURCE_WEIGHT = 14
TIMELY_TARGET_WEIGHT = 26
TIMELY_HEAD_WEIGHT = 14
WEIGHT_DENOMINATOR = 64
INACTIVITY_SCORE_BIAS = 4
INACTIVITY_SCORE_RECOVERY_RATE = 16
INACTIVITY_PENALTY_QUOTIENT = 2**24
MIN_EPOCHS_TO_INACTIVITY_PENALTY = 4
MIN_SLASHING_PENALTY_QUOTIENT = 32
WHISTLEBLOWER_REWARD_QUOTIENT = 512
EPOCHS_PER_SLASHINGS_VECTOR = 8192
MIN_VALIDATOR_WITHDRAWABILITY_DELAY = 4
MAX_SEED_LOOKAHEAD = 4
GAS_LIMIT = 36_000_000
PAYMENT_GAS = 21_000
FIRST_EXECUTION_BLOCK = 21_000_000
GENESIS_FORK_VERSION = "0x10aa0001"
CONSENSUS_VERSION = "deneb"

# the kinds of produced blocks
VANILLA = "vanilla"
MEV = "mev"  # builder is the fee recipient and pays the proposer in the last transaction
# forced cases (operator validators, full days)
CASE_KINDS = (
    "two_relays",
    "relays_disagree",
    "relay_claim_differs",
    "relay_without_payment",
    "failed_payment",
    "huge_payment",
    "proposer_fee_recipient",
    "proposer_fee_recipient_with_payment",
    "undeclared_fee_recipient",
    "relay_claim_other_payload",
)
MISSED_CASES = ("missed", "missed_with_relay_claim")


def _digest(*parts: object, n_bytes: int = 32) -> bytes:
    out = b""
    counter = 0
    text = ":".join(str(p) for p in parts)
    while len(out) < n_bytes:
        out += hashlib.sha256(f"aurora-eth-sim:{text}:{counter}".encode()).digest()
        counter += 1
    return out[:n_bytes]


def hex_of(*parts: object, n_bytes: int = 32) -> str:
    """A deterministic lowercase ``0x`` hex string of ``n_bytes`` bytes."""
    return "0x" + _digest(*parts, n_bytes=n_bytes).hex()


def unix_of(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# ----------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Scenario:
    """Knobs of the synthetic chain. The defaults are the DEFAULT scenario. Rates in per-mille."""

    seed: int = 7
    n_validators: int = 40
    # the operator's validators; with ``features``, their roles follow their position (see
    # ``Network.roles``) and the last one must be the newest index (a late deposit)
    operator_indices: tuple[int, ...] = (3, 7, 11, 12, 20, 25, 31, 39)
    seconds_per_slot: int = 450
    slots_per_epoch: int = 7
    epochs_per_sync_committee_period: int = 8
    sync_committee_size: int = 8
    sync_subnet_count: int = 2
    first_day: date = date(2026, 3, 1)
    genesis_epochs_before: int = 10
    n_days: int = 3
    tail_epochs: int = 6
    missed_permille: int = 40
    offline_permille: int = 20
    head_miss_permille: int = 50
    sync_miss_permille: int = 20
    mev_permille: int = 450
    relays: tuple[str, ...] = ("relay-a", "relay-b")
    features: bool = True

    @classmethod
    def benchmark(cls, n_operator: int = 1_000, n_days: int = 7) -> Scenario:
        """A larger chain for benchmarks: ``n_operator`` operator validators (indices 0..n-1) in a
        network 10% larger, over ``n_days`` full days, sync committees of 32, no forced cases."""
        n_validators = max(n_operator + n_operator // 10, n_operator + 34)
        return cls(
            seed=11,
            n_validators=n_validators,
            operator_indices=tuple(range(n_operator)),
            sync_committee_size=32,
            sync_subnet_count=4,
            n_days=n_days,
            features=False,
        )

    def __post_init__(self) -> None:
        ops = self.operator_indices
        if len(set(ops)) != len(ops) or any(not 0 <= i < self.n_validators for i in ops):
            raise ValueError("operator_indices must be distinct indices below n_validators")
        if self.slots_per_epoch < 2 or self.seconds_per_slot < 1:
            raise ValueError("slots_per_epoch must be >= 2 and seconds_per_slot >= 1")
        if self.sync_committee_size > self.n_validators - 2:
            raise ValueError("sync_committee_size must leave room for inactive validators")
        if self.sync_committee_size % self.sync_subnet_count:
            raise ValueError("sync_committee_size must be a multiple of sync_subnet_count")
        if self.n_days < 1 or self.tail_epochs < 4 or self.genesis_epochs_before < 1:
            raise ValueError("n_days >= 1, tail_epochs >= 4, genesis_epochs_before >= 1")
        if len(self.relays) < 2 or len(set(self.relays)) != len(self.relays):
            raise ValueError("at least two distinct relays")
        if self.features:
            if len(ops) < 8:
                raise ValueError("the feature cases need 8 operator validators")
            if max(ops) != self.n_validators - 1 or ops[-1] != max(ops):
                raise ValueError("with features, the last operator index is the newest validator")
            if self.n_days < 3:
                raise ValueError("the feature cases need 3 full days")
            if self.seconds_per_slot * self.slots_per_epoch * 27 > 86_400:
                raise ValueError("the feature cases need at least 27 epochs per day")

    @property
    def epoch_seconds(self) -> int:
        return self.seconds_per_slot * self.slots_per_epoch

    @property
    def genesis_time(self) -> int:
        return unix_of(self.first_day) - self.genesis_epochs_before * self.epoch_seconds


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class ValidatorInfo:
    index: int
    pubkey: str
    withdrawal_credentials: str
    fee_recipient: str  # the address the validator registers (declared, for the operator's)
    is_operator: bool
    deposit_epoch: int  # the validator is in the registry from this epoch (0: genesis)
    activation_eligibility_epoch: int
    activation_epoch: int
    exit_epoch: int
    withdrawable_epoch: int
    slashed_at_slot: int | None
    initial_balance: int  # gwei

    @property
    def credential_prefix(self) -> str:
        return self.withdrawal_credentials[:4]

    @property
    def withdrawal_address(self) -> str | None:
        if self.credential_prefix in ("0x01", "0x02"):
            return "0x" + self.withdrawal_credentials[-40:]
        return None


@dataclass(frozen=True)
class AttestationReward:
    """One validator's attestation rewards for one epoch (gwei); the API's ``total_rewards``."""

    validator_index: int
    head: int
    target: int
    source: int
    inactivity: int
    participated: bool


@dataclass(frozen=True)
class Transaction:
    hash: str
    sender: str
    to: str | None
    value: int  # wei
    nonce: int
    gas_limit: int
    gas_used: int
    tx_type: int  # 0 legacy, 2 EIP-1559, 3 blob
    gas_price: int | None  # legacy only
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    effective_gas_price: int  # wei per gas
    status: int  # 1 success, 0 failed (it still pays its gas)
    input: str
    blob_gas_used: int | None = None
    blob_gas_price: int | None = None


@dataclass(frozen=True)
class Withdrawal:
    index: int
    validator_index: int
    address: str
    amount: int  # gwei


@dataclass(frozen=True)
class ExecutionBlock:
    number: int
    hash: str
    parent_hash: str
    fee_recipient: str
    base_fee_per_gas: int  # wei
    gas_limit: int
    gas_used: int
    timestamp: int
    transactions: tuple[Transaction, ...]
    withdrawals: tuple[Withdrawal, ...]
    state_root: str
    receipts_root: str
    prev_randao: str
    extra_data: str
    blob_gas_used: int
    excess_blob_gas: int = 0


@dataclass(frozen=True)
class BlockRewardParts:
    attestations: int
    sync_aggregate: int
    proposer_slashings: int
    attester_slashings: int

    @property
    def total(self) -> int:
        return (
            self.attestations
            + self.sync_aggregate
            + self.proposer_slashings
            + (self.attester_slashings)
        )


@dataclass(frozen=True)
class BeaconBlock:
    slot: int
    proposer_index: int
    root: str
    parent_root: str
    state_root: str
    kind: str  # VANILLA, MEV, or one of CASE_KINDS
    execution: ExecutionBlock
    rewards: BlockRewardParts
    slashing_of: int | None  # the validator whose proposer slashing this block includes


@dataclass(frozen=True)
class RelayDelivery:
    """One ``BidTraceV2`` a relay reports in ``proposer_payload_delivered``."""

    relay: str
    slot: int
    parent_hash: str
    block_hash: str
    builder_pubkey: str
    proposer_pubkey: str
    proposer_fee_recipient: str
    gas_limit: int
    gas_used: int
    value: int  # wei, the claim
    block_number: int
    num_tx: int


@dataclass(frozen=True)
class Builder:
    pubkey: str
    address: str


@dataclass
class Roles:
    """Which operator validator plays which part (indices), and the key slots and epochs."""

    bls_credentials: list[int] = field(default_factory=list)
    compounding: int | None = None
    offline: int | None = None
    offline_epochs: range = range(0)
    slashed: int | None = None
    slashing_slot: int | None = None
    slasher: int | None = None
    exiting: int | None = None
    pending: int | None = None
    stall: range = range(0)
    forced_sync_period: int | None = None


# ----------------------------------------------------------------------------- network
def build_network(scenario: Scenario | None = None) -> Network:
    return Network(scenario or Scenario())


class Network:
    """The synthetic chain, fully built at construction (a few thousand records), read-only."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = sc = scenario
        self.seed = sc.seed
        self.genesis_time = sc.genesis_time
        self.seconds_per_slot = sc.seconds_per_slot
        self.slots_per_epoch = sc.slots_per_epoch
        self.epochs_per_sync_committee_period = sc.epochs_per_sync_committee_period
        self.sync_committee_size = sc.sync_committee_size
        self.relays = sc.relays
        self.genesis_validators_root = hex_of(sc.seed, "genesis-validators-root")
        last_day = sc.first_day + timedelta(days=sc.n_days)  # the partial day after the full ones
        self.n_epochs = self._first_epoch_of(last_day) + sc.tail_epochs
        self.n_slots = self.n_epochs * sc.slots_per_epoch
        self.last_slot = self.n_slots - 1
        self.roles = Roles()
        self._plan_roles()
        self.validators: list[ValidatorInfo] = self._build_validators()
        self.operator_indices: tuple[int, ...] = sc.operator_indices
        self.builders = [
            Builder(
                hex_of(sc.seed, "builder-pk", b, n_bytes=48),
                hex_of(sc.seed, "builder", b, n_bytes=20),
            )
            for b in range(3)
        ]
        self.proposers: list[int | None] = self._draw_proposers()
        self.cases: dict[str, int] = {}  # case kind -> slot
        self.produced: list[bool] = self._draw_produced()
        self.sweep_slot: int | None = self._find_sweep_slot()
        self._assign_cases()
        self.inactivity_leak: list[bool] = [self._is_leak(e) for e in range(self.n_epochs)]
        self.attestations: list[dict[int, AttestationReward]] = self._build_attestations()
        self.sync_committees: dict[int, tuple[int, ...]] = self._build_sync_committees()
        self.sync_rewards: dict[int, dict[int, int]] = {}
        self.blocks: dict[int, BeaconBlock] = {}
        self.deliveries: dict[str, dict[int, list[RelayDelivery]]] = {r: {} for r in sc.relays}
        self._build_blocks()
        self._by_pubkey = {v.pubkey: v.index for v in self.validators}
        self._by_block_number = {b.execution.number: b for b in self.blocks.values()}
        self._by_block_hash = {b.execution.hash: b for b in self.blocks.values()}

    # ------------------------------------------------------------------------- time
    def _first_epoch_of(self, day: date) -> int:
        offset = unix_of(day) - self.genesis_time
        return max(0, -((-offset) // self.scenario.epoch_seconds))

    def day_epochs(self, day: date) -> range:
        return range(self._first_epoch_of(day), self._first_epoch_of(day + timedelta(days=1)))

    def epoch_of(self, slot: int) -> int:
        return slot // self.slots_per_epoch

    def first_slot(self, epoch: int) -> int:
        return epoch * self.slots_per_epoch

    def slot_time(self, slot: int) -> int:
        return self.genesis_time + slot * self.seconds_per_slot

    def sync_period(self, epoch: int) -> int:
        return epoch // self.epochs_per_sync_committee_period

    @property
    def genesis_day(self) -> date:
        return datetime.fromtimestamp(self.genesis_time, tz=UTC).date()

    @property
    def days(self) -> list[date]:
        """Every UTC day holding a generated epoch, genesis day first."""
        out = []
        day = self.genesis_day
        while self._first_epoch_of(day) < self.n_epochs:
            out.append(day)
            day += timedelta(days=1)
        return out

    def _day_epoch(self, day_number: int, k: int) -> int:
        """Epoch ``k`` of the ``day_number``-th full day (1 = ``first_day``)."""
        day = self.scenario.first_day + timedelta(days=day_number - 1)
        return self._first_epoch_of(day) + k

    # ------------------------------------------------------------------------- finality
    def finalized_epoch(self, head_epoch: int) -> int:
        stall = self.roles.stall
        if head_epoch in stall:
            return max(0, stall.start - 2)
        return max(0, head_epoch - 2)

    def _is_leak(self, epoch: int) -> bool:
        """Rewards of ``epoch`` are processed in epoch + 1: leaking when finality lags by > 4."""
        at = epoch + 1
        return at - self.finalized_epoch(at) > MIN_EPOCHS_TO_INACTIVITY_PENALTY

    # ------------------------------------------------------------------------- construction
    def _plan_roles(self) -> None:
        sc = self.scenario
        r = self.roles
        if not sc.features:
            return
        ops = sc.operator_indices
        r.bls_credentials = [ops[0], ops[1]]
        r.compounding = ops[2]
        r.offline = ops[1]
        r.offline_epochs = range(self._day_epoch(2, 10), self._day_epoch(2, 26))
        r.slashed = ops[3]
        r.slasher = ops[4]
        r.slashing_slot = self.first_slot(self._day_epoch(2, 14)) + 2
        r.exiting = ops[5]
        r.pending = ops[7]
        r.stall = range(self._day_epoch(2, 16), self._day_epoch(2, 26))
        r.forced_sync_period = self.sync_period(self._day_epoch(2, 12))

    def _build_validators(self) -> list[ValidatorInfo]:
        sc = self.scenario
        r = self.roles
        rng = Random(f"{sc.seed}:validators")
        shared = [hex_of(sc.seed, "withdrawal-address", k, n_bytes=20) for k in range(2)]
        out = []
        for i in range(sc.n_validators):
            is_op = i in sc.operator_indices
            position = sc.operator_indices.index(i) if is_op else -1
            if i in r.bls_credentials:
                credentials = "0x00" + hex_of(sc.seed, "bls-withdrawal", i)[4:]
            else:
                prefix = "0x02" if i == r.compounding else "0x01"
                if is_op:
                    address = shared[0] if position % 2 == 0 else shared[1]
                else:
                    address = hex_of(sc.seed, "withdrawal-address-of", i, n_bytes=20)
                credentials = prefix + "00" * 11 + address[2:]
            deposit, eligibility, activation = 0, 0, 0
            exit_epoch = withdrawable = FAR_FUTURE_EPOCH
            slashed_at: int | None = None
            if i == r.pending:
                deposit = self._day_epoch(1, 3)
                eligibility = self._day_epoch(1, 5)
                activation = self._day_epoch(2, 2)
            if i == r.exiting:
                exit_epoch = self._day_epoch(2, 8)
                withdrawable = exit_epoch + MIN_VALIDATOR_WITHDRAWABILITY_DELAY
            if i == r.slashed and r.slashing_slot is not None:
                slashed_at = r.slashing_slot
                at = self.epoch_of(r.slashing_slot)
                exit_epoch = at + 1 + MAX_SEED_LOOKAHEAD
                withdrawable = at + EPOCHS_PER_SLASHINGS_VECTOR
            out.append(
                ValidatorInfo(
                    index=i,
                    pubkey=hex_of(sc.seed, "pubkey", i, n_bytes=48),
                    withdrawal_credentials=credentials,
                    fee_recipient=hex_of(sc.seed, "fee-recipient", i, n_bytes=20),
                    is_operator=is_op,
                    deposit_epoch=deposit,
                    activation_eligibility_epoch=eligibility,
                    activation_epoch=activation,
                    exit_epoch=exit_epoch,
                    withdrawable_epoch=withdrawable,
                    slashed_at_slot=slashed_at,
                    initial_balance=MAX_EFFECTIVE_BALANCE + rng.randrange(0, 50_000_000),
                )
            )
        return out

    def is_active(self, index: int, epoch: int) -> bool:
        v = self.validators[index]
        return v.activation_epoch <= epoch < v.exit_epoch and epoch >= v.deposit_epoch

    def is_slashed(self, index: int, slot: int) -> bool:
        at = self.validators[index].slashed_at_slot
        return at is not None and slot >= at

    def is_eligible(self, index: int, epoch: int) -> bool:
        """Has attestation duties (rewards or penalties) for ``epoch`` (the spec's rule)."""
        v = self.validators[index]
        if self.is_active(index, epoch):
            return True
        slashed = v.slashed_at_slot is not None and self.epoch_of(v.slashed_at_slot) <= epoch
        return slashed and epoch + 1 < v.withdrawable_epoch

    def _draw_proposers(self) -> list[int | None]:
        sc = self.scenario
        r = self.roles
        out: list[int | None] = [None]  # slot 0: genesis, no proposal
        for slot in range(1, self.n_slots):
            if slot == r.slashing_slot:
                out.append(r.slasher)
                continue
            epoch = self.epoch_of(slot)
            candidates = [
                v.index
                for v in self.validators
                if self.is_active(v.index, epoch) and not self.is_slashed(v.index, slot)
            ]
            out.append(Random(f"{sc.seed}:proposer:{slot}").choice(candidates))
        return out

    def _full_day_slots(self) -> range:
        first = self.first_slot(self._day_epoch(1, 0))
        last_day = self.scenario.first_day + timedelta(days=self.scenario.n_days)
        return range(first, self.first_slot(self._first_epoch_of(last_day)))

    def _draw_produced(self) -> list[bool]:
        sc = self.scenario
        produced = [False] + [
            Random(f"{sc.seed}:missed:{slot}").randrange(1000) >= sc.missed_permille
            for slot in range(1, self.n_slots)
        ]
        r = self.roles
        for slot in range(1, self.n_slots):  # an offline validator misses its proposals
            proposer = self.proposers[slot]
            if proposer is not None and self._offline(proposer, self.epoch_of(slot)):
                produced[slot] = False
        if r.slashing_slot is not None:
            produced[r.slashing_slot] = True
        if sc.features:
            ops = set(sc.operator_indices)
            pool = [
                s
                for s in self._full_day_slots()
                if produced[s] and self.proposers[s] in ops and s != r.slashing_slot
            ]
            picked = Random(f"{sc.seed}:missed-cases").sample(pool, len(MISSED_CASES))
            for kind, slot in zip(MISSED_CASES, picked, strict=True):
                produced[slot] = False
                self.cases[kind] = slot
        return produced

    def _find_sweep_slot(self) -> int | None:
        exiting = self.roles.exiting
        if exiting is None:
            return None
        start = self.first_slot(self.validators[exiting].withdrawable_epoch) + 1
        for slot in range(start, self.n_slots):
            if self.produced[slot]:
                return slot
        return None

    def _assign_cases(self) -> None:
        sc = self.scenario
        if not sc.features:
            return
        ops = set(sc.operator_indices)
        taken = {self.roles.slashing_slot, self.sweep_slot, *self.cases.values()}
        pool = [
            s
            for s in self._full_day_slots()
            if self.produced[s] and self.proposers[s] in ops and s not in taken
        ]
        picked = Random(f"{sc.seed}:block-cases").sample(pool, len(CASE_KINDS))
        for kind, slot in zip(CASE_KINDS, picked, strict=True):
            self.cases[kind] = slot

    def _offline(self, index: int, epoch: int) -> bool:
        return index == self.roles.offline and epoch in self.roles.offline_epochs

    def _build_attestations(self) -> list[dict[int, AttestationReward]]:
        sc = self.scenario
        scores = [0] * sc.n_validators
        out: list[dict[int, AttestationReward]] = []
        for epoch in range(self.n_epochs):
            leak = self.inactivity_leak[epoch]
            rewards: dict[int, AttestationReward] = {}
            for v in self.validators:
                i = v.index
                if not self.is_eligible(i, epoch):
                    continue
                rng = Random(f"{sc.seed}:attestation:{epoch}:{i}")
                slashed = self.is_slashed(i, self.first_slot(epoch + 1) - 1)
                participated = not (
                    slashed
                    or self._offline(i, epoch)
                    or rng.randrange(1000) < sc.offline_permille
                    or not self.is_active(i, epoch)
                )
                head_hit = participated and rng.randrange(1000) >= sc.head_miss_permille
                eff = self.effective_balance(i, self.first_slot(epoch))
                unit = (eff // EFFECTIVE_BALANCE_INCREMENT) * BASE_REWARD_PER_INCREMENT
                ideal_head = unit * TIMELY_HEAD_WEIGHT // WEIGHT_DENOMINATOR
                ideal_target = unit * TIMELY_TARGET_WEIGHT // WEIGHT_DENOMINATOR
                ideal_source = unit * TIMELY_SOURCE_WEIGHT // WEIGHT_DENOMINATOR
                score = scores[i]
                if participated:
                    score -= min(1, score)
                else:
                    score += INACTIVITY_SCORE_BIAS
                if not leak:
                    score -= min(INACTIVITY_SCORE_RECOVERY_RATE, score)
                scores[i] = score
                if participated:
                    head = 0 if leak or not head_hit else ideal_head
                    target = 0 if leak else ideal_target
                    source = 0 if leak else ideal_source
                    inactivity = 0
                else:
                    head, target, source = 0, -ideal_target, -ideal_source
                    inactivity = -(
                        eff * score // (INACTIVITY_SCORE_BIAS * INACTIVITY_PENALTY_QUOTIENT)
                    )
                rewards[i] = AttestationReward(i, head, target, source, inactivity, participated)
            out.append(rewards)
        return out

    def ideal_rewards(self) -> list[dict[str, int]]:
        """``ideal_rewards`` of the attestation rewards endpoint: one entry per whole ETH, 1..32."""
        out = []
        for eth in range(1, MAX_EFFECTIVE_BALANCE // GWEI + 1):
            unit = eth * BASE_REWARD_PER_INCREMENT
            out.append(
                {
                    "effective_balance": eth * GWEI,
                    "head": unit * TIMELY_HEAD_WEIGHT // WEIGHT_DENOMINATOR,
                    "target": unit * TIMELY_TARGET_WEIGHT // WEIGHT_DENOMINATOR,
                    "source": unit * TIMELY_SOURCE_WEIGHT // WEIGHT_DENOMINATOR,
                    "inactivity": 0,
                }
            )
        return out

    def _build_sync_committees(self) -> dict[int, tuple[int, ...]]:
        sc = self.scenario
        out: dict[int, tuple[int, ...]] = {}
        n_periods = self.sync_period(self.n_epochs - 1) + 1
        for period in range(n_periods + 1):  # the next period's committee is known too
            start = period * self.epochs_per_sync_committee_period
            end = start + self.epochs_per_sync_committee_period
            candidates = [
                v.index
                for v in self.validators
                if self.is_active(v.index, min(start, self.n_epochs - 1))
                and v.exit_epoch > end
                and not self.is_slashed(v.index, self.first_slot(start))
            ]
            rng = Random(f"{sc.seed}:sync-committee:{period}")
            members = rng.sample(candidates, sc.sync_committee_size)
            forced = self.roles.offline
            if (
                period == self.roles.forced_sync_period
                and forced is not None
                and forced not in members
            ):
                members[rng.randrange(len(members))] = forced
            out[period] = tuple(members)
        return out

    def sync_reward_per_slot(self, period: int) -> int:
        return 22_000 + 37 * period

    def _build_blocks(self) -> None:
        sc = self.scenario
        parent_root = hex_of(sc.seed, "genesis-block-root")
        parent_hash = hex_of(sc.seed, "genesis-execution-hash")
        number = FIRST_EXECUTION_BLOCK
        kinds = {slot: kind for kind, slot in self.cases.items()}
        withdrawal_index = 0
        for slot in range(1, self.n_slots):
            proposer = self.proposers[slot]
            kind = kinds.get(slot)
            if not self.produced[slot]:
                if kind == "missed_with_relay_claim" and proposer is not None:
                    self._claim_without_block(slot, proposer, parent_hash, number + 1)
                continue
            assert proposer is not None
            number += 1
            epoch = self.epoch_of(slot)
            rng = Random(f"{sc.seed}:block:{slot}")
            if kind is None or kind in MISSED_CASES:
                kind = MEV if rng.randrange(1000) < sc.mev_permille else VANILLA
            withdrawals: tuple[Withdrawal, ...] = ()
            if slot == self.sweep_slot and self.roles.exiting is not None:
                v = self.validators[self.roles.exiting]
                assert v.withdrawal_address is not None
                amount = self.balance(v.index, slot - 1)
                withdrawals = (Withdrawal(withdrawal_index, v.index, v.withdrawal_address, amount),)
                withdrawal_index += 1
            execution, delivered = self._build_execution(
                slot, kind, proposer, number, parent_hash, withdrawals, rng
            )
            # sync-committee rewards of this slot, and the proposer's share
            period = self.sync_period(epoch)
            r = self.sync_reward_per_slot(period)
            slot_rewards: dict[int, int] = {}
            participants = 0
            for member in self.sync_committees[period]:
                signed = (
                    self.is_active(member, epoch)
                    and not self._offline(member, epoch)
                    and Random(f"{sc.seed}:sync:{slot}:{member}").randrange(1000)
                    >= sc.sync_miss_permille
                )
                slot_rewards[member] = r if signed else -r
                participants += signed
            self.sync_rewards[slot] = slot_rewards
            slashing_of = self.roles.slashed if slot == self.roles.slashing_slot else None
            whistleblower = 0
            if slashing_of is not None:
                whistleblower = MAX_EFFECTIVE_BALANCE // WHISTLEBLOWER_REWARD_QUOTIENT
            rewards = BlockRewardParts(
                attestations=rng.randrange(40_000, 90_000),
                sync_aggregate=participants * (r // 7),
                proposer_slashings=whistleblower,
                attester_slashings=0,
            )
            root = hex_of(sc.seed, "block-root", slot)
            self.blocks[slot] = BeaconBlock(
                slot=slot,
                proposer_index=proposer,
                root=root,
                parent_root=parent_root,
                state_root=hex_of(sc.seed, "state-root", slot),
                kind=kind,
                execution=execution,
                rewards=rewards,
                slashing_of=slashing_of,
            )
            for delivery in delivered:
                self.deliveries[delivery.relay].setdefault(slot, []).append(delivery)
            parent_root = root
            parent_hash = execution.hash

    def _claim_without_block(self, slot: int, proposer: int, parent_hash: str, number: int) -> None:
        """A relay says it delivered a payload for ``slot``, but no block was published."""
        sc = self.scenario
        relay = sc.relays[1]
        builder = self.builders[0]
        self.deliveries[relay].setdefault(slot, []).append(
            RelayDelivery(
                relay=relay,
                slot=slot,
                parent_hash=parent_hash,
                block_hash=hex_of(sc.seed, "unpublished-payload", slot),
                builder_pubkey=builder.pubkey,
                proposer_pubkey=self.validators[proposer].pubkey,
                proposer_fee_recipient=self.validators[proposer].fee_recipient,
                gas_limit=GAS_LIMIT,
                gas_used=4_200_000,
                value=48_000_000_000_000_000,
                block_number=number,
                num_tx=5,
            )
        )

    def _transactions(self, slot: int, base_fee: int, rng: Random) -> list[Transaction]:
        sc = self.scenario
        out = []
        for i in range(rng.randint(2, 6)):
            roll = rng.randrange(100)
            tx_type = 0 if roll < 10 else 3 if roll < 18 else 2
            priority = rng.randrange(0, 3 * GWEI)
            gas_used = rng.randint(21_000, 250_000)
            gas_price = max_fee = max_priority = None
            blob_gas_used = blob_gas_price = None
            if tx_type == 0:
                gas_price = base_fee + priority
                effective = gas_price
            else:
                max_priority = priority
                max_fee = 2 * base_fee + priority
                effective = base_fee + min(max_priority, max_fee - base_fee)
                if tx_type == 3:
                    blob_gas_used = 131_072 * rng.randint(1, 3)
                    blob_gas_price = rng.randint(1, 5 * GWEI)
            to = (
                None
                if rng.randrange(100) < 5
                else hex_of(sc.seed, "user", rng.randrange(30), n_bytes=20)
            )
            value = rng.choice([0, rng.randrange(10**15, 5 * ETH_WEI), 10 * ETH_WEI])
            out.append(
                Transaction(
                    hash=hex_of(sc.seed, "tx", slot, i),
                    sender=hex_of(sc.seed, "user", rng.randrange(30), n_bytes=20),
                    to=to,
                    value=value,
                    nonce=rng.randrange(0, 5000),
                    gas_limit=gas_used + rng.randrange(0, 50_000),
                    gas_used=gas_used,
                    tx_type=tx_type,
                    gas_price=gas_price,
                    max_fee_per_gas=max_fee,
                    max_priority_fee_per_gas=max_priority,
                    effective_gas_price=effective,
                    status=0 if rng.randrange(100) < 3 else 1,
                    input="0x"
                    if to is not None and rng.randrange(2)
                    else hex_of(sc.seed, "input", slot, i, n_bytes=36),
                    blob_gas_used=blob_gas_used,
                    blob_gas_price=blob_gas_price,
                )
            )
        return out

    def _payment(
        self,
        slot: int,
        index: int,
        builder: Builder,
        to: str,
        value: int,
        base_fee: int,
        *,
        failed: bool,
    ) -> Transaction:
        return Transaction(
            hash=hex_of(self.seed, "tx", slot, index),
            sender=builder.address,
            to=to,
            value=value,
            nonce=slot,
            gas_limit=PAYMENT_GAS,
            gas_used=PAYMENT_GAS,
            tx_type=2,
            gas_price=None,
            max_fee_per_gas=base_fee,
            max_priority_fee_per_gas=0,
            effective_gas_price=base_fee,
            status=0 if failed else 1,
            input="0x",
        )

    def _build_execution(
        self,
        slot: int,
        kind: str,
        proposer: int,
        number: int,
        parent_hash: str,
        withdrawals: tuple[Withdrawal, ...],
        rng: Random,
    ) -> tuple[ExecutionBlock, list[RelayDelivery]]:
        sc = self.scenario
        v = self.validators[proposer]
        base_fee = rng.randint(GWEI, 60 * GWEI)
        txs = self._transactions(slot, base_fee, rng)
        builder = self.builders[rng.randrange(len(self.builders))]
        relay = sc.relays[rng.randrange(len(sc.relays))]
        payment = rng.randrange(ETH_WEI // 100, ETH_WEI // 5)
        fee_recipient = v.fee_recipient
        pay = kind not in (
            VANILLA,
            "undeclared_fee_recipient",
            "relay_claim_other_payload",
            "relay_without_payment",
            "proposer_fee_recipient",
        )
        builder_is_recipient = kind not in (
            VANILLA,
            "undeclared_fee_recipient",
            "relay_claim_other_payload",
            "proposer_fee_recipient",
            "proposer_fee_recipient_with_payment",
        )
        if kind == "huge_payment":
            payment = 20_500_000_000_000_000_000  # 20.5 ETH: above 2^64 wei
        if builder_is_recipient:
            fee_recipient = builder.address
        if kind == "undeclared_fee_recipient":
            fee_recipient = hex_of(sc.seed, "undeclared-fee-recipient", proposer, n_bytes=20)
        if pay:
            txs.append(
                self._payment(
                    slot,
                    len(txs),
                    builder,
                    v.fee_recipient,
                    payment,
                    base_fee,
                    failed=kind == "failed_payment",
                )
            )
        gas_used = sum(t.gas_used for t in txs)
        execution = ExecutionBlock(
            number=number,
            hash=hex_of(sc.seed, "execution-block", slot),
            parent_hash=parent_hash,
            fee_recipient=fee_recipient,
            base_fee_per_gas=base_fee,
            gas_limit=GAS_LIMIT,
            gas_used=gas_used,
            timestamp=self.slot_time(slot),
            transactions=tuple(txs),
            withdrawals=withdrawals,
            state_root=hex_of(sc.seed, "execution-state-root", slot),
            receipts_root=hex_of(sc.seed, "receipts-root", slot),
            prev_randao=hex_of(sc.seed, "prev-randao", slot),
            extra_data="0x" + (b"aurora-builder" if builder_is_recipient else b"aurora").hex(),
            blob_gas_used=sum(t.blob_gas_used or 0 for t in txs),
        )
        if kind in (VANILLA, "undeclared_fee_recipient"):
            return execution, []
        fees = sum(t.gas_used * (t.effective_gas_price - base_fee) for t in txs)

        def delivery(
            relay_name: str, value: int, block_hash: str = execution.hash
        ) -> RelayDelivery:
            return RelayDelivery(
                relay=relay_name,
                slot=slot,
                parent_hash=parent_hash,
                block_hash=block_hash,
                builder_pubkey=builder.pubkey,
                proposer_pubkey=v.pubkey,
                proposer_fee_recipient=v.fee_recipient,
                gas_limit=GAS_LIMIT,
                gas_used=gas_used,
                value=value,
                block_number=number,
                num_tx=len(txs),
            )

        if kind == "relay_claim_other_payload":  # a payload the relay delivered, not this block
            return execution, [
                delivery(sc.relays[0], payment, hex_of(sc.seed, "orphaned-payload", slot))
            ]
        if kind == "two_relays":
            return execution, [delivery(sc.relays[0], payment), delivery(sc.relays[1], payment)]
        if kind == "relays_disagree":
            return execution, [
                delivery(sc.relays[0], payment),
                delivery(sc.relays[1], payment + 10**15),
            ]
        if kind == "relay_claim_differs":
            return execution, [delivery(relay, payment + 777_000_000_000)]
        if kind == "proposer_fee_recipient":
            return execution, [delivery(relay, fees)]
        if kind == "proposer_fee_recipient_with_payment":
            return execution, [delivery(relay, fees + payment)]
        return execution, [delivery(relay, payment)]

    # ------------------------------------------------------------------------- state
    def registry_epochs(self, index: int, slot: int) -> tuple[int, int, int, int]:
        """(activation_eligibility, activation, exit, withdrawable) epochs as the state at ``slot``
        records them: each is FAR_FUTURE_EPOCH until the chain has set it (eligibility when the
        deposit is processed, activation when the validator is queued, exit and withdrawable when
        the exit is initiated, MAX_SEED_LOOKAHEAD + 1 epochs before it, or at the slashing)."""
        v = self.validators[index]
        epoch = self.epoch_of(slot)
        eligibility = v.activation_eligibility_epoch
        activation = v.activation_epoch
        if epoch < eligibility:
            eligibility = activation = FAR_FUTURE_EPOCH
        exit_epoch, withdrawable = v.exit_epoch, v.withdrawable_epoch
        if v.slashed_at_slot is not None:
            initiated = slot >= v.slashed_at_slot
        else:
            initiated = (
                exit_epoch != FAR_FUTURE_EPOCH and epoch >= exit_epoch - 1 - MAX_SEED_LOOKAHEAD
            )
        if not initiated:
            exit_epoch = withdrawable = FAR_FUTURE_EPOCH
        return eligibility, activation, exit_epoch, withdrawable

    def status(self, index: int, slot: int) -> str | None:
        """The validator's status in the state at ``slot`` (None: not in the registry yet)."""
        v = self.validators[index]
        epoch = self.epoch_of(slot)
        if epoch < v.deposit_epoch:
            return None
        eligibility, activation, exit_epoch, withdrawable = self.registry_epochs(index, slot)
        if eligibility == FAR_FUTURE_EPOCH:
            return "pending_initialized"
        if epoch < activation:
            return "pending_queued"
        slashed = self.is_slashed(index, slot)
        if epoch < exit_epoch:
            if slashed:
                return "active_slashed"
            return "active_ongoing" if exit_epoch == FAR_FUTURE_EPOCH else "active_exiting"
        if epoch < withdrawable:
            return "exited_slashed" if slashed else "exited_unslashed"
        return "withdrawal_possible" if self.balance(index, slot) > 0 else "withdrawal_done"

    def effective_balance(self, index: int, slot: int) -> int:
        if self.sweep_slot is not None and index == self.roles.exiting and slot >= self.sweep_slot:
            return 0
        if self.is_slashed(index, slot):
            return MAX_EFFECTIVE_BALANCE - GWEI
        return MAX_EFFECTIVE_BALANCE

    def balance(self, index: int, slot: int) -> int:
        """The balance (gwei) in the state at ``slot``, after that slot's block."""
        v = self.validators[index]
        if self.sweep_slot is not None and index == self.roles.exiting and slot >= self.sweep_slot:
            return 0
        total = v.initial_balance
        last_credited = self.epoch_of(slot) - 2  # rewards of epoch e are credited at e + 2
        for epoch in range(min(last_credited + 1, self.n_epochs)):
            reward = self.attestations[epoch].get(index)
            if reward is not None:
                total += reward.head + reward.target + reward.source + reward.inactivity
        for block_slot, block in self.blocks.items():
            if block_slot > slot:
                continue
            if block.proposer_index == index:
                total += block.rewards.total
            total += self.sync_rewards.get(block_slot, {}).get(index, 0)
        if self.is_slashed(index, slot):
            total -= MAX_EFFECTIVE_BALANCE // MIN_SLASHING_PENALTY_QUOTIENT
        return max(0, total)

    def validator_by_id(self, ident: str) -> int | None:
        if ident.isdigit():
            index = int(ident)
            return index if index < len(self.validators) else None
        return self._by_pubkey.get(ident.lower())

    def block_by_number(self, number: int) -> BeaconBlock | None:
        return self._by_block_number.get(number)

    def block_by_hash(self, block_hash: str) -> BeaconBlock | None:
        return self._by_block_hash.get(block_hash.lower())

    # ------------------------------------------------------------------------- features
    def features(self) -> dict[str, Any]:
        """Where each case lives: slots, validators, days (for tests and the README)."""
        r = self.roles
        out: dict[str, Any] = {"cases": {}}
        for kind, slot in sorted(self.cases.items()):
            out["cases"][kind] = {
                "slot": slot,
                "validator": self.proposers[slot],
                "day": self._day_of_slot(slot).isoformat(),
            }
        out["bls_credentials"] = list(r.bls_credentials)
        out["compounding"] = r.compounding
        out["offline"] = {
            "validator": r.offline,
            "epochs": [r.offline_epochs.start, r.offline_epochs.stop],
        }
        out["stall"] = [r.stall.start, r.stall.stop]
        out["leak_epochs"] = [e for e in range(self.n_epochs) if self.inactivity_leak[e]]
        out["slashed"] = {"validator": r.slashed, "slot": r.slashing_slot, "by": r.slasher}
        out["exiting"] = {"validator": r.exiting, "sweep_slot": self.sweep_slot}
        out["pending"] = r.pending
        out["forced_sync_period"] = r.forced_sync_period
        return out

    def _day_of_slot(self, slot: int) -> date:
        start = self.genesis_time + self.epoch_of(slot) * self.scenario.epoch_seconds
        return datetime.fromtimestamp(start, tz=UTC).date()
