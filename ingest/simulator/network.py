"""A deterministic synthetic Solana network: validators, stake accounts, slots, rewards, votes, MEV.

Everything derives from ``Scenario.seed`` through ``random.Random`` instances seeded with strings
(``Random`` hashes a ``str`` seed with SHA-512, so results do not depend on ``PYTHONHASHSEED``):
never the global generator, never the clock. Every amount is a Python ``int`` in lamports.

Model (documented simplifications):
- Epochs ``0 .. n_epochs - 1`` are *closed*; epoch ``n_epochs`` is the tip epoch: its slots are
  generated (so epoch ``n_epochs - 1`` has an ``end_at``) but its rewards are not.
- ``block_time(slot) = genesis_unix + slot * slot_seconds`` for produced slots; skipped slots have
  no block and no time.
- Leader schedule: runs of 4 consecutive slots, leaders drawn weighted by activated stake.
- Stake accounts never close, never redelegate and never deactivate. Their *delegated stake is
  constant*: inflation rewards raise the account's lamports balance, not the delegation.
- A stake account with ``activation_epoch == 0`` is genesis stake, effective from epoch 0. One with
  ``activation_epoch = A > 0`` is created in epoch A and earns from epoch ``A + 1`` (its rewards for
  epochs ``<= A`` are null). Warmup/cooldown is not modelled.
- Inflation reward of stake account s for epoch E: ``on = delegated * rate_ppb(V, E) // 10**9``
  then the runtime's commission split with ``c = commission_pct[E]`` of its validator V:
  ``voter = on * c // 100`` (summed over V's accounts into V's ``Voting`` reward) and
  ``staker = on * (100 - c) // 100`` (the ``Staking`` reward). A zero reward is null (so c = 0 gives
  a null vote reward and c = 100 null stake rewards).
- Rewards of epoch E are paid in epoch E+1: ``Voting`` rewards in its first produced block, the
  ``Staking`` rewards partitioned (SIMD-0118) over the next produced blocks. ``effectiveSlot`` of
  every reward of E is the first produced slot of E+1.
- Fee rewards: each produced block pays its leader identity 5e6..15e6 lamports (``rewardType``
  ``Fee``). The identity's ``postBalance`` tracks fee income only (vote fees are not debited).
- Vote transactions land in produced slots: per validator and produced slot usually one, sometimes
  none or two; a few fail with ``{"InstructionError":[0,{"Custom":0}]}``.
- The commission reported for epoch E (getVoteAccounts while the tip is in E, and the
  ``commission`` of rewards *for* E) is ``commission_pct[E]``.
"""

from __future__ import annotations

import bisect
import calendar
import threading
from array import array
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from random import Random
from typing import Any

LAMPORTS_PER_SOL = 1_000_000_000
STAKE_RENT_EXEMPT_RESERVE = 2_282_880
VOTE_ACCOUNT_RENT_EXEMPT = 26_858_640
VOTE_FEE_LAMPORTS = 5_000
GENESIS_UNIX = 1_767_225_600  # 2026-01-01T00:00:00Z
U64_MAX = 2**64 - 1
STAKE_PROGRAM_ID = "Stake11111111111111111111111111111111111111"
VOTE_PROGRAM_ID = "Vote111111111111111111111111111111111111111"
SYSTEM_PROGRAM_ID = "11111111111111111111111111111111"
LEADER_RUN = 4
SECONDS_PER_YEAR = 31_536_000
# Annual rates in parts per billion (reference §4): ~6.5% inflation APY, ~0.69% MEV APY.
INFLATION_APY_PPB = 65_000_000
MEV_APY_PPB = 6_900_000


def failed_vote_err() -> dict[str, Any]:
    """The ``err`` of a failed vote transaction (a fresh object each call)."""
    return {"InstructionError": [0, {"Custom": 0}]}


def commission_split(on: int, commission_pct: int) -> tuple[int, int]:
    """The runtime's split of an inflation reward ``on``: (voter, staker), each truncated.

    ``voter = on * c // 100`` and ``staker = on * (100 - c) // 100``; c >= 100 gives (on, 0).
    """
    c = min(max(commission_pct, 0), 100)
    return on * c // 100, on * (100 - c) // 100


# --------------------------------------------------------------------------------------------
# base58

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58_ALPHABET)}


_B58_PAIRS = [a + b for a in _B58_ALPHABET for b in _B58_ALPHABET]
_B58_CHUNK = 58**10


