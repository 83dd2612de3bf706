"""Solana JSON-RPC client and payload models.

Error handling (methodology §2.3 and §3.2):
- -32007 / -32009: the slot was skipped. A *result* (:class:`SlotSkipped`), recorded, not retried.
- -32004 / -32014 / -32019 / -32005: transient, retried by the HTTP layer.
- -32017: epoch rewards are still being paid: the epoch is not closed (:class:`EpochNotClosed`).
- any other error: :class:`RpcError` (a :class:`ProviderError`), naming provider, method, params.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from annotated_types import Ge, Le
from pydantic import AliasChoices, BaseModel, Field, TypeAdapter, ValidationError

from ingest.core.http import (
    Fetched,
    ProviderError,
    ProviderHttpClient,
    ResponseRecord,
    RetryableResponse,
    first_error,
)
from ingest.core.types import CAMEL, I64, U64, Bps, ExactDecimal, Index, Percent, Pubkey
from ingest.errors import AuroraError

T = TypeVar("T")

PROVIDER_KIND = "solana_json_rpc"  # providers.yaml `kind` of the providers this client speaks to

STAKE_PROGRAM_ID = "Stake11111111111111111111111111111111111111"
STAKE_ACCOUNT_SIZE = 200
STAKE_VOTER_OFFSET = 124
MINIMUM_SLOTS_PER_EPOCH = 32
MAX_WARMUP_EPOCHS = 40  # warmup epochs double from 32 slots: more would overflow the slot range
SIGNATURES_PAGE_LIMIT = 1000

SKIPPED_SLOT_CODES = frozenset({-32007, -32009})
RETRYABLE_RPC_CODES = frozenset({-32004, -32005, -32014, -32019})
EPOCH_REWARDS_ACTIVE_CODE = -32017

BLOCK_CONFIG: dict[str, Any] = {
    "commitment": "finalized",
    "maxSupportedTransactionVersion": 0,
    "rewards": True,
    "transactionDetails": "none",
}


# --------------------------------------------------------------------------------------- models
class EpochSchedule(BaseModel):
    model_config = CAMEL
    slots_per_epoch: Annotated[Index, Ge(MINIMUM_SLOTS_PER_EPOCH)]
    leader_schedule_slot_offset: Index
    warmup: bool
    first_normal_epoch: Annotated[Index, Le(MAX_WARMUP_EPOCHS)]
    first_normal_slot: Index

    def slots_in_epoch(self, epoch: int) -> int:
        if epoch < self.first_normal_epoch:
            return int(2 ** (epoch + MINIMUM_SLOTS_PER_EPOCH.bit_length() - 1))
        return self.slots_per_epoch

    def first_slot(self, epoch: int) -> int:
        """First slot of ``epoch`` (Agave ``EpochSchedule::get_first_slot_in_epoch``)."""
        if epoch <= self.first_normal_epoch:
            return int((2**epoch - 1) * MINIMUM_SLOTS_PER_EPOCH)
        return (epoch - self.first_normal_epoch) * self.slots_per_epoch + self.first_normal_slot

    def last_slot(self, epoch: int) -> int:
        return self.first_slot(epoch) + self.slots_in_epoch(epoch) - 1

    def epoch_of(self, slot: int) -> int:
        """Epoch holding ``slot`` (Agave ``get_epoch_and_slot_index``)."""
        if slot < self.first_normal_slot:
            tz_min = MINIMUM_SLOTS_PER_EPOCH.bit_length() - 1
            value = slot + MINIMUM_SLOTS_PER_EPOCH + 1
            next_pow2 = 1 << (value - 1).bit_length()
            return int((next_pow2.bit_length() - 1) - tz_min - 1)
        return self.first_normal_epoch + (slot - self.first_normal_slot) // self.slots_per_epoch


class EpochInfo(BaseModel):
    model_config = CAMEL
    absolute_slot: Index
    block_height: Index | None = None
    epoch: Index
    slot_index: Index
    slots_in_epoch: Index
    transaction_count: Index | None = None


class VoteAccount(BaseModel):
    model_config = CAMEL
    vote_pubkey: str
    node_pubkey: str
    activated_stake: U64
    commission: Percent | None = None
    commission_bps: Bps | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "commissionBps", "inflationRewardsCommissionBps", "commission_bps"
        ),
    )
    epoch_vote_account: bool | None = None
    epoch_credits: list[list[U64]] = Field(default_factory=list)
    last_vote: Index | None = None
    root_slot: Index | None = None


class VoteAccounts(BaseModel):
    """Both lists are always present in the API's answer (either may be empty)."""

    model_config = CAMEL
    current: list[VoteAccount]
    delinquent: list[VoteAccount]


