"""Fetching one closed UTC day of Ethereum: everything the raw tables need, nothing loaded yet.

:class:`DayFetcher` fetches what the methodology's Ethereum plan asks for, and nothing else:

1. per epoch of the day: the operator's attestation rewards (one POST per batch of indices) and
   the proposer duties, of which it keeps the operator's;
2. per operator proposal slot: the block (404: a missed proposal, recorded with the 404 answer as
   its payload), and for a block its consensus rewards, the execution block with its transactions
   and its receipts (checked against the beacon payload), and every configured relay's deliveries
   for the slot (missed slots too: a relay claim without a block is a discrepancy);
3. per sync-committee period the day touches: the committee, read at a state inside the period;
   where an operator validator is a member, the rewards of every slot of the day in that period
   (a slot without a block pays none: recorded in ``sync_committee_slots``);
4. the validators' state at the first slot of the day's last epoch;
5. the payload of every response (``staging_payloads``).

Requests run concurrently within each provider's concurrency and rate limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingest.core.aio import gather_all
from ingest.core.http import ResponseRecord, canonical_json, request_id_for
from ingest.core.rows import RawRows, lineage, payload_row
from ingest.ethereum import beacon as routes
from ingest.ethereum.beacon import BeaconClient
from ingest.ethereum.errors import EthereumPayloadError, NoBlock
from ingest.ethereum.execution import ExecutionClient
from ingest.ethereum.payloads import (
    ChainSpec,
    ExecutionBlockFull,
    ProposerDuty,
)
from ingest.ethereum.relay import RelayClient
from ingest.ethereum.schema import TABLES
from ingest.ethereum.timing import BeaconTiming


@dataclass
class DayResult:
    day: date
    rows: RawRows
    first_epoch: int
    last_epoch: int
    request_count: int
    started_at: datetime
    finished_at: datetime


class DayFetcher:
    """Fetch all raw rows of closed days, one day at a time (see module docstring)."""

    def __init__(
        self,
        *,
        beacon: BeaconClient,
        execution: ExecutionClient,
        relays: Mapping[str, RelayClient],
        timing: BeaconTiming,
        spec: ChainSpec,
        validators: Sequence[int],
        run_id: str,
        batch_size: int,
    ) -> None:
        self.beacon = beacon
        self.execution = execution
        self.relays = dict(relays)
        self.timing = timing
        self.spec = spec
        self.validators = sorted(set(validators))
        self.operators = set(self.validators)
        self.run_id = run_id
        self.batch_size = batch_size
        self.records: list[ResponseRecord] = []

    def on_response(self, record: ResponseRecord) -> None:
        """Registered on every HTTP client of the run: each accepted response."""
        self.records.append(record)

    def _lin(self, record: ResponseRecord) -> dict[str, Any]:
        return lineage(record, self.run_id)

    def _no_block(self, answer: NoBlock, route: str, params: dict[str, Any]) -> dict[str, Any]:
        """The lineage of a row recorded from an HTTP 404: the 404 answer (its body is in
        ``staging_payloads``), or the request alone when no answer is at hand."""
        if answer.record is not None:
            return self._lin(answer.record)
        provider = self.beacon.provider_id
        params_json = canonical_json(params)
        return {
            "provider": provider,
            "method": route,
            "request_id": request_id_for(provider, route, params_json),
            "response_sha256": None,
            "ingestion_run_id": self.run_id,
        }

    async def fetch_day(self, day: date) -> DayResult:
        started = datetime.now().astimezone()
        first_record = len(self.records)
        rows = RawRows(TABLES)
        epochs = self.timing.day_epochs(day)
        if not epochs:
            raise ValueError(f"{day} holds no epoch of this chain")
        await gather_all(self._epoch(rows, epoch) for epoch in epochs)
        await self._sync_committees(rows, epochs)
        await self._validators(rows, day)
        for record in self.records[first_record:]:
            rows.add("staging_payloads", payload_row(record, self.run_id))
        return DayResult(
            day=day,
            rows=rows,
            first_epoch=epochs[0],
            last_epoch=epochs[-1],
            request_count=len(self.records) - first_record,
            started_at=started,
            finished_at=datetime.now().astimezone(),
        )

    # -- epochs ------------------------------------------------------------------------------
    async def _epoch(self, rows: RawRows, epoch: int) -> None:
        batches = await self.beacon.attestation_rewards_batched(
            epoch, self.validators, self.batch_size
        )
        for fetched in batches:
            answer = fetched.value
            for r in answer.data.total_rewards:
                rows.add(
                    "attestation_rewards",
                    {
                        **self._lin(fetched.record),
                        "epoch": epoch,
                        "validator_index": r.validator_index,
                        "head": r.head,
                        "target": r.target,
                        "source": r.source,
                        "inclusion_delay": r.inclusion_delay,
                        "inactivity": r.inactivity,
                        "is_finalized": answer.finalized,
                        "is_execution_optimistic": answer.execution_optimistic,
                    },
                )
        duties = await self.beacon.proposer_duties(epoch)
        mine = [d for d in duties.value.data if d.validator_index in self.operators]
        for duty in mine:
            rows.add(
                "proposer_duties",
                {
                    **self._lin(duties.record),
                    "epoch": epoch,
                    "slot": duty.slot,
                    "validator_index": duty.validator_index,
                    "pubkey": duty.pubkey,
                    "dependent_root": duties.value.dependent_root,
                },
            )
        await gather_all(self._proposal(rows, epoch, duty) for duty in mine)

    async def _proposal(self, rows: RawRows, epoch: int, duty: ProposerDuty) -> None:
        slot, proposer = duty.slot, duty.validator_index
        await gather_all(
            self._relay(rows, name, client, slot) for name, client in self.relays.items()
        )
        block = await self.beacon.block(slot, expected_proposer=proposer)
        if isinstance(block, NoBlock):
            rows.add(
                "blocks",
                {
                    **self._no_block(block, routes.BLOCK, {"block_id": slot}),
                    **_empty_block(epoch, slot, proposer),
                    "status": "missed",
                    "error_message": block.message,
                },
            )
            return
        answer = block.value
        payload = answer.data.message.body.execution_payload
        rows.add(
            "blocks",
            {
                **self._lin(block.record),
                "epoch": epoch,
                "slot": slot,
                "proposer_index": proposer,
                "status": "proposed",
                "error_message": None,
                "consensus_version": answer.version,
                "parent_root": answer.data.message.parent_root,
                "state_root": answer.data.message.state_root,
                "execution_block_number": payload.block_number,
                "execution_block_hash": payload.block_hash,
                "fee_recipient": payload.fee_recipient,
                "base_fee_per_gas": payload.base_fee_per_gas,
                "gas_used": payload.gas_used,
                "gas_limit": payload.gas_limit,
                "execution_timestamp": payload.timestamp,
                "transaction_count": len(payload.transactions),
                "is_finalized": answer.finalized,
            },
        )
        rewards = await self.beacon.block_rewards(slot, expected_proposer=proposer)
        if isinstance(rewards, NoBlock):
            raise EthereumPayloadError(
                self.beacon.provider_id,
                routes.BLOCK_REWARDS,
                canonical_json({"block_id": slot}),
                "(status)",
                f"HTTP 404 ({rewards.message}), but slot {slot} has a block",
            )
        r = rewards.value.data
        rows.add(
            "block_rewards",
            {
                **self._lin(rewards.record),
                "slot": slot,
                "proposer_index": r.proposer_index,
                "total": r.total,
                "attestations": r.attestations,
                "sync_aggregate": r.sync_aggregate,
                "proposer_slashings": r.proposer_slashings,
                "attester_slashings": r.attester_slashings,
                "is_finalized": rewards.value.finalized,
            },
        )
        el = await self.execution.get_block_by_number(
            payload.block_number, full=True, expected=payload
        )
        block_el = el.value
        assert isinstance(block_el, ExecutionBlockFull)
        receipts = await self.execution.get_block_receipts(payload.block_number, block=block_el)
        rows.add(
            "execution_blocks",
            {
                **self._lin(el.record),
                "slot": slot,
                "block_number": block_el.number,
                "block_hash": block_el.hash,
                "parent_hash": block_el.parent_hash,
                "miner": block_el.miner,
                "base_fee_per_gas": block_el.base_fee_per_gas,
                "gas_used": block_el.gas_used,
                "gas_limit": block_el.gas_limit,
                "timestamp": block_el.timestamp,
                "blob_gas_used": block_el.blob_gas_used,
                "transaction_count": len(block_el.transactions),
            },
        )
        last = len(block_el.transactions) - 1
        for position, tx in enumerate(block_el.transactions):
            rows.add(
                "execution_transactions",
                {
                    **self._lin(el.record),
                    "block_number": block_el.number,
                    "transaction_index": tx.transaction_index,
                    "transaction_hash": tx.hash,
                    "from_address": tx.from_,
                    "to_address": tx.to,
                    "value": tx.value,
                    "type": tx.type,
                    "gas": tx.gas,
                    "gas_price": tx.gas_price,
                    "max_fee_per_gas": tx.max_fee_per_gas,
                    "max_priority_fee_per_gas": tx.max_priority_fee_per_gas,
                    "is_last": position == last,
                },
            )
        for receipt in receipts.value:
            rows.add(
                "execution_receipts",
                {
                    **self._lin(receipts.record),
                    "block_number": receipt.block_number,
                    "transaction_index": receipt.transaction_index,
                    "transaction_hash": receipt.transaction_hash,
                    "block_hash": receipt.block_hash,
                    "from_address": receipt.from_,
                    "to_address": receipt.to,
                    "status": receipt.status,
                    "gas_used": receipt.gas_used,
                    "cumulative_gas_used": receipt.cumulative_gas_used,
                    "effective_gas_price": receipt.effective_gas_price,
                    "type": receipt.type,
                    "blob_gas_used": receipt.blob_gas_used,
                    "blob_gas_price": receipt.blob_gas_price,
                    "contract_address": receipt.contract_address,
                },
            )

    async def _relay(self, rows: RawRows, name: str, client: RelayClient, slot: int) -> None:
        fetched = await client.proposer_payload_delivered(slot)
        rows.add(
            "relay_queries",
            {**self._lin(fetched.record), "slot": slot, "delivered_count": len(fetched.value)},
        )
        for trace in fetched.value:
            rows.add(
                "relay_deliveries",
                {
                    **self._lin(fetched.record),
                    "slot": trace.slot,
                    "block_hash": trace.block_hash,
                    "block_number": trace.block_number,
                    "parent_hash": trace.parent_hash,
                    "builder_pubkey": trace.builder_pubkey,
                    "proposer_pubkey": trace.proposer_pubkey,
                    "proposer_fee_recipient": trace.proposer_fee_recipient,
                    "gas_limit": trace.gas_limit,
                    "gas_used": trace.gas_used,
                    "value": trace.value,
                    "num_tx": trace.num_tx,
                },
            )

    # -- sync committees ---------------------------------------------------------------------
    async def _sync_committees(self, rows: RawRows, epochs: range) -> None:
        timing = self.timing
        by_period: dict[int, list[int]] = {}
        for epoch in epochs:
            by_period.setdefault(timing.sync_period(epoch), []).append(epoch)
        for period, period_epochs in sorted(by_period.items()):
            first = period_epochs[0]
            state = timing.first_slot(first)  # a state inside the period
            committee = await self.beacon.sync_committee(
                state, first, expected_size=self.spec.sync_committee_size
            )
            members = [
                (position, index)
                for position, index in enumerate(committee.value.data.validators)
                if index in self.operators
            ]
            for position, index in members:
                rows.add(
                    "sync_committee_members",
                    {
                        **self._lin(committee.record),
                        "sync_period": period,
                        "epoch": first,
                        "state_id": str(state),
                        "position": position,
                        "validator_index": index,
                    },
                )
            if not members:
                continue
            indices = sorted({index for _, index in members})
            slots = [slot for epoch in period_epochs for slot in timing.slots(epoch)]
            await gather_all(self._sync_slot(rows, slot, indices) for slot in slots)

    async def _sync_slot(self, rows: RawRows, slot: int, indices: list[int]) -> None:
        epoch = self.timing.epoch_of_slot(slot)
        answer = await self.beacon.sync_committee_rewards(slot, indices)
        if isinstance(answer, NoBlock):
            params = {"block_id": slot, "indices": indices}
            rows.add(
                "sync_committee_slots",
                {
                    **self._no_block(answer, routes.SYNC_COMMITTEE_REWARDS, params),
                    "epoch": epoch,
                    "slot": slot,
                    "has_block": False,
                    "member_count": len(indices),
                },
            )
            return
        rows.add(
            "sync_committee_slots",
            {
                **self._lin(answer.record),
                "epoch": epoch,
                "slot": slot,
                "has_block": True,
                "member_count": len(indices),
            },
        )
        for r in answer.value.data:
            rows.add(
                "sync_committee_rewards",
                {
                    **self._lin(answer.record),
                    "epoch": epoch,
                    "slot": slot,
                    "validator_index": r.validator_index,
                    "reward": r.reward,
                    "is_finalized": answer.value.finalized,
                },
            )

    # -- state -------------------------------------------------------------------------------
    async def _validators(self, rows: RawRows, day: date) -> None:
        state_slot = self.timing.state_slot(day)
        for fetched in await self.beacon.validators(state_slot, self.validators, self.batch_size):
            for entry in fetched.value.data:
                v = entry.validator
                rows.add(
                    "validators",
                    {
                        **self._lin(fetched.record),
                        "period_id": day.isoformat(),
                        "state_slot": state_slot,
                        "validator_index": entry.index,
                        "pubkey": v.pubkey,
                        "status": entry.status,
                        "balance": entry.balance,
                        "effective_balance": v.effective_balance,
                        "slashed": v.slashed,
                        "withdrawal_credentials": v.withdrawal_credentials,
                        "activation_eligibility_epoch": v.activation_eligibility_epoch,
                        "activation_epoch": v.activation_epoch,
                        "exit_epoch": v.exit_epoch,
                        "withdrawable_epoch": v.withdrawable_epoch,
                    },
                )


def _empty_block(epoch: int, slot: int, proposer: int) -> dict[str, Any]:
    return {
        "epoch": epoch,
        "slot": slot,
        "proposer_index": proposer,
        "consensus_version": None,
        "parent_root": None,
        "state_root": None,
        "execution_block_number": None,
        "execution_block_hash": None,
        "fee_recipient": None,
        "base_fee_per_gas": None,
        "gas_used": None,
        "gas_limit": None,
        "execution_timestamp": None,
        "transaction_count": None,
        "is_finalized": None,
    }
