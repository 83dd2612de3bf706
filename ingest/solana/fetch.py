"""Fetching a chunk of Solana epochs: everything the raw tables need, nothing loaded yet.

:class:`ChunkFetcher` fetches the epochs of one chunk (:class:`EpochPlan` each) concurrently, within
each provider's concurrency and rate limits, into :class:`~ingest.core.rows.RawRows`:

1. closedness first: the vote accounts' inflation rewards (-32017 = the epoch is not closed yet);
2. per closed epoch: the vote-account snapshot, the leader schedule and the blocks of each operator
   identity, the first produced slots of the epoch and the next (period boundaries), the
   stake-account snapshot and the stakers' inflation rewards, and Kobe's MEV;
3. over the chunk: the vote accounts' signatures;
4. the payload of every response (``staging_payloads``).

A Kobe-only plan (``full`` False) fetches Kobe alone. The vote-account and stake-account snapshots
answer the same for every epoch of a run, so they are fetched once per run.
"""

from __future__ import annotations

import contextvars
import json
import operator
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.core.aio import Memo, gather_all
from ingest.core.http import Fetched, ProviderError, ResponseRecord, canonical_json
from ingest.core.progress import ProgressCallback
from ingest.core.rows import RawRows, lineage, payload_row
from ingest.core.seeds import OperatorValidator
from ingest.solana.kobe import JitoKobeClient, KobeValidatorRewards, KobeValidators
from ingest.solana.rpc import (
    Block,
    EpochNotClosed,
    EpochSchedule,
    InflationReward,
    SlotSkipped,
    SolanaRpcClient,
    StakeProgramAccount,
    VoteAccounts,
)
from ingest.solana.schema import TABLES


@dataclass
class EpochPlan:
    """What to fetch for one epoch.

    ``full`` False: only Kobe (MEV re-ingest of an epoch loaded while Kobe had not published it).
    ``vote_snapshot`` / ``stake_snapshot``: the snapshots already loaded for the epoch (reused, not
    re-taken nor re-loaded), or None to take them now.
    """

    epoch: int
    full: bool = True
    vote_snapshot: dict[str, str] | None = None  # vote account -> identity
    stake_snapshot: list[tuple[str, str]] | None = None  # (stake account, vote account)


@dataclass
class ChunkResult:
    rows: RawRows
    closed: list[int]  # full epochs fetched
    mev_only: list[int]
    not_closed: list[int]
    request_counts: dict[int, int]
    started_at: datetime
    finished_at: datetime


_current_epoch: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "aurora_current_epoch", default=None
)


class NotClosedError(Exception):
    def __init__(self, original: EpochNotClosed) -> None:
        self.original = original
        self.epoch = original.epoch
        super().__init__(str(original))