class Reward(BaseModel):
    model_config = CAMEL
    pubkey: str
    lamports: I64  # i64: a reward can be negative
    post_balance: U64 | None = None
    reward_type: str | None = None
    commission: Percent | None = None
    commission_bps: Bps | None = Field(
        default=None, validation_alias=AliasChoices("commissionBps", "commission_bps")
    )


class Block(BaseModel):
    """getBlock with ``rewards: true``: ``rewards`` is required (an empty list is a block without
    rewards; an absent member is a malformed answer, not "no rewards")."""

    model_config = CAMEL
    blockhash: str
    parent_slot: Index
    previous_blockhash: str | None = None
    block_height: Index | None = None
    block_time: I64 | None = None
    rewards: list[Reward]
    num_reward_partitions: Index | None = None


class InflationReward(BaseModel):
    model_config = CAMEL
    epoch: Index
    effective_slot: Index
    amount: U64
    post_balance: U64
    commission: Percent | None = None
    commission_bps: Bps | None = Field(
        default=None, validation_alias=AliasChoices("commissionBps", "commission_bps")
    )


class StakeAuthorized(BaseModel):
    model_config = CAMEL
    staker: Pubkey
    withdrawer: Pubkey


class StakeLockup(BaseModel):
    model_config = CAMEL
    custodian: Pubkey | None = None
    epoch: U64 | None = None
    unix_timestamp: I64 | None = None


class StakeMeta(BaseModel):
    model_config = CAMEL
    authorized: StakeAuthorized
    lockup: StakeLockup | None = None
    rent_exempt_reserve: U64


class StakeDelegation(BaseModel):
    model_config = CAMEL
    voter: Pubkey
    stake: U64
    activation_epoch: U64
    deactivation_epoch: U64  # u64::MAX: not deactivating
    warmup_cooldown_rate: ExactDecimal | None = None


class StakeState(BaseModel):
    model_config = CAMEL
    credits_observed: U64 | None = None
    delegation: StakeDelegation


class StakeInfo(BaseModel):
    model_config = CAMEL
    meta: StakeMeta
    stake: StakeState | None = None


class ParsedStake(BaseModel):
    model_config = CAMEL
    type: str
    info: StakeInfo


class ParsedAccountData(BaseModel):
    model_config = CAMEL
    parsed: ParsedStake
    program: str | None = None
    space: U64 | None = None


class StakeAccountInfo(BaseModel):
    model_config = CAMEL
    data: ParsedAccountData
    executable: bool | None = None
    lamports: U64
    owner: Pubkey | None = None
    rent_epoch: U64 | None = None
    space: U64 | None = None


class StakeProgramAccount(BaseModel):
    model_config = CAMEL
    pubkey: Pubkey
    account: StakeAccountInfo


class SignatureInfo(BaseModel):
    model_config = CAMEL
    signature: str
    slot: Index
    err: Any = None
    memo: str | None = None
    block_time: I64 | None = None
    confirmation_status: str | None = None


class BlockProductionRange(BaseModel):
    model_config = CAMEL
    first_slot: Index
    last_slot: Index


class BlockProductionValue(BaseModel):
    model_config = CAMEL
    by_identity: dict[str, list[Index]]
    range: BlockProductionRange


class RpcContext(BaseModel):
    model_config = CAMEL
    slot: Index


class BlockProduction(BaseModel):
    model_config = CAMEL
    context: RpcContext
    value: BlockProductionValue


class InflationGovernor(BaseModel):
    model_config = CAMEL
    foundation: ExactDecimal
    foundation_term: ExactDecimal
    initial: ExactDecimal
    taper: ExactDecimal
    terminal: ExactDecimal


class InflationRate(BaseModel):
    model_config = CAMEL
    epoch: Index
    foundation: ExactDecimal
    total: ExactDecimal
    validator: ExactDecimal


LeaderSchedule = dict[str, list[int]]

_LEADER_SCHEDULE = TypeAdapter(dict[str, list[Index]] | None)
_INFLATION_REWARDS = TypeAdapter(list[InflationReward | None])
_PROGRAM_ACCOUNTS = TypeAdapter(list[StakeProgramAccount])
_SIGNATURES = TypeAdapter(list[SignatureInfo])
_BLOCK_TIME = TypeAdapter(I64 | None)
_BLOCK = TypeAdapter(Block | None)
_HEALTH = TypeAdapter(str)