def b58encode(data: bytes) -> str:
    """Bitcoin-alphabet base58, as Solana uses for keys and signatures."""
    n = int.from_bytes(data, "big")
    chunks: list[str] = []
    while n:  # 10 digits per big-int division, 2 per small one
        n, chunk = divmod(n, _B58_CHUNK)
        pairs = []
        for _ in range(5):
            chunk, rem = divmod(chunk, 3364)
            pairs.append(_B58_PAIRS[rem])
        pairs.reverse()
        chunks.append("".join(pairs))
    chunks.reverse()
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(chunks).lstrip("1")


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises ``ValueError`` on a character outside the alphabet."""
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise ValueError(f"invalid base58 character {ch!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def is_pubkey(text: str) -> bool:
    """True when ``text`` is base58 of exactly 32 bytes."""
    try:
        return len(b58decode(text)) == 32
    except ValueError:
        return False


# --------------------------------------------------------------------------------------------
# scenario and records


@dataclass(frozen=True)
class Scenario:
    """Knobs of the synthetic network. The defaults are the DEFAULT demo scenario.

    Rates are integers in per-mille (1000 = 100%).
    """

    seed: int = 7
    n_validators: int = 8
    n_operator_validators: int = 5
    stake_accounts_per_validator: int = 40
    n_epochs: int = 24
    slots_per_epoch: int = 64
    slot_seconds: int = 5400
    genesis_unix: int = GENESIS_UNIX
    skip_permille_min: int = 10
    skip_permille_max: int = 80
    missed_vote_permille: int = 20
    double_vote_permille: int = 10
    failed_vote_permille: int = 30
    shared_withdrawer_permille: int = 150
    n_shared_withdrawers: int = 6
    late_activation_permille: int = 50
    rewards_slots: int = 4
    stake_rewards_per_partition: int = 4096
    fee_reward_min: int = 5_000_000
    fee_reward_max: int = 15_000_000
    month_end_feature: bool = True

    @classmethod
    def benchmark(cls) -> Scenario:
        """20 validators (all the operator's), 50,000 stake accounts in total, 30 epochs."""
        return cls(
            n_validators=20,
            n_operator_validators=20,
            stake_accounts_per_validator=2_500,
            n_epochs=30,
        )

    def __post_init__(self) -> None:
        if not 0 <= self.n_operator_validators <= self.n_validators:
            raise ValueError("n_operator_validators must be within 0..n_validators")
        if self.n_validators < 1 or self.n_epochs < 1 or self.stake_accounts_per_validator < 1:
            raise ValueError("n_validators, n_epochs and stake_accounts_per_validator must be >= 1")
        if self.slots_per_epoch < 2 * LEADER_RUN or self.slots_per_epoch % LEADER_RUN:
            raise ValueError(
                f"slots_per_epoch must be a multiple of {LEADER_RUN}, >= {2 * LEADER_RUN}"
            )
        if self.slot_seconds < 1:
            raise ValueError("slot_seconds must be >= 1")
        if not 0 <= self.skip_permille_min <= self.skip_permille_max < 1000:
            raise ValueError("skip rates must satisfy 0 <= min <= max < 1000")
        if self.fee_reward_min < 0 or self.fee_reward_max < self.fee_reward_min:
            raise ValueError("fee reward bounds must satisfy 0 <= min <= max")


@dataclass(frozen=True)
class EpochSchedule:
    slots_per_epoch: int
    leader_schedule_slot_offset: int
    warmup: bool = False
    first_normal_epoch: int = 0
    first_normal_slot: int = 0

    def first_slot(self, epoch: int) -> int:
        return epoch * self.slots_per_epoch

    def last_slot(self, epoch: int) -> int:
        return (epoch + 1) * self.slots_per_epoch - 1

    def epoch_of(self, slot: int) -> int:
        return slot // self.slots_per_epoch


@dataclass(frozen=True)
class Validator:
    index: int
    vote_pubkey: str
    identity_pubkey: str
    name: str
    is_operator: bool
    commission_pct: tuple[int, ...]  # per epoch 0..n_epochs
    mev_commission_bps: tuple[int | None, ...]  # per epoch; None when not running Jito
    running_jito: tuple[bool, ...]  # per epoch
    skip_permille: int
    identity_initial_lamports: int
    vote_initial_lamports: int


@dataclass(frozen=True)
class StakeAccount:
    index: int
    pubkey: str
    validator_index: int
    voter: str
    staker: str
    withdrawer: str
    delegated_stake: int  # constant: rewards raise lamports, not the delegation
    activation_epoch: int
    initial_lamports: int
    credits_observed: int
    rent_exempt_reserve: int = STAKE_RENT_EXEMPT_RESERVE

    def earns_in(self, epoch: int) -> bool:
        """Whether the account's stake is effective (earns rewards) in ``epoch``."""
        return self.activation_epoch == 0 or self.activation_epoch < epoch


@dataclass(frozen=True)
class InflationReward:
    epoch: int
    effective_slot: int
    amount: int
    post_balance: int
    commission: int


@dataclass(frozen=True)
class MevRecord:
    epoch: int
    running_jito: bool
    mev_rewards: int  # the pot after Jito's fee, before the validator/staker split
    mev_commission_bps: int | None
    priority_fee_rewards: int
    priority_fee_commission_bps: int | None
    active_stake: int
    num_stakers: int

    @property
    def mev_commission(self) -> int:
        if not self.running_jito or self.mev_commission_bps is None:
            return 0
        return self.mev_rewards * self.mev_commission_bps // 10_000


@dataclass(frozen=True)
class VoteTx:
    signature: str
    slot: int
    failed: bool


@dataclass(frozen=True)
class MonthEnd:
    """Epoch ``epoch`` whose successor's first slots are skipped up to the 1st of a month."""

    epoch: int
    next_epoch: int
    first_produced_slot: int
    forced_skipped_slots: tuple[int, ...]
    period_date: date


@dataclass
class _EpochRewards:
    stake_amount: array[int]  # 0 = null
    stake_post: array[int]  # balance after this epoch's reward (unchanged when null)
    vote_amount: list[int]  # 0 = null
    vote_post: list[int]


# --------------------------------------------------------------------------------------------
# network


class _KeyGen:
    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            key = b58encode(self._rng.getrandbits(256).to_bytes(32, "big"))
            if key not in self._seen and len(key) >= 32:
                self._seen.add(key)
                return key


def build_network(scenario: Scenario) -> Network:
    """Build the network of ``scenario`` (cheap parts eagerly, rewards and votes lazily)."""
    return Network(scenario)


class Network:
    """The synthetic chain. Read-only after construction; lazy caches are thread-safe."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        sc = scenario
        self.seed = sc.seed
        self.n_epochs = sc.n_epochs
        self.genesis_unix = sc.genesis_unix
        self.slot_seconds = sc.slot_seconds
        self.schedule = EpochSchedule(
            slots_per_epoch=sc.slots_per_epoch,
            leader_schedule_slot_offset=sc.slots_per_epoch,
        )
        self.rewards_slots = sc.rewards_slots
        self.last_slot = self.schedule.last_slot(sc.n_epochs)  # last generated slot
        self._lock = threading.RLock()
        self._rewards: list[_EpochRewards] = []
        self._votes: dict[tuple[int, int], list[VoteTx]] = {}
        self._sig_index: dict[int, tuple[list[VoteTx], dict[str, int]]] = {}

        rng = Random(f"aurora-sim:{sc.seed}:structure")
        keygen = _KeyGen(rng)
        self._build_validators(rng, keygen)
        self._build_stake_accounts(rng, keygen)
        self._build_activated_stake()
        self.month_end: MonthEnd | None = self._find_month_end() if sc.month_end_feature else None
        self._build_slots(keygen)
        self._build_partitions()
        self._build_mev()

    # ---------------------------------------------------------------- construction

    def _build_validators(self, rng: Random, keygen: _KeyGen) -> None:
        sc = self.scenario
        horizon = sc.n_epochs + 1  # per-epoch arrays cover epochs 0..n_epochs (the tip epoch)
        self.commission_change: tuple[int, int, int, int] | None = None  # (validator, epoch, a, b)
        validators: list[Validator] = []
        for i in range(sc.n_validators):
            vote = keygen()
            identity = keygen()
            is_op = i < sc.n_operator_validators
            name = f"aurora-{i + 1:02d}" if is_op else f"network-{i + 1:02d}"
            base = rng.randrange(0, 11)
            commission = [base] * horizon
            mev_bps: int | None = (
                rng.choice([500, 800, 1000]) if is_op else rng.randrange(0, 21) * 50
            )
            running = True
            if is_op and i == 0:
                commission = [0] * horizon  # 0%: the vote account's reward is null
            elif is_op and i == 1:
                commission = [100] * horizon  # 100%: the stake accounts' rewards are null
            elif is_op and i == 2:
                running, mev_bps = False, None  # not running Jito
            elif is_op and i == 3 and sc.n_epochs >= 2:
                at = max(1, sc.n_epochs // 2)
                before, after = 5, 8
                commission = [before if e < at else after for e in range(horizon)]
                self.commission_change = (i, at, before, after)
            # the operator's validators skip at least 2% when the range allows it
            low = min(max(sc.skip_permille_min, 20), sc.skip_permille_max) if is_op else 0
            skip = rng.randrange(max(low, sc.skip_permille_min), sc.skip_permille_max + 1)
            validators.append(
                Validator(
                    index=i,
                    vote_pubkey=vote,
                    identity_pubkey=identity,
                    name=name,
                    is_operator=is_op,
                    commission_pct=tuple(commission),
                    mev_commission_bps=tuple([mev_bps] * horizon),
                    running_jito=tuple([running] * horizon),
                    skip_permille=skip,
                    identity_initial_lamports=rng.randrange(50, 500) * LAMPORTS_PER_SOL,
                    vote_initial_lamports=VOTE_ACCOUNT_RENT_EXEMPT + rng.randrange(0, 10**9),
                )
            )
        self.validators: list[Validator] = validators
        self.operator_validators: list[Validator] = [v for v in validators if v.is_operator]
        self._by_vote = {v.vote_pubkey: v.index for v in validators}
        self._by_identity = {v.identity_pubkey: v.index for v in validators}

    def _build_stake_accounts(self, rng: Random, keygen: _KeyGen) -> None:
        sc = self.scenario
        pool = [keygen() for _ in range(max(1, sc.n_shared_withdrawers))]
        accounts: list[StakeAccount] = []
        by_validator: list[list[int]] = [[] for _ in self.validators]
        late_hi = sc.n_epochs - 1  # activation epochs 1 .. n_epochs - 2
        for v in self.validators:
            for _ in range(sc.stake_accounts_per_validator):
                idx = len(accounts)
                pubkey = keygen()
                exp = rng.randrange(9, 14)  # piecewise log-uniform 1 .. 100k SOL
                delegated = rng.randrange(10**exp, 10 ** (exp + 1))
                activation = 0
                if sc.n_epochs >= 3 and rng.randrange(1000) < sc.late_activation_permille:
                    activation = rng.randrange(1, late_hi)
                if rng.randrange(1000) < sc.shared_withdrawer_permille:
                    withdrawer = pool[rng.randrange(len(pool))]
                else:
                    withdrawer = keygen()
                staker = withdrawer if rng.randrange(3) else keygen()
                accounts.append(
                    StakeAccount(
                        index=idx,
                        pubkey=pubkey,
                        validator_index=v.index,
                        voter=v.vote_pubkey,
                        staker=staker,
                        withdrawer=withdrawer,
                        delegated_stake=delegated,
                        activation_epoch=activation,
                        initial_lamports=delegated
                        + STAKE_RENT_EXEMPT_RESERVE
                        + rng.randrange(0, LAMPORTS_PER_SOL),
                        credits_observed=rng.randrange(1_000_000, 90_000_000),
                    )
                )
                by_validator[v.index].append(idx)
        ops = self.operator_validators
        # Guarantee the demo features among the operator's accounts, deterministically.
        if ops and sc.n_epochs >= 3:
            op_accts = [i for v in ops for i in by_validator[v.index]]
            if not any(accounts[i].activation_epoch > 0 for i in op_accts):
                i = by_validator[ops[-1].index][-1]
                accounts[i] = replace(accounts[i], activation_epoch=max(1, sc.n_epochs // 3))
        if len(ops) >= 2:
            spans = self._withdrawer_spans(accounts)
            if not any(len(vs & {v.index for v in ops}) >= 2 for vs in spans.values()):
                for v in ops[:2]:
                    i = by_validator[v.index][0]
                    accounts[i] = replace(accounts[i], withdrawer=pool[0], staker=pool[0])
        self.stake_accounts: list[StakeAccount] = accounts
        self._accounts_by_validator = by_validator
        # each validator's accounts are one contiguous block of indices
        self._account_range = [(idx[0], idx[-1] + 1) for idx in by_validator]
        self._delegated = [a.delegated_stake for a in accounts]
        self._first_earning = [
            0 if a.activation_epoch == 0 else a.activation_epoch + 1 for a in accounts
        ]
        self._by_stake = {a.pubkey: a.index for a in accounts}

    @staticmethod
    def _withdrawer_spans(accounts: list[StakeAccount]) -> dict[str, set[int]]:
        spans: dict[str, set[int]] = {}
        for a in accounts:
            spans.setdefault(a.withdrawer, set()).add(a.validator_index)
        return spans

    def _build_activated_stake(self) -> None:
        horizon = self.n_epochs + 1
        table: list[list[int]] = []
        for v in self.validators:
            delta = [0] * (horizon + 1)
            for i in self._accounts_by_validator[v.index]:
                a = self.stake_accounts[i]
                first = 0 if a.activation_epoch == 0 else a.activation_epoch + 1
                if first < horizon:
                    delta[first] += a.delegated_stake
            row: list[int] = []
            running = 0
            for e in range(horizon):
                running += delta[e]
                row.append(running)
            table.append(row)
        self._activated = table

    def _find_month_end(self) -> MonthEnd | None:
        """The closed epoch E whose successor's first produced block can land on a month's 1st."""
        spe, secs, g = self.schedule.slots_per_epoch, self.slot_seconds, self.genesis_unix
        start = datetime.fromtimestamp(g, UTC)
        year, month = start.year, start.month
        horizon_unix = g + self.schedule.first_slot(self.n_epochs) * secs
        best: tuple[int, int, int, date] | None = None  # (index, slot, epoch, date)
        while True:
            month += 1
            if month == 13:
                year, month = year + 1, 1
            m_unix = calendar.timegm((year, month, 1, 0, 0, 0))
            if m_unix >= horizon_unix:
                break
            slot = -(-(m_unix - g) // secs)  # first slot whose time is >= the 1st, 00:00
            epoch, index = divmod(slot, spe)
            lands_on_first = g + slot * secs < m_unix + 86_400
            if 1 <= epoch <= self.n_epochs - 1 and index > 0 and lands_on_first:
                cand = (index, slot, epoch, date(year, month, 1))
                if best is None or cand[0] < best[0]:
                    best = cand
        if best is None:
            return None
        index, slot, epoch, day = best
        return MonthEnd(
            epoch=epoch - 1,
            next_epoch=epoch,
            first_produced_slot=slot,
            forced_skipped_slots=tuple(range(slot - index, slot)),
            period_date=day,
        )

    def _build_slots(self, keygen: _KeyGen) -> None:
        sc = self.scenario
        spe = self.schedule.slots_per_epoch
        n_slots = self.last_slot + 1
        rng = Random(f"aurora-sim:{sc.seed}:slots")
        leader = array("i", [0] * n_slots)
        produced = bytearray(n_slots)
        fee = [0] * n_slots
        forced_skip: set[int] = set()
        forced_produce: set[int] = {0}
        if self.month_end is not None:
            forced_skip.update(self.month_end.forced_skipped_slots)
            forced_produce.add(self.month_end.first_produced_slot)
        for epoch in range(self.n_epochs + 1):
            weights = [self._activated[v.index][epoch] for v in self.validators]
            if sum(weights) == 0:
                weights = [1] * len(weights)
            cumulative: list[int] = []
            total = 0
            for w in weights:
                total += w
                cumulative.append(total)
            first = self.schedule.first_slot(epoch)
            for run in range(spe // LEADER_RUN):
                v = bisect.bisect_right(cumulative, rng.randrange(total))
                for k in range(LEADER_RUN):
                    slot = first + run * LEADER_RUN + k
                    leader[slot] = v
                    skip = rng.randrange(1000) < self.validators[v].skip_permille
                    amount = rng.randrange(sc.fee_reward_min, sc.fee_reward_max + 1)
                    if slot in forced_skip:
                        skip = True
                    if slot in forced_produce:
                        skip = False
                    if not skip:
                        produced[slot] = 1
                        fee[slot] = amount
            if not any(produced[first : first + spe]):
                produced[first + spe - 1] = 1
                fee[first + spe - 1] = sc.fee_reward_min
        self._leader = leader
        self._produced = produced
        self._fee = fee
        # heights, hashes, parents, identity balances
        height = array("q", [0] * n_slots)
        parent = array("q", [0] * n_slots)
        blockhash: dict[int, str] = {}
        identity_post = array("q", [0] * n_slots)
        balances = [v.identity_initial_lamports for v in self.validators]
        genesis_hash = keygen()
        self.genesis_hash = genesis_hash
        prev_slot, h = 0, 0
        produced_by_epoch: list[list[int]] = [[] for _ in range(self.n_epochs + 1)]
        for slot in range(n_slots):
            if not produced[slot]:
                continue
            blockhash[slot] = keygen()
            height[slot] = h
            parent[slot] = prev_slot
            h += 1
            prev_slot = slot
            v = leader[slot]
            balances[v] += fee[slot]
            identity_post[slot] = balances[v]
            produced_by_epoch[slot // spe].append(slot)
        self._height = height
        self._parent = parent
        self._blockhash = blockhash
        self._identity_post = identity_post
        self._produced_by_epoch = produced_by_epoch

    def _build_partitions(self) -> None:
        """Blocks of epoch E+1 that pay E's rewards: Voting in the first, Staking in the next M."""
        per = max(1, self.scenario.stake_rewards_per_partition)
        n_parts = max(1, -(-len(self.stake_accounts) // per))
        self._partition_slots: list[list[int]] = []
        self._block_role: dict[int, tuple[int, int]] = {}  # slot -> (reward epoch, partition or -1)
        for epoch in range(self.n_epochs):
            blocks = self._produced_by_epoch[epoch + 1]
            parts = blocks[1 : 1 + n_parts]
            if parts:
                self._block_role[blocks[0]] = (epoch, -1)
                for p, slot in enumerate(parts):
                    self._block_role[slot] = (epoch, p)
            else:  # a single produced block in the epoch pays Voting and every partition
                parts = [blocks[0]]
                self._block_role[blocks[0]] = (epoch, -2)
            self._partition_slots.append(parts)

    def _build_mev(self) -> None:
        sc = self.scenario
        epoch_secs = self.schedule.slots_per_epoch * self.slot_seconds
        mev_ppb = MEV_APY_PPB * epoch_secs // SECONDS_PER_YEAR
        self._inflation_ppb = INFLATION_APY_PPB * epoch_secs // SECONDS_PER_YEAR
        table: list[list[MevRecord]] = []
        perf: list[list[int]] = []
        for v in self.validators:
            rng = Random(f"aurora-sim:{sc.seed}:mev:{v.index}")
            row: list[MevRecord] = []
            prow: list[int] = []
            n_stakers_by_epoch = self._stakers_by_epoch(v.index)
            for e in range(self.n_epochs + 1):
                prow.append(rng.randrange(950, 1001))
                stake = self._activated[v.index][e]
                factor = rng.randrange(600, 1401)
                pf_factor = rng.randrange(100, 400)
                running = v.running_jito[e]
                row.append(
                    MevRecord(
                        epoch=e,
                        running_jito=running,
                        mev_rewards=stake * mev_ppb * factor // 10**12 if running else 0,
                        mev_commission_bps=v.mev_commission_bps[e] if running else None,
                        priority_fee_rewards=(
                            stake * mev_ppb * pf_factor // 10**12 if running else 0
                        ),
                        priority_fee_commission_bps=5000 if running else None,
                        active_stake=stake,
                        num_stakers=n_stakers_by_epoch[e],
                    )
                )
            table.append(row)
            perf.append(prow)
        self._mev = table
        self._perf = perf

    def _stakers_by_epoch(self, validator_index: int) -> list[int]:
        horizon = self.n_epochs + 1
        delta = [0] * (horizon + 1)
        lo, hi = self._account_range[validator_index]
        for first in self._first_earning[lo:hi]:
            delta[min(first, horizon)] += 1
        counts: list[int] = []
        running = 0
        for e in range(horizon):
            running += delta[e]
            counts.append(running)
        return counts

    # ---------------------------------------------------------------- lookups

    @property
    def slots_per_epoch(self) -> int:
        return self.schedule.slots_per_epoch

    @property
    def closed_epochs(self) -> range:
        return range(self.n_epochs)

    @property
    def default_tip_slot(self) -> int:
        """Mid tip epoch, after epoch ``n_epochs - 1``'s rewards period: every epoch is closed."""
        spe = self.schedule.slots_per_epoch
        tip = self.schedule.first_slot(self.n_epochs) + spe // 2
        return min(self.last_slot, max(tip, self.rewards_complete_slot(self.n_epochs - 1)))

    def validator(self, index: int) -> Validator:
        return self.validators[index]

    def validator_by_vote(self, vote_pubkey: str) -> Validator | None:
        i = self._by_vote.get(vote_pubkey)
        return None if i is None else self.validators[i]

    def validator_by_identity(self, identity: str) -> Validator | None:
        i = self._by_identity.get(identity)
        return None if i is None else self.validators[i]

    def stake_account(self, pubkey: str) -> StakeAccount | None:
        i = self._by_stake.get(pubkey)
        return None if i is None else self.stake_accounts[i]

    def accounts_of(self, validator_index: int) -> list[StakeAccount]:
        return [self.stake_accounts[i] for i in self._accounts_by_validator[validator_index]]

    def activated_stake(self, validator_index: int, epoch: int) -> int:
        return self._activated[validator_index][epoch]

    def block_time_of_slot(self, slot: int) -> int:
        return self.genesis_unix + slot * self.slot_seconds

    # slots -----------------------------------------------------------------

    def in_range(self, slot: int) -> bool:
        return 0 <= slot <= self.last_slot

    def is_produced(self, slot: int) -> bool:
        return self.in_range(slot) and bool(self._produced[slot])

    def slot_leader(self, slot: int) -> Validator:
        return self.validators[self._leader[slot]]

    def block_time(self, slot: int) -> int | None:
        return self.block_time_of_slot(slot) if self.is_produced(slot) else None

    def block_height(self, slot: int) -> int:
        return self._height[slot]

    def blockhash(self, slot: int) -> str:
        return self._blockhash[slot]

    def parent_slot(self, slot: int) -> int:
        return self._parent[slot]

    def previous_blockhash(self, slot: int) -> str:
        if slot == 0:
            return self.genesis_hash
        return self._blockhash[self._parent[slot]]

    def fee_reward(self, slot: int) -> int:
        """Lamports of the leader's ``Fee`` reward in ``slot`` (0 for a skipped slot)."""
        return self._fee[slot] if self.is_produced(slot) else 0

    def identity_post_balance(self, slot: int) -> int:
        return self._identity_post[slot]

    def produced_slots(self, epoch: int) -> list[int]:
        return list(self._produced_by_epoch[epoch])

    def first_produced_slot(self, epoch: int) -> int:
        return self._produced_by_epoch[epoch][0]

    def height_at(self, slot: int) -> int:
        """Block height of the newest produced block at or before ``slot``."""
        while slot > 0 and not self._produced[slot]:
            slot -= 1
        return self._height[slot]

    def leader_slots(self, validator_index: int, epoch: int) -> list[int]:
        first = self.schedule.first_slot(epoch)
        spe = self.schedule.slots_per_epoch
        return [s for s in range(first, first + spe) if self._leader[s] == validator_index]

    def leader_schedule(self, epoch: int) -> dict[str, list[int]]:
        """identity -> slot indices relative to the epoch's first slot (as getLeaderSchedule)."""
        first = self.schedule.first_slot(epoch)
        out: dict[str, list[int]] = {}
        for k in range(self.schedule.slots_per_epoch):
            ident = self.validators[self._leader[first + k]].identity_pubkey
            out.setdefault(ident, []).append(k)
        return out

    # rewards -----------------------------------------------------------------

    def partition_slots(self, epoch: int) -> list[int]:
        """Slots (in epoch + 1) of the blocks paying epoch's Staking rewards."""
        return list(self._partition_slots[epoch])

    def rewards_complete_slot(self, epoch: int) -> int:
        """First slot at which epoch's rewards are fully paid (getInflationReward answers)."""
        first = self.schedule.first_slot(epoch + 1)
        last_block = max([*self._partition_slots[epoch], self.first_produced_slot(epoch + 1)])
        return max(first + self.rewards_slots, last_block + 1)

    def block_reward_role(self, slot: int) -> tuple[int, int] | None:
        """(reward epoch, partition) the block pays: -1 Voting only, -2 Voting and all Staking."""
        return self._block_role.get(slot)

    def epoch_boundary_rewards(self, slot: int) -> list[dict[str, Any]]:
        """``Voting``/``Staking`` entries of a block's ``rewards`` (after its ``Fee`` reward)."""
        role = self._block_role.get(slot)
        if role is None:
            return []
        epoch, part = role
        out: list[dict[str, Any]] = []
        if part < 0:
            for v in self.validators:
                r = self.vote_reward(v.index, epoch)
                if r is not None:
                    out.append(_reward_entry(v.vote_pubkey, r, "Voting"))
        if part == -1:
            return out
        rewards = self._epoch_rewards(epoch)
        step = len(self._partition_slots[epoch])
        start = 0 if part < 0 else part
        for i in range(start, len(self.stake_accounts), 1 if part < 0 else step):
            amount = rewards.stake_amount[i]
            if amount:
                a = self.stake_accounts[i]
                out.append(
                    {
                        "pubkey": a.pubkey,
                        "lamports": amount,
                        "postBalance": rewards.stake_post[i],
                        "rewardType": "Staking",
                        "commission": self.validators[a.validator_index].commission_pct[epoch],
                    }
                )
        return out

    def _epoch_rewards(self, epoch: int) -> _EpochRewards:
        if not 0 <= epoch < self.n_epochs:
            raise ValueError(f"epoch {epoch} is not a closed epoch of the network")
        if epoch < len(self._rewards):
            return self._rewards[epoch]
        with self._lock:
            while len(self._rewards) <= epoch:
                self._rewards.append(self._compute_rewards(len(self._rewards)))
            return self._rewards[epoch]

    def _compute_rewards(self, epoch: int) -> _EpochRewards:
        if epoch == 0:
            prev_stake = array("q", (a.initial_lamports for a in self.stake_accounts))
            prev_vote = [v.vote_initial_lamports for v in self.validators]
        else:
            prev = self._rewards[epoch - 1]
            prev_stake, prev_vote = prev.stake_post, prev.vote_post
        amount = array("q", bytes(8 * len(self.stake_accounts)))
        post = array("q", prev_stake)
        vote_amount: list[int] = []
        vote_post: list[int] = []
        scale = 10**12
        for v in self.validators:
            # Same arithmetic as commission_split(), in comprehensions over the validator's
            # contiguous block of accounts (the benchmark has 50,000 accounts per epoch).
            c = min(max(v.commission_pct[epoch], 0), 100)
            rate = self._reward_rate(v.index, epoch)
            lo, hi = self._account_range[v.index]
            ons = [
                d * rate // scale if first <= epoch else 0
                for d, first in zip(self._delegated[lo:hi], self._first_earning[lo:hi], strict=True)
            ]
            voter_sum = sum([on * c // 100 for on in ons])
            keep = 100 - c
            stakers = [on * keep // 100 for on in ons]
            amount[lo:hi] = array("q", stakers)
            post[lo:hi] = array("q", [p + s for p, s in zip(post[lo:hi], stakers, strict=True)])
            vote_amount.append(voter_sum)
            vote_post.append(prev_vote[v.index] + voter_sum)
        return _EpochRewards(amount, post, vote_amount, vote_post)

    def _reward_rate(self, validator_index: int, epoch: int) -> int:
        """Inflation reward per 10**12 lamports of effective stake for the validator in ``epoch``."""
        return self._inflation_ppb * self._perf[validator_index][epoch]

    def inflation_on(self, account_index: int, epoch: int) -> int:
        """Gross inflation reward of a stake account for ``epoch``, before the commission split."""
        a = self.stake_accounts[account_index]
        if not a.earns_in(epoch):
            return 0
        return a.delegated_stake * self._reward_rate(a.validator_index, epoch) // 10**12

    def effective_slot(self, epoch: int) -> int:
        return self.first_produced_slot(epoch + 1)

    def stake_reward(self, account_index: int, epoch: int) -> InflationReward | None:
        r = self._epoch_rewards(epoch)
        amount = r.stake_amount[account_index]
        if not amount:
            return None
        v = self.validators[self.stake_accounts[account_index].validator_index]
        return InflationReward(
            epoch=epoch,
            effective_slot=self.effective_slot(epoch),
            amount=amount,
            post_balance=r.stake_post[account_index],
            commission=v.commission_pct[epoch],
        )

    def vote_reward(self, validator_index: int, epoch: int) -> InflationReward | None:
        r = self._epoch_rewards(epoch)
        amount = r.vote_amount[validator_index]
        if not amount:
            return None
        return InflationReward(
            epoch=epoch,
            effective_slot=self.effective_slot(epoch),
            amount=amount,
            post_balance=r.vote_post[validator_index],
            commission=self.validators[validator_index].commission_pct[epoch],
        )

    def stake_balance(self, account_index: int, epoch: int) -> int:
        """Lamports of the account after the rewards of ``epoch`` (``-1``: before any reward)."""
        if epoch < 0:
            return self.stake_accounts[account_index].initial_lamports
        return self._epoch_rewards(epoch).stake_post[account_index]

    def stake_amounts(self, epoch: int) -> array[int]:
        """Staking reward per account index for ``epoch`` (0 = null). Do not mutate."""
        return self._epoch_rewards(epoch).stake_amount

    def stake_posts(self, epoch: int) -> array[int]:
        return self._epoch_rewards(epoch).stake_post

    # MEV -----------------------------------------------------------------------

    def mev(self, validator_index: int, epoch: int) -> MevRecord:
        return self._mev[validator_index][epoch]

    # votes -----------------------------------------------------------------------

    def votes(self, validator_index: int, epoch: int) -> list[VoteTx]:
        """Transactions referencing the vote account in ``epoch``, oldest first."""
        key = (validator_index, epoch)
        cached = self._votes.get(key)
        if cached is not None:
            return cached
        sc = self.scenario
        rng = Random(f"aurora-sim:{sc.seed}:votes:{validator_index}:{epoch}")
        txs: list[VoteTx] = []
        for slot in self._produced_by_epoch[epoch]:
            r = rng.randrange(1000)
            if r < sc.missed_vote_permille:
                n = 0
            elif r < sc.missed_vote_permille + sc.double_vote_permille:
                n = 2
            else:
                n = 1
            for _ in range(n):
                sig = b58encode(rng.getrandbits(512).to_bytes(64, "big"))
                failed = rng.randrange(1000) < sc.failed_vote_permille
                txs.append(VoteTx(sig, slot, failed))
        self._votes[key] = txs
        return txs

    def signatures_newest_first(self, validator_index: int) -> tuple[list[VoteTx], dict[str, int]]:
        """All vote transactions of a validator, newest first, with signature -> position."""
        cached = self._sig_index.get(validator_index)
        if cached is not None:
            return cached
        txs: list[VoteTx] = []
        for epoch in range(self.n_epochs + 1):
            txs.extend(self.votes(validator_index, epoch))
        txs.reverse()
        result = (txs, {t.signature: i for i, t in enumerate(txs)})
        self._sig_index[validator_index] = result
        return result

    def epoch_credits(self, validator_index: int, epoch: int) -> tuple[int, int]:
        """(credits, previousCredits) after ``epoch``: 16 credits per vote landed."""
        credits = prev = 1_000_000 + validator_index * 7_919
        for e in range(epoch + 1):
            prev = credits
            credits += 16 * len(self._produced_by_epoch[e])
        return credits, prev

    # stake-account snapshot -------------------------------------------------------

    def tip_epoch(self, tip_slot: int) -> int:
        return self.schedule.epoch_of(tip_slot)

    def paid_epoch_at(self, tip_slot: int) -> int:
        """Newest epoch whose rewards are fully paid at ``tip_slot`` (-1: none yet)."""
        epoch = min(self.tip_epoch(tip_slot), self.n_epochs) - 1
        while epoch >= 0 and self.rewards_complete_slot(epoch) > tip_slot:
            epoch -= 1
        return epoch

    def program_accounts(self, tip_slot: int) -> list[StakeAccount]:
        """Stake accounts existing at ``tip_slot`` (created in or before the tip epoch)."""
        tip_epoch = self.tip_epoch(tip_slot)
        return [a for a in self.stake_accounts if a.activation_epoch <= tip_epoch]

    def program_account_json(self, account: StakeAccount, tip_slot: int) -> dict[str, Any]:
        """One element of getProgramAccounts(Stake, jsonParsed) as the RPC serves it."""
        lamports = self.stake_balance(account.index, self.paid_epoch_at(tip_slot))
        return {
            "account": {
                "data": {
                    "parsed": {
                        "info": {
                            "meta": {
                                "authorized": {
                                    "staker": account.staker,
                                    "withdrawer": account.withdrawer,
                                },
                                "lockup": {
                                    "custodian": SYSTEM_PROGRAM_ID,
                                    "epoch": 0,
                                    "unixTimestamp": 0,
                                },
                                "rentExemptReserve": str(account.rent_exempt_reserve),
                            },
                            "stake": {
                                "creditsObserved": account.credits_observed,
                                "delegation": {
                                    "activationEpoch": str(account.activation_epoch),
                                    "deactivationEpoch": str(U64_MAX),
                                    "stake": str(account.delegated_stake),
                                    "voter": account.voter,
                                    "warmupCooldownRate": 0.25,
                                },
                            },
                        },
                        "type": "delegated",
                    },
                    "program": "stake",
                    "space": 200,
                },
                "executable": False,
                "lamports": lamports,
                "owner": STAKE_PROGRAM_ID,
                "rentEpoch": U64_MAX,
                "space": 200,
            },
            "pubkey": account.pubkey,
        }

    # features ---------------------------------------------------------------------

    def features(self) -> dict[str, Any]:
        """Where each feature of the demo scenario lives (validators, epochs, accounts)."""
        ops = self.operator_validators
        out: dict[str, Any] = {}
        out["zero_commission_validators"] = sorted(
            v.vote_pubkey for v in ops if 0 in v.commission_pct[: self.n_epochs]
        )
        out["full_commission_validators"] = sorted(
            v.vote_pubkey for v in ops if 100 in v.commission_pct[: self.n_epochs]
        )
        out["no_jito_validators"] = sorted(
            v.vote_pubkey for v in ops if not all(v.running_jito[: self.n_epochs])
        )
        cc = self.commission_change
        out["commission_change"] = (
            None
            if cc is None
            else {
                "validator": self.validators[cc[0]].vote_pubkey,
                "epoch": cc[1],
                "from_pct": cc[2],
                "to_pct": cc[3],
            }
        )
        me = self.month_end
        out["month_end"] = (
            None
            if me is None
            else {
                "epoch": me.epoch,
                "next_epoch": me.next_epoch,
                "first_produced_slot": me.first_produced_slot,
                "forced_skipped_slots": list(me.forced_skipped_slots),
                "period_date": me.period_date.isoformat(),
            }
        )
        skipped: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for v in ops:
            for e in range(self.n_epochs):
                for s in self.leader_slots(v.index, e):
                    if not self._produced[s]:
                        skipped.append({"validator": v.vote_pubkey, "epoch": e, "slot": s})
                for t in self.votes(v.index, e):
                    if t.failed:
                        failed.append(
                            {
                                "validator": v.vote_pubkey,
                                "epoch": e,
                                "slot": t.slot,
                                "signature": t.signature,
                            }
                        )
        out["skipped_leader_slots"] = skipped
        out["failed_votes"] = failed
        op_set = {v.index for v in ops}
        groups: dict[str, list[StakeAccount]] = {}
        for a in self.stake_accounts:
            if a.validator_index in op_set:
                groups.setdefault(a.withdrawer, []).append(a)
        shared = {
            w: sorted(a.pubkey for a in accts) for w, accts in groups.items() if len(accts) >= 2
        }
        out["shared_withdrawers"] = dict(sorted(shared.items()))
        out["cross_validator_withdrawers"] = sorted(
            w for w, accts in groups.items() if len({a.validator_index for a in accts}) >= 2
        )
        out["late_activations"] = [
            {
                "stake_account": a.pubkey,
                "validator": a.voter,
                "activation_epoch": a.activation_epoch,
            }
            for a in self.stake_accounts
            if a.validator_index in op_set and a.activation_epoch > 0
        ]
        return out


def _reward_entry(pubkey: str, reward: InflationReward, reward_type: str) -> dict[str, Any]:
    return {
        "pubkey": pubkey,
        "lamports": reward.amount,
        "postBalance": reward.post_balance,
        "rewardType": reward_type,
        "commission": reward.commission,
    }
