"""Beacon node REST API client: the endpoints Ethereum P&L needs (methodology §8), no others.

Every answer is parsed into the models of :mod:`ingest.ethereum.payloads` and checked against
what its request implies: the epoch or slot asked for, the validator indices sent, required fields
present and non-null. A violation raises :class:`EthereumPayloadError` naming the provider, the
endpoint (the route template, e.g. ``/eth/v1/beacon/rewards/attestations/{epoch}``), the params
and the field; it is not retried.

404 answers:
- a block of a slot (``/eth/v2/beacon/blocks/{slot}``): the slot has no block, a missed proposal:
  a :class:`NoBlock` *result*, carrying the 404 answer (an answer like any other: archived, and the
  payload of the row that records the slot);
- block or sync-committee rewards of a slot: :class:`NoBlock` when the node says the block is not
  found, :class:`RewardsNotAvailable` when it says the data is not available (pruned state);
- attestation rewards of an epoch: :class:`RewardsNotAvailable` naming the epoch and suggesting an
  archive node.
A 404 for a slot whose body is not the API's error JSON (an HTML page: a proxy, a wrong URL; a body
damaged in transit) proves nothing about the slot: it is retried, then fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ingest.core.http import (
    Fetched,
    HttpMethod,
    ProviderError,
    ProviderHttpClient,
    ResponseRecord,
    RetryableResponse,
)
from ingest.ethereum.errors import (
    EthereumPayloadError,
    NoBlock,
    RewardsNotAvailable,
    Violation,
    error_body_message,
    not_found_message,
    payload_error,
)
from ingest.ethereum.payloads import (
    AttestationRewardsResponse,
    BlockResponse,
    BlockRewardsResponse,
    ChainSpecResponse,
    FinalityCheckpointsResponse,
    GenesisResponse,
    ProposerDutiesResponse,
    SyncCommitteeResponse,
    SyncCommitteeRewardsResponse,
    ValidatorsResponse,
)

M = TypeVar("M", bound=BaseModel)

PROVIDER_KIND = "beacon_api"  # providers.yaml `kind` of the providers this client speaks to
GENESIS = "/eth/v1/beacon/genesis"
SPEC = "/eth/v1/config/spec"
FINALITY_CHECKPOINTS = "/eth/v1/beacon/states/{state_id}/finality_checkpoints"
PROPOSER_DUTIES = "/eth/v1/validator/duties/proposer/{epoch}"
ATTESTATION_REWARDS = "/eth/v1/beacon/rewards/attestations/{epoch}"
BLOCK_REWARDS = "/eth/v1/beacon/rewards/blocks/{block_id}"
SYNC_COMMITTEE_REWARDS = "/eth/v1/beacon/rewards/sync_committee/{block_id}"
SYNC_COMMITTEES = "/eth/v1/beacon/states/{state_id}/sync_committees"
VALIDATORS = "/eth/v1/beacon/states/{state_id}/validators"
BLOCK = "/eth/v2/beacon/blocks/{block_id}"

ROUTES = (
    GENESIS,
    SPEC,
    FINALITY_CHECKPOINTS,
    PROPOSER_DUTIES,
    ATTESTATION_REWARDS,
    BLOCK_REWARDS,
    SYNC_COMMITTEE_REWARDS,
    SYNC_COMMITTEES,
    VALIDATORS,
    BLOCK,
)

# The beacon-APIs spec caps the `id` filter of a GET at 64 values (414 beyond).
MAX_IDS_PER_GET = 64
NOT_FOUND = frozenset({404})
STATE_NAMES = frozenset({"head", "genesis", "finalized", "justified"})
_ROOT = re.compile(r"0x[0-9a-fA-F]{64}")
_NOT_AVAILABLE = re.compile(r"not available|pruned|historical|archive|state", re.IGNORECASE)


def state_id_text(state_id: int | str) -> str:
    """A state id for a path: a slot, ``head``/``genesis``/``finalized``/``justified`` or a root."""
    if isinstance(state_id, bool):
        raise ValueError("a state id is not a boolean")
    if isinstance(state_id, int):
        if state_id < 0:
            raise ValueError(f"slot {state_id} is negative")
        return str(state_id)
    if state_id in STATE_NAMES or _ROOT.fullmatch(state_id) or state_id.isdigit():
        return state_id.lower()
    raise ValueError(f"{state_id!r} is not a state id")


def _sorted_indices(indices: Iterable[int]) -> list[int]:
    out = sorted(set(indices))
    if not out:
        raise ValueError("at least one validator index is needed (an empty body means all)")
    if out[0] < 0:
        raise ValueError(f"validator index {out[0]} is negative")
    return out


def batches(items: Sequence[int], size: int) -> list[list[int]]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def check_indices(
    returned: Sequence[int], sent: Iterable[int], field: str, *, require_all: bool = False
) -> None:
    """Every returned index was sent, none twice (and, with ``require_all``, none missing)."""
    allowed = set(sent)
    seen: set[int] = set()
    for position, index in enumerate(returned):
        if index not in allowed:
            raise Violation(f"{field}[{position}].validator_index", f"{index} was not requested")
        if index in seen:
            raise Violation(f"{field}[{position}].validator_index", f"{index} is listed twice")
        seen.add(index)
    if require_all and seen != allowed:
        missing = sorted(allowed - seen)
        raise Violation(field, f"no entry for requested validator(s) {missing[:10]}")


class BeaconClient:
    """Typed beacon API calls over a :class:`ProviderHttpClient`.

    ``slots_per_epoch`` (from :meth:`spec`, which sets it) lets errors about a slot name its epoch
    and lets :meth:`proposer_duties` check that every slot of the epoch has a duty.
    """

    def __init__(self, http: ProviderHttpClient, *, slots_per_epoch: int | None = None) -> None:
        self.http = http
        self.provider_id = http.provider_id
        self.slots_per_epoch = slots_per_epoch
        self.batch_size = http.config.batch_size

    # ------------------------------------------------------------------------- plumbing
    def _interpret(
        self, route: str, model: type[M], check: Callable[[M], None] | None
    ) -> Callable[[Any, ResponseRecord], M]:
        provider = self.provider_id

        def interpret(body: Any, record: ResponseRecord) -> M:
            try:
                value = model.model_validate(body)
            except ValidationError as exc:
                raise payload_error(provider, route, record.params_json, exc) from None
            if check is not None:
                try:
                    check(value)
                except Violation as violation:
                    raise EthereumPayloadError(
                        provider, route, record.params_json, violation.field, violation.detail
                    ) from None
            return value

        return interpret

    async def _fetch(
        self,
        route: str,
        params: dict[str, Any],
        model: type[M],
        *,
        path: str,
        http_method: HttpMethod = "GET",
        query: dict[str, str] | None = None,
        json_body: Any = None,
        check: Callable[[M], None] | None = None,
    ) -> Fetched[M]:
        return await self.http.request(
            method=route,
            params=params,
            http_method=http_method,
            path=path,
            query=query,
            json_body=json_body,
            interpret=self._interpret(route, model, check),
        )

    async def _fetch_slot(
        self,
        route: str,
        slot: int,
        params: dict[str, Any],
        model: type[M],
        *,
        path: str,
        http_method: HttpMethod = "GET",
        json_body: Any = None,
        check: Callable[[M], None] | None = None,
        rewards: bool = True,
    ) -> Fetched[M] | NoBlock:
        """A per-slot request whose HTTP 404 is an answer: :class:`NoBlock` (the slot has no
        block), or, for a rewards endpoint (``rewards``) whose node says the data is not
        available, :class:`RewardsNotAvailable`."""
        answer = self._interpret(route, model, check)

        def interpret(body: Any, record: ResponseRecord) -> M | NoBlock:
            if record.http_status != 404:
                return answer(body, record)
            message = error_body_message(body)
            if message is None:
                raise RetryableResponse(
                    f"HTTP 404 for slot {slot} without the beacon API's error body "
                    "(is the URL a beacon node's?)"
                )
            if rewards and _NOT_AVAILABLE.search(message):
                raise RewardsNotAvailable(
                    self.provider_id,
                    route,
                    record.params_json,
                    epoch=self._epoch_of(slot),
                    slot=slot,
                    message=message,
                )
            return NoBlock(slot, message, record)

        fetched = await self.http.request(
            method=route,
            params=params,
            http_method=http_method,
            path=path,
            json_body=json_body,
            interpret=interpret,
            answers=NOT_FOUND,
        )
        if isinstance(fetched.value, NoBlock):
            return fetched.value
        return Fetched(fetched.value, fetched.record)

    def _epoch_of(self, slot: int) -> int | None:
        return None if self.slots_per_epoch is None else slot // self.slots_per_epoch

    # ------------------------------------------------------------------------- chain facts
    async def genesis(self) -> Fetched[GenesisResponse]:
        return await self._fetch(GENESIS, {}, GenesisResponse, path=GENESIS)

    async def spec(self) -> Fetched[ChainSpecResponse]:
        fetched = await self._fetch(SPEC, {}, ChainSpecResponse, path=SPEC)
        self.slots_per_epoch = fetched.value.data.slots_per_epoch
        return fetched

    async def finality_checkpoints(
        self, state_id: int | str = "head"
    ) -> Fetched[FinalityCheckpointsResponse]:
        state = state_id_text(state_id)
        return await self._fetch(
            FINALITY_CHECKPOINTS,
            {"state_id": state},
            FinalityCheckpointsResponse,
            path=FINALITY_CHECKPOINTS.format(state_id=state),
        )

    async def proposer_duties(self, epoch: int) -> Fetched[ProposerDutiesResponse]:
        """The proposer of every slot of ``epoch`` (each slot once; slot 0 has none)."""
        spe = self.slots_per_epoch

        def check(value: ProposerDutiesResponse) -> None:
            seen: set[int] = set()
            for position, duty in enumerate(value.data):
                field = f"data[{position}].slot"
                if spe is not None and duty.slot // spe != epoch:
                    raise Violation(field, f"slot {duty.slot} is not in epoch {epoch}")
                if duty.slot in seen:
                    raise Violation(field, f"slot {duty.slot} has two duties")
                seen.add(duty.slot)
            if spe is not None:
                expected = {s for s in range(epoch * spe, (epoch + 1) * spe) if s != 0}
                missing = sorted(expected - seen)
                if missing:
                    raise Violation("data", f"no proposer duty for slot(s) {missing}")

        return await self._fetch(
            PROPOSER_DUTIES,
            {"epoch": epoch},
            ProposerDutiesResponse,
            path=PROPOSER_DUTIES.format(epoch=epoch),
            check=check,
        )

    # ------------------------------------------------------------------------- rewards
    async def attestation_rewards(
        self, epoch: int, indices: Iterable[int]
    ) -> Fetched[AttestationRewardsResponse]:
        """One POST with ``indices`` as the body (see :meth:`attestation_rewards_batched`).

        Every returned entry is one of the indices sent, once. A sent index may be absent: a
        validator not eligible in the epoch (not yet active, or withdrawable) has no duty.
        """
        sent = _sorted_indices(indices)
        body = [str(i) for i in sent]
        params = {"epoch": epoch, "indices": sent}

        def check(value: AttestationRewardsResponse) -> None:
            check_indices(
                [r.validator_index for r in value.data.total_rewards],
                sent,
                "data.total_rewards",
            )

        try:
            return await self._fetch(
                ATTESTATION_REWARDS,
                params,
                AttestationRewardsResponse,
                path=ATTESTATION_REWARDS.format(epoch=epoch),
                http_method="POST",
                json_body=body,
                check=check,
            )
        except ProviderError as exc:
            if exc.http_status == 404 and not isinstance(exc, EthereumPayloadError):
                raise RewardsNotAvailable(
                    self.provider_id,
                    ATTESTATION_REWARDS,
                    exc.params_json,
                    epoch=epoch,
                    message=not_found_message(exc),
                ) from None
            raise

    async def attestation_rewards_batched(
        self, epoch: int, indices: Iterable[int], batch_size: int | None = None
    ) -> list[Fetched[AttestationRewardsResponse]]:
        """:meth:`attestation_rewards` in batches of ``batch_size`` (the provider's by default)."""
        sent = _sorted_indices(indices)
        out = []
        for batch in batches(sent, batch_size or self.batch_size):
            out.append(await self.attestation_rewards(epoch, batch))
        return out

    async def block_rewards(
        self, slot: int, *, expected_proposer: int | None = None
    ) -> Fetched[BlockRewardsResponse] | NoBlock:
        def check(value: BlockRewardsResponse) -> None:
            if expected_proposer is not None and value.data.proposer_index != expected_proposer:
                raise Violation(
                    "data.proposer_index",
                    f"{value.data.proposer_index}, but the duty of slot {slot} is validator "
                    f"{expected_proposer}",
                )

        return await self._fetch_slot(
            BLOCK_REWARDS,
            slot,
            {"block_id": slot},
            BlockRewardsResponse,
            path=BLOCK_REWARDS.format(block_id=slot),
            check=check,
        )

    async def sync_committee_rewards(
        self, slot: int, indices: Iterable[int]
    ) -> Fetched[SyncCommitteeRewardsResponse] | NoBlock:
        """Rewards of the given sync-committee members at ``slot`` (a slot with no block: NoBlock).

        Every returned entry is one of the indices sent, once (a sent validator that is not in the
        slot's committee is absent)."""
        sent = _sorted_indices(indices)
        params = {"block_id": slot, "indices": sent}

        def check(value: SyncCommitteeRewardsResponse) -> None:
            check_indices([r.validator_index for r in value.data], sent, "data")

        return await self._fetch_slot(
            SYNC_COMMITTEE_REWARDS,
            slot,
            params,
            SyncCommitteeRewardsResponse,
            path=SYNC_COMMITTEE_REWARDS.format(block_id=slot),
            http_method="POST",
            json_body=[str(i) for i in sent],
            check=check,
        )

    # ------------------------------------------------------------------------- state
    async def sync_committee(
        self, state_id: int | str, epoch: int, *, expected_size: int | None = None
    ) -> Fetched[SyncCommitteeResponse]:
        """The sync committee of ``epoch``'s period, read at ``state_id`` (a state inside that
        period or the one before: an old period is not served at ``head``)."""
        state = state_id_text(state_id)

        def check(value: SyncCommitteeResponse) -> None:
            size = len(value.data.validators)
            if expected_size is not None and size != expected_size:
                raise Violation(
                    "data.validators", f"{size} members, SYNC_COMMITTEE_SIZE is {expected_size}"
                )

        return await self._fetch(
            SYNC_COMMITTEES,
            {"epoch": epoch, "state_id": state},
            SyncCommitteeResponse,
            path=SYNC_COMMITTEES.format(state_id=state),
            query={"epoch": str(epoch)},
            check=check,
        )

    async def validators(
        self, state_id: int | str, indices: Iterable[int], batch_size: int | None = None
    ) -> list[Fetched[ValidatorsResponse]]:
        """``GET .../validators?id=...`` in batches of at most 64 ids.

        Every returned entry is one of the indices asked for, once. An index the state does not
        know (a validator not deposited yet) is absent from the answer.
        """
        state = state_id_text(state_id)
        sent = _sorted_indices(indices)
        size = min(batch_size or self.batch_size, MAX_IDS_PER_GET)
        out = []
        for batch in batches(sent, size):

            def check(value: ValidatorsResponse, batch: list[int] = batch) -> None:
                returned = [entry.index for entry in value.data]
                allowed = set(batch)
                for position, index in enumerate(returned):
                    if index not in allowed:
                        raise Violation(f"data[{position}].index", f"{index} was not requested")
                if len(set(returned)) != len(returned):
                    raise Violation("data", "a validator is listed twice")

            out.append(
                await self._fetch(
                    VALIDATORS,
                    {"ids": batch, "state_id": state},
                    ValidatorsResponse,
                    path=VALIDATORS.format(state_id=state),
                    query={"id": ",".join(str(i) for i in batch)},
                    check=check,
                )
            )
        return out

    # ------------------------------------------------------------------------- blocks
    async def block(
        self, slot: int, *, expected_proposer: int | None = None
    ) -> Fetched[BlockResponse] | NoBlock:
        """The canonical block of ``slot`` (404: the slot is empty, a missed proposal)."""

        def check(value: BlockResponse) -> None:
            message = value.data.message
            if message.slot != slot:
                raise Violation("data.message.slot", f"{message.slot}, but slot {slot} was asked")
            if expected_proposer is not None and message.proposer_index != expected_proposer:
                raise Violation(
                    "data.message.proposer_index",
                    f"{message.proposer_index}, but the duty of slot {slot} is validator "
                    f"{expected_proposer}",
                )

        return await self._fetch_slot(
            BLOCK,
            slot,
            {"block_id": slot},
            BlockResponse,
            path=BLOCK.format(block_id=slot),
            check=check,
            rewards=False,
        )