# Parsers of the ``result`` member, per method (used by the client and by the sample tests).
RESULT_PARSERS: dict[str, Callable[[Any], Any]] = {
    "getEpochSchedule": EpochSchedule.model_validate,
    "getEpochInfo": EpochInfo.model_validate,
    "getVoteAccounts": VoteAccounts.model_validate,
    "getLeaderSchedule": _LEADER_SCHEDULE.validate_python,
    "getBlock": _BLOCK.validate_python,
    "getBlockTime": _BLOCK_TIME.validate_python,
    "getInflationReward": _INFLATION_REWARDS.validate_python,
    "getProgramAccounts": _PROGRAM_ACCOUNTS.validate_python,
    "getSignaturesForAddress": _SIGNATURES.validate_python,
    "getBlockProduction": BlockProduction.model_validate,
    "getInflationGovernor": InflationGovernor.model_validate,
    "getInflationRate": InflationRate.model_validate,
    "getHealth": _HEALTH.validate_python,
}


def parse_rpc_envelope(method: str, body: Any) -> Any:
    """Parse a whole JSON-RPC response body (already JSON-decoded) of ``method``; raise on error."""
    if not isinstance(body, dict):
        raise ValueError("a JSON-RPC response is an object")
    if "error" in body:
        raise ValueError(f"JSON-RPC error: {body['error']!r}")
    return RESULT_PARSERS[method](body["result"])


# ------------------------------------------------------------------------------ error results
@dataclass(frozen=True)
class SlotSkipped:
    """A -32007/-32009 answer: the slot has no block."""

    code: int
    message: str


@dataclass(frozen=True)
class _RpcErrorResult:
    code: int
    message: str
    data: Any


class RpcError(ProviderError):
    """A JSON-RPC error that is neither transient nor a skipped slot."""

    def __init__(
        self, provider: str, method: str, params_json: str, code: int, message: str
    ) -> None:
        self.code = code
        super().__init__(provider, method, params_json, f"JSON-RPC error {code}: {message}")


class EpochNotClosed(AuroraError):
    """-32017: epoch rewards are still being paid, the epoch is not closed yet."""

    def __init__(self, provider: str, method: str, params_json: str, epoch: int, message: str):
        self.provider = provider
        self.method = method
        self.params_json = params_json
        self.epoch = epoch
        super().__init__(
            f"epoch {epoch} is not closed yet: provider {provider!r} method {method!r} "
            f"params {params_json} answered -32017 ({message})"
        )


def rpc_id_for(request_id: str) -> int:
    """The JSON-RPC ``id``: derived from the request id, so the same request sends the same bytes
    (replay serves identical bodies) and a misrouted response is detected."""
    return int(request_id[:12], 16)