class ChunkFetcher:
    """Fetch all raw rows of a chunk of epochs (see module docstring)."""

    def __init__(
        self,
        *,
        rpc: SolanaRpcClient,
        kobe: JitoKobeClient,
        schedule: Fetched[EpochSchedule],
        validators: Sequence[OperatorValidator],
        run_id: str,
        batch_size: int,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.rpc = rpc
        self.kobe = kobe
        self.schedule_fetched = schedule
        self.schedule = schedule.value
        self.validators = list(validators)
        self.run_id = run_id
        self.batch_size = batch_size
        self.progress = progress
        self.records: list[ResponseRecord] = []
        self.request_counts: dict[int, int] = defaultdict(int)
        self.requests_done = 0
        self.requests_planned = 0
        # Run-level caches: the vote-account and stake-account snapshots answer the same for every
        # epoch of a run (today's state); their payloads go into every load that uses them.
        self._run_memo = Memo()
        self.shared_records: dict[str, ResponseRecord] = {
            schedule.record.request_id: schedule.record
        }
        self.loaded_shared: set[str] = set()  # shared payloads already in a completed load
        self._signature_params: dict[str, str] = {}  # vote account -> its last page's params
        # vote account -> (stake accounts delegated to it, the response) of this run's snapshot
        self._stake_snapshots: dict[str, tuple[int, ResponseRecord]] = {}

    def mark_loaded(self) -> None:
        """The last chunk is loaded: its shared payloads need not be loaded again this run."""
        self.loaded_shared.update(self.shared_records)

    # -- hooks -------------------------------------------------------------------------------
    def on_response(self, record: ResponseRecord) -> None:
        """Registered on both HTTP clients: every accepted response of the chunk."""
        self.records.append(record)
        epoch = _current_epoch.get()
        if epoch is not None:
            self.request_counts[epoch] += 1
        self.requests_done += 1
        if self.progress is not None:
            self.progress(
                "requests", self.requests_done, max(self.requests_done, self.requests_planned)
            )

    def _plan(self, n: int) -> None:
        self.requests_planned += n

    def _lin(self, record: ResponseRecord) -> dict[str, Any]:
        return lineage(record, self.run_id)

    # -- chunk -------------------------------------------------------------------------------
    async def fetch_chunk(
        self,
        plans: Sequence[EpochPlan],
        *,
        include_schedule: bool,
        skip_not_closed: bool,
        epochs_total: int,
        epochs_done_before: int,
    ) -> ChunkResult:
        memo = Memo()
        try:
            return await self._fetch_chunk(
                plans,
                memo,
                include_schedule=include_schedule,
                skip_not_closed=skip_not_closed,
                epochs_total=epochs_total,
                epochs_done_before=epochs_done_before,
            )
        finally:
            await memo.aclose()

    async def aclose(self) -> None:
        """Stop what the run's shared requests still have running (after a failure)."""
        await self._run_memo.aclose()

    async def _fetch_chunk(
        self,
        plans: Sequence[EpochPlan],
        memo: Memo,
        *,
        include_schedule: bool,
        skip_not_closed: bool,
        epochs_total: int,
        epochs_done_before: int,
    ) -> ChunkResult:
        started = datetime.now().astimezone()
        rows = RawRows(TABLES)
        self.request_counts = defaultdict(int)
        if include_schedule:
            s = self.schedule
            rows.add(
                "epoch_schedule",
                {
                    **self._lin(self.schedule_fetched.record),
                    "slots_per_epoch": s.slots_per_epoch,
                    "leader_schedule_slot_offset": s.leader_schedule_slot_offset,
                    "warmup": s.warmup,
                    "first_normal_epoch": s.first_normal_epoch,
                    "first_normal_slot": s.first_normal_slot,
                },
            )
        full = [p for p in plans if p.full]
        mev_only = [p for p in plans if not p.full]

        # 1. closedness: the vote accounts' inflation rewards (-32017 = not closed yet)
        not_closed: list[int] = []
        closed: list[EpochPlan] = []
        vote_rewards: dict[int, list[dict[str, Any]]] = {}

        async def probe(plan: EpochPlan) -> None:
            _current_epoch.set(plan.epoch)
            try:
                vote_rewards[plan.epoch] = await self._inflation_rows(
                    plan.epoch,
                    [(v.validator_id, v.validator_id) for v in self.validators],
                    "vote",
                )
            except NotClosedError:
                if not skip_not_closed:
                    raise
                not_closed.append(plan.epoch)

        try:
            await gather_all(probe(plan) for plan in full)
        except NotClosedError as exc:
            raise exc.original from None
        for plan in full:
            if plan.epoch in vote_rewards:
                closed.append(plan)
                for row in vote_rewards[plan.epoch]:
                    rows.add("inflation_rewards", row)

        done = epochs_done_before

        async def run_epoch(plan: EpochPlan) -> None:
            nonlocal done
            _current_epoch.set(plan.epoch)
            if plan.full:
                await self._fetch_epoch(plan, rows, memo)
            else:
                await self._fetch_kobe(plan.epoch, rows)
            done += 1
            if self.progress is not None:
                self.progress("epochs", done, epochs_total)

        jobs: list[Awaitable[None]] = [run_epoch(plan) for plan in [*closed, *mev_only]]
        if closed:
            jobs.append(self._fetch_signatures([p.epoch for p in closed], rows))
        try:
            await gather_all(jobs)
        except NotClosedError as exc:  # a staker's reward still being paid: the epoch is open
            raise exc.original from None
        if closed:
            self._check_vote_history([p.epoch for p in closed], rows)
            self._check_stake_snapshot(rows)

        records, self.records = self.records, []
        shared = [r for k, r in self.shared_records.items() if k not in self.loaded_shared]
        for record in [*records, *shared]:
            rows.add("staging_payloads", payload_row(record, self.run_id))
        return ChunkResult(
            rows=rows,
            closed=sorted(p.epoch for p in closed),
            mev_only=sorted(p.epoch for p in mev_only),
            not_closed=sorted(not_closed),
            request_counts=dict(self.request_counts),
            started_at=started,
            finished_at=datetime.now().astimezone(),
        )

    # -- one epoch ---------------------------------------------------------------------------
    async def _fetch_epoch(self, plan: EpochPlan, rows: RawRows, memo: Memo) -> None:
        epoch = plan.epoch
        identities = await self._vote_snapshot(plan, rows, memo)
        first_slot = self.schedule.first_slot(epoch)

        async def leader_and_blocks(identity: str) -> None:
            fetched = await self.rpc.get_leader_schedule(first_slot, identity)
            schedule = fetched.value
            if schedule is None:
                raise ProviderError(
                    fetched.record.provider,
                    fetched.record.method,
                    fetched.record.params_json,
                    f"no leader schedule for epoch {epoch} (the node keeps recent epochs only: "
                    "ingest closed epochs promptly)",
                )
            slot_indexes = sorted(set(schedule.get(identity, [])))
            slots = self.schedule.slots_in_epoch(epoch)
            if slot_indexes and slot_indexes[-1] >= slots:
                raise ProviderError(
                    fetched.record.provider,
                    fetched.record.method,
                    fetched.record.params_json,
                    f"result.{identity}: slot index {slot_indexes[-1]} is beyond the {slots} "
                    f"slots of epoch {epoch}",
                )
            for index in slot_indexes:
                rows.add(
                    "leader_schedule",
                    {
                        **self._lin(fetched.record),
                        "epoch": epoch,
                        "identity": identity,
                        "slot_index": index,
                        "slot": first_slot + index,
                    },
                )
            self._plan(len(slot_indexes))
            await gather_all(self._fetch_block(first_slot + i, epoch, rows) for i in slot_indexes)

        jobs: list[Awaitable[None]] = [
            leader_and_blocks(identity) for identity in sorted(set(identities.values()))
        ]
        jobs += [
            self._probe_first_block(epoch, rows, memo),
            self._probe_first_block(epoch + 1, rows, memo),
            self._stake_and_rewards(plan, rows, memo),
            self._fetch_kobe(epoch, rows),
        ]
        await gather_all(jobs)

    async def _vote_snapshot(self, plan: EpochPlan, rows: RawRows, memo: Memo) -> dict[str, str]:
        """vote account -> identity for the epoch: the loaded snapshot, or a new one (recorded)."""
        seeded = {v.validator_id: v.identity_pubkey for v in self.validators}
        if plan.vote_snapshot is not None:
            return {vote: plan.vote_snapshot.get(vote) or ident for vote, ident in seeded.items()}
        fetched: Fetched[VoteAccounts] = await self._run_memo.once(
            "getVoteAccounts", lambda: self.rpc.get_vote_accounts(required=sorted(seeded))
        )
        self.shared_records[fetched.record.request_id] = fetched.record
        found: dict[str, str] = {}
        for delinquent, accounts in (
            (False, fetched.value.current),
            (True, fetched.value.delinquent),
        ):
            for account in accounts:
                if account.vote_pubkey not in seeded or account.vote_pubkey in found:
                    continue
                found[account.vote_pubkey] = account.node_pubkey
                rows.add(
                    "vote_accounts",
                    {
                        **self._lin(fetched.record),
                        "epoch": plan.epoch,
                        "vote_pubkey": account.vote_pubkey,
                        "node_pubkey": account.node_pubkey,
                        "commission": account.commission,
                        "commission_bps": account.commission_bps,
                        "activated_stake": account.activated_stake,
                        "epoch_vote_account": account.epoch_vote_account,
                        "last_vote": account.last_vote,
                        "root_slot": account.root_slot,
                        "is_delinquent": delinquent,
                    },
                )
        return {vote: found.get(vote) or ident for vote, ident in seeded.items()}

    async def _fetch_block(self, slot: int, epoch: int, rows: RawRows) -> None:
        fetched = await self.rpc.get_block(slot)
        value = fetched.value
        lin = self._lin(fetched.record)
        base: dict[str, Any] = {
            **lin,
            "slot": slot,
            "epoch": epoch,
            "block_time": None,
            "block_height": None,
            "blockhash": None,
            "previous_blockhash": None,
            "parent_slot": None,
            "num_reward_partitions": None,
            "error_code": None,
            "error_message": None,
        }
        if isinstance(value, SlotSkipped):
            rows.add(
                "blocks",
                {
                    **base,
                    "status": "skipped",
                    "error_code": value.code,
                    "error_message": value.message,
                },
            )
            return
        block: Block = value
        rows.add(
            "blocks",
            {
                **base,
                "status": "produced",
                "block_time": block.block_time,
                "block_height": block.block_height,
                "blockhash": block.blockhash,
                "previous_blockhash": block.previous_blockhash,
                "parent_slot": block.parent_slot,
                "num_reward_partitions": block.num_reward_partitions,
            },
        )
        for index, reward in enumerate(block.rewards):
            rows.add(
                "block_rewards",
                {
                    **lin,
                    "slot": slot,
                    "reward_index": index,
                    "pubkey": reward.pubkey,
                    "lamports": reward.lamports,
                    "post_balance": reward.post_balance,
                    "reward_type": reward.reward_type,
                    "commission": reward.commission,
                    "commission_bps": reward.commission_bps,
                },
            )

    async def _probe_first_block(self, epoch: int, rows: RawRows, memo: Memo) -> None:
        """getBlockTime from the epoch's first slot until the first produced slot (windows of 4
        slots probed concurrently; every probe recorded). Shared between E (start) and E-1 (end)."""
        await memo.once(("first_block", epoch), lambda: self._probe(epoch, rows))

    async def _probe(self, epoch: int, rows: RawRows) -> None:
        first = self.schedule.first_slot(epoch)
        last = self.schedule.last_slot(epoch)
        window = 4
        slot = first
        while slot <= last:
            slots = list(range(slot, min(slot + window, last + 1)))
            self._plan(len(slots))
            results = await gather_all(self.rpc.get_block_time(s) for s in slots)
            found = False
            for s, fetched in zip(slots, results, strict=True):
                value = fetched.value
                skipped = isinstance(value, SlotSkipped)
                rows.add(
                    "block_times",
                    {
                        **self._lin(fetched.record),
                        "slot": s,
                        "block_time": None if skipped else value,
                        "is_skipped": skipped,
                        "error_code": value.code if isinstance(value, SlotSkipped) else None,
                    },
                )
                found = found or not skipped
            if found:
                return
            slot += window
        raise ProviderError(
            self.rpc.provider_id,
            "getBlockTime",
            json.dumps([first, last]),
            f"no produced slot in epoch {epoch} (slots {first}..{last})",
        )

    async def stake_snapshot_base(self, vote: str) -> list[dict[str, Any]]:
        """The stake accounts delegated to ``vote`` as rows without ``snapshot_epoch`` (one
        getProgramAccounts per vote account and run)."""

        async def fetch() -> list[dict[str, Any]]:
            fetched: Fetched[list[StakeProgramAccount]] = await self.rpc.get_stake_accounts(vote)
            self.shared_records[fetched.record.request_id] = fetched.record
            lin = self._lin(fetched.record)
            out: list[dict[str, Any]] = []
            for account in fetched.value:
                parsed = account.account.data.parsed
                stake = parsed.info.stake
                if stake is None or stake.delegation.voter != vote:
                    continue  # the filter matched bytes, not a delegation to this voter
                meta = parsed.info.meta
                out.append(
                    {
                        **lin,
                        "stake_pubkey": account.pubkey,
                        "vote_account": vote,
                        "account_type": parsed.type,
                        "staker": meta.authorized.staker,
                        "withdrawer": meta.authorized.withdrawer,
                        "delegated_stake": stake.delegation.stake,
                        "activation_epoch": stake.delegation.activation_epoch,
                        "deactivation_epoch": stake.delegation.deactivation_epoch,
                        "lamports": account.account.lamports,
                        "rent_exempt_reserve": meta.rent_exempt_reserve,
                        "credits_observed": stake.credits_observed,
                    }
                )
            out.sort(key=operator.itemgetter("stake_pubkey"))
            self._stake_snapshots[vote] = (len(out), fetched.record)
            return out

        result: list[dict[str, Any]] = await self._run_memo.once(
            ("getProgramAccounts", vote), fetch
        )
        return result

    async def stake_account_count(self) -> int:
        """Stake accounts of the operator today (fetches the snapshots once for the run)."""
        self._plan(len(self.validators))
        bases = await gather_all(self.stake_snapshot_base(v.validator_id) for v in self.validators)
        return sum(len(b) for b in bases)

    async def _stake_and_rewards(self, plan: EpochPlan, rows: RawRows, memo: Memo) -> None:
        epoch = plan.epoch
        if plan.stake_snapshot is not None:
            pairs = sorted(plan.stake_snapshot, key=lambda p: (p[1], p[0]))
        else:
            self._plan(len(self.validators))
            bases = await gather_all(
                self.stake_snapshot_base(v.validator_id) for v in self.validators
            )
            pairs = []
            for base in bases:
                for row in base:
                    rows.add("stake_accounts", {**row, "snapshot_epoch": epoch})
                    pairs.append((row["stake_pubkey"], row["vote_account"]))
            pairs.sort(key=lambda p: (p[1], p[0]))
        for row in await self._inflation_rows(epoch, pairs, "stake"):
            rows.add("inflation_rewards", row)

    async def _inflation_rows(
        self, epoch: int, pairs: Sequence[tuple[str, str]], kind: str
    ) -> list[dict[str, Any]]:
        """getInflationReward for (address, vote account) pairs, ``batch_size`` per call."""
        batches = [pairs[i : i + self.batch_size] for i in range(0, len(pairs), self.batch_size)]
        self._plan(len(batches))

        async def one(batch: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
            try:
                fetched = await self.rpc.get_inflation_reward([a for a, _ in batch], epoch)
            except EpochNotClosed as exc:
                raise NotClosedError(exc) from exc
            out = []
            for (address, vote), reward in zip(batch, fetched.value, strict=True):
                out.append(self._reward_row(fetched.record, epoch, address, vote, kind, reward))
            return out

        results = await gather_all(one(b) for b in batches)
        return [row for batch_rows in results for row in batch_rows]

    def _reward_row(
        self,
        record: ResponseRecord,
        epoch: int,
        address: str,
        vote: str,
        kind: str,
        reward: InflationReward | None,
    ) -> dict[str, Any]:
        return {
            **self._lin(record),
            "epoch": epoch,
            "address": address,
            "address_kind": kind,
            "vote_account": vote,
            "is_null": reward is None,
            "amount": None if reward is None else reward.amount,
            "post_balance": None if reward is None else reward.post_balance,
            "effective_slot": None if reward is None else reward.effective_slot,
            "reward_epoch": None if reward is None else reward.epoch,
            "commission": None if reward is None else reward.commission,
            "commission_bps": None if reward is None else reward.commission_bps,
        }

    async def _fetch_signatures(self, epochs: Sequence[int], rows: RawRows) -> None:
        """Vote-account signatures over the chunk's slot range, paged newest to oldest."""
        wanted = set(epochs)
        low = self.schedule.first_slot(min(epochs))
        high = self.schedule.last_slot(max(epochs))

        async def one(vote: str) -> None:
            before: str | None = None
            seen: set[str] = set()
            while True:
                self._plan(1)
                fetched = await self.rpc.get_signatures_for_address(vote, before=before)
                self._signature_params[vote] = fetched.record.params_json
                page = fetched.value
                repeated = next((i.signature for i in page if i.signature in seen), None)
                if repeated is not None:  # a provider that pages in circles: never loop forever
                    raise ProviderError(
                        fetched.record.provider,
                        fetched.record.method,
                        fetched.record.params_json,
                        f"result: signature {repeated} was already on an earlier page",
                    )
                seen.update(i.signature for i in page)
                for info in page:
                    if not low <= info.slot <= high:
                        continue
                    epoch = self.schedule.epoch_of(info.slot)
                    if epoch not in wanted:
                        continue
                    rows.add(
                        "vote_signatures",
                        {
                            **self._lin(fetched.record),
                            "vote_account": vote,
                            "signature": info.signature,
                            "slot": info.slot,
                            "block_time": info.block_time,
                            "is_failed": info.err is not None,
                            "err": None if info.err is None else canonical_json(info.err),
                            "confirmation_status": info.confirmation_status,
                            "epoch": epoch,
                        },
                    )
                if not page or page[-1].slot < low:
                    return
                before = page[-1].signature

        await gather_all(one(v.validator_id) for v in self.validators)

    def _check_vote_history(self, epochs: Sequence[int], rows: RawRows) -> None:
        """Each operator vote account that earned rewards for an epoch (a non-null Voting reward,
        or a non-null Staking reward of a stake account delegated to it: both need vote credits
        earned in the epoch) has at least one transaction in that epoch. None means the provider's
        signature history is incomplete (a page answered empty or short, a node that does not
        keep the history): vote fees would silently shrink. An account that earned nothing (a
        delinquent validator) may legitimately have no transaction."""
        earned: set[tuple[str, int]] = set()
        for row in rows.rows.get("inflation_rewards", []):
            if not row["is_null"] and row["amount"]:
                earned.add((row["vote_account"], row["epoch"]))
        voted = {(r["vote_account"], r["epoch"]) for r in rows.rows.get("vote_signatures", [])}
        for vote in sorted(v.validator_id for v in self.validators):
            for epoch in sorted(epochs):
                if (vote, epoch) in earned and (vote, epoch) not in voted:
                    first, last = self.schedule.first_slot(epoch), self.schedule.last_slot(epoch)
                    raise ProviderError(
                        self.rpc.provider_id,
                        "getSignaturesForAddress",
                        self._signature_params.get(vote, "[]"),
                        f"result: no transaction of vote account {vote} in epoch {epoch} (slots "
                        f"{first}..{last}), although it earned rewards for that epoch: the "
                        "signature history is incomplete (an empty or short page)",
                    )

    def _check_stake_snapshot(self, rows: RawRows) -> None:
        """A vote account that getVoteAccounts reports with activated stake has at least one stake
        account delegated to it in this run's getProgramAccounts snapshot: an empty answer would
        silently drop every staker (and every partner line). A vote account without activated
        stake may legitimately have none."""
        for row in rows.rows.get("vote_accounts", []):
            vote = row["vote_pubkey"]
            taken = self._stake_snapshots.get(vote)
            if row["activated_stake"] and taken is not None and taken[0] == 0:
                raise ProviderError(
                    taken[1].provider,
                    taken[1].method,
                    taken[1].params_json,
                    f"result: no stake account delegated to vote account {vote}, although "
                    f"getVoteAccounts reports {row['activated_stake']} lamports of activated stake",
                )

    async def _fetch_kobe(self, epoch: int, rows: RawRows) -> None:
        operator = {v.validator_id for v in self.validators}
        self._plan(1 + len(self.validators))
        fetched: Fetched[KobeValidators] = await self.kobe.validators(epoch)
        lin = self._lin(fetched.record)
        rows.add(
            "kobe_epochs",
            {
                **lin,
                "epoch": epoch,
                "is_published": fetched.value.is_published,
                "validator_count": len(fetched.value.validators),
            },
        )
        for item in fetched.value.validators:
            if item.vote_account not in operator:
                continue
            rows.add(
                "kobe_validators",
                {
                    **lin,
                    "epoch": epoch,
                    "vote_account": item.vote_account,
                    "identity_account": item.identity_account,
                    "mev_commission_bps": item.mev_commission_bps,
                    "mev_rewards": item.mev_rewards,
                    "priority_fee_commission_bps": item.priority_fee_commission_bps,
                    "priority_fee_rewards": item.priority_fee_rewards,
                    "running_jito": item.running_jito,
                    "running_bam": item.running_bam,
                    "active_stake": item.active_stake,
                },
            )

        async def rewards(vote: str) -> None:
            # the client checks each reward is of this vote account and epoch
            got: Fetched[KobeValidatorRewards] = await self.kobe.validator_rewards(vote, epoch)
            for item in got.value.rewards:
                rows.add(
                    "kobe_validator_rewards",
                    {
                        **self._lin(got.record),
                        "epoch": epoch,
                        "vote_account": vote,
                        "mev_revenue": item.mev_revenue,
                        "mev_commission": item.mev_commission,
                        "priority_fee_revenue": item.priority_fee_revenue,
                        "priority_fee_commission": item.priority_fee_commission,
                        "num_stakers": item.num_stakers,
                        "claim_status_account": item.claim_status_account,
                    },
                )

        await gather_all(rewards(vote) for vote in sorted(operator))