# ----------------------------------------------------------------------------------- client
class SolanaRpcClient:
    """Typed Solana JSON-RPC calls over a :class:`ProviderHttpClient`."""

    def __init__(self, http: ProviderHttpClient) -> None:
        self.http = http
        self.provider_id = http.provider_id

    async def call(
        self, method: str, params: list[Any], parse: Callable[[Any], T]
    ) -> Fetched[T | SlotSkipped]:
        from ingest.core.http import canonical_json, request_id_for

        request_id = request_id_for(self.provider_id, method, canonical_json(params))
        rpc_id = rpc_id_for(request_id)
        payload = {"jsonrpc": "2.0", "id": rpc_id, "method": method, "params": params}

        def interpret(body: Any, record: ResponseRecord) -> T | _RpcErrorResult:
            if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
                raise RetryableResponse("malformed JSON-RPC envelope")
            if body.get("id") != rpc_id:
                raise RetryableResponse(
                    f"JSON-RPC response id {body.get('id')!r} does not match request id {rpc_id}"
                )
            if "error" in body:
                error = body["error"]
                if not isinstance(error, dict) or "code" not in error:
                    raise RetryableResponse("malformed JSON-RPC error member")
                code = _error_code(error["code"])
                message = str(error.get("message", ""))
                if code in RETRYABLE_RPC_CODES:
                    raise RetryableResponse(f"JSON-RPC error {code}: {message}")
                return _RpcErrorResult(code, message, error.get("data"))
            if "result" not in body:
                raise RetryableResponse("JSON-RPC response has neither result nor error")
            try:
                return parse(body["result"])
            except ValidationError as exc:
                raise RetryableResponse(
                    f"unexpected {method} payload: {exc.error_count()} validation error(s): "
                    f"{first_error(exc, 'result')}"
                ) from None

        fetched = await self.http.request(
            method=method,
            params=params,
            http_method="POST",
            json_body=payload,
            interpret=interpret,
        )
        value = fetched.value
        if isinstance(value, _RpcErrorResult):
            record = fetched.record
            if value.code in SKIPPED_SLOT_CODES:
                return Fetched(SlotSkipped(value.code, value.message), record)
            if value.code == EPOCH_REWARDS_ACTIVE_CODE:
                epoch = _epoch_param(params)
                raise EpochNotClosed(
                    self.provider_id, method, record.params_json, epoch, value.message
                )
            raise RpcError(self.provider_id, method, record.params_json, value.code, value.message)
        return Fetched(value, fetched.record)

    async def _call_plain(
        self, method: str, params: list[Any], parse: Callable[[Any], T]
    ) -> Fetched[T]:
        fetched = await self.call(method, params, parse)
        if isinstance(fetched.value, SlotSkipped):
            raise RpcError(
                self.provider_id,
                method,
                fetched.record.params_json,
                fetched.value.code,
                fetched.value.message,
            )
        return Fetched(fetched.value, fetched.record)

    async def get_health(self) -> Fetched[str]:
        """getHealth: ``"ok"`` from a healthy node (one that is behind answers an error)."""
        return await self._call_plain("getHealth", [], _HEALTH.validate_python)

    async def get_epoch_schedule(self) -> Fetched[EpochSchedule]:
        return await self._call_plain("getEpochSchedule", [], EpochSchedule.model_validate)

    async def get_epoch_info(self) -> Fetched[EpochInfo]:
        return await self._call_plain(
            "getEpochInfo", [{"commitment": "finalized"}], EpochInfo.model_validate
        )

    async def get_vote_accounts(self, required: Collection[str] = ()) -> Fetched[VoteAccounts]:
        """getVoteAccounts; every vote account of ``required`` (the operator's, seeds/validators.csv)
        must be in ``current`` or ``delinquent``: an answer without one of them is malformed (an
        empty answer would otherwise drop the validator's epochs). A vote account the node omits
        (unstaked and delinquent) is reported as such: remove it from seeds/validators.csv."""

        def parse(result: Any) -> VoteAccounts:
            value = VoteAccounts.model_validate(result)
            listed: set[str] = set()
            for name, accounts in (("current", value.current), ("delinquent", value.delinquent)):
                for account in accounts:
                    if account.vote_pubkey in listed:
                        raise RetryableResponse(
                            f"result.{name}: vote account {account.vote_pubkey} is listed twice"
                        )
                    listed.add(account.vote_pubkey)
            missing = sorted(set(required) - listed)
            if missing:
                raise RetryableResponse(
                    f"result: vote account {missing[0]} (seeds/validators.csv) is in neither "
                    f"result.current nor result.delinquent ({len(missing)} missing, "
                    f"{len(listed)} listed)"
                )
            return value

        return await self._call_plain("getVoteAccounts", [{"commitment": "finalized"}], parse)

    async def get_leader_schedule(self, slot: int, identity: str) -> Fetched[LeaderSchedule | None]:
        """The leader slots of ``identity`` in the epoch of ``slot``. ``{}`` is a legitimate answer
        (the identity leads no slot in the epoch); ``null`` means the node has no schedule for the
        epoch (the caller reports it); a schedule of another identity is malformed."""

        def parse(result: Any) -> LeaderSchedule | None:
            value = _LEADER_SCHEDULE.validate_python(result)
            others = sorted(set(value or {}) - {identity})
            if others:
                raise RetryableResponse(
                    f"result: a schedule for identity {others[0]}, but only {identity} was asked for"
                )
            for key, indexes in (value or {}).items():
                if len(set(indexes)) != len(indexes):
                    raise RetryableResponse(f"result.{key}: a slot index is listed twice")
            return value

        return await self._call_plain(
            "getLeaderSchedule", [slot, {"commitment": "finalized", "identity": identity}], parse
        )

    async def get_block(self, slot: int) -> Fetched[Block | SlotSkipped]:
        """The block of ``slot``, or :class:`SlotSkipped` (-32007/-32009: the only way the API says
        a slot has no block). A ``null`` result (the node does not have the block, or it is not
        finalized) is retried and then fails: it is never taken for a skipped slot."""

        def parse(result: Any) -> Block:
            block = _BLOCK.validate_python(result)
            if block is None:
                raise RetryableResponse(
                    f"result: null for slot {slot} (a skipped slot answers -32007 or -32009; "
                    "null means the node has no finalized block for it)"
                )
            return block

        return await self.call("getBlock", [slot, dict(BLOCK_CONFIG)], parse)

    async def get_block_time(self, slot: int) -> Fetched[int | SlotSkipped]:
        """The block time of ``slot``, or :class:`SlotSkipped`; a ``null`` result is malformed."""

        def parse(result: Any) -> int:
            value = _BLOCK_TIME.validate_python(result)
            if value is None:
                raise RetryableResponse(
                    f"result: null for slot {slot} (a skipped slot answers -32007 or -32009)"
                )
            return int(value)

        return await self.call("getBlockTime", [slot], parse)

    async def get_inflation_reward(
        self, addresses: Sequence[str], epoch: int
    ) -> Fetched[list[InflationReward | None]]:
        """One call for ``addresses`` (the caller batches by ``batch_size``): one element per
        address, in order. ``null`` is legitimate (an address with no reward for the epoch: a vote
        account at 0% commission, a stake account not yet active); a reward must be for ``epoch``.
        """
        addresses = list(addresses)

        def parse(result: Any) -> list[InflationReward | None]:
            value = _INFLATION_REWARDS.validate_python(result)
            if len(value) != len(addresses):
                raise RetryableResponse(
                    f"result: {len(value)} rewards for {len(addresses)} addresses"
                )
            for index, reward in enumerate(value):
                if reward is not None and reward.epoch != epoch:
                    raise RetryableResponse(
                        f"result[{index}].epoch: {reward.epoch}, but epoch {epoch} was asked for "
                        f"(address {addresses[index]})"
                    )
            return value

        return await self._call_plain(
            "getInflationReward", [addresses, {"commitment": "finalized", "epoch": epoch}], parse
        )

    async def get_stake_accounts(self, vote_account: str) -> Fetched[list[StakeProgramAccount]]:
        params: list[Any] = [
            STAKE_PROGRAM_ID,
            {
                "commitment": "finalized",
                "encoding": "jsonParsed",
                "filters": [
                    {"dataSize": STAKE_ACCOUNT_SIZE},
                    {"memcmp": {"bytes": vote_account, "offset": STAKE_VOTER_OFFSET}},
                ],
            },
        ]

        def parse(result: Any) -> list[StakeProgramAccount]:
            value = _PROGRAM_ACCOUNTS.validate_python(result)
            seen: set[str] = set()
            for index, account in enumerate(value):
                if account.pubkey in seen:
                    raise RetryableResponse(
                        f"result[{index}].pubkey: stake account {account.pubkey} is listed twice"
                    )
                seen.add(account.pubkey)
            return value

        return await self._call_plain("getProgramAccounts", params, parse)

    async def get_signatures_for_address(
        self,
        address: str,
        *,
        before: str | None = None,
        until: str | None = None,
        limit: int = SIGNATURES_PAGE_LIMIT,
    ) -> Fetched[list[SignatureInfo]]:
        """One page, newest first: at most ``limit`` signatures, none of them ``before`` itself.
        An empty page is legitimate (no older transaction); whether the history reaches the
        epochs asked for is checked by the caller against the rewards the account earned."""
        config: dict[str, Any] = {"commitment": "finalized", "limit": limit}
        if before is not None:
            config["before"] = before
        if until is not None:
            config["until"] = until

        def parse(result: Any) -> list[SignatureInfo]:
            page = _SIGNATURES.validate_python(result)
            if len(page) > limit:
                raise RetryableResponse(f"result: {len(page)} signatures, more than limit {limit}")
            for index, info in enumerate(page):
                if before is not None and info.signature == before:
                    raise RetryableResponse(
                        f"result[{index}].signature: the page repeats `before` ({before})"
                    )
                if index and info.slot > page[index - 1].slot:
                    raise RetryableResponse(
                        f"result[{index}].slot: {info.slot} is newer than the signature before it "
                        f"({page[index - 1].slot}): a page is ordered newest first"
                    )
            return page

        return await self._call_plain("getSignaturesForAddress", [address, config], parse)


def _epoch_param(params: list[Any]) -> int:
    for item in params:
        if isinstance(item, dict) and "epoch" in item:
            return int(item["epoch"])
    return -1


def _error_code(value: Any) -> int:
    """The ``code`` of a JSON-RPC error member: an integer (anything else is a malformed answer)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise RetryableResponse(
            f"malformed JSON-RPC error member: code {value!r} is not an integer"
        )
    if isinstance(value, Decimal) and (not value.is_finite() or value != int(value)):
        raise RetryableResponse(f"malformed JSON-RPC error member: code {value} is not an integer")
    return int(value)


def decimal_or_none(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)
