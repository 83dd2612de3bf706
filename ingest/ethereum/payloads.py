"""Exact field types and pydantic models of the Ethereum provider answers Aurora reads.

Wire formats (reference: the beacon-APIs, execution-apis and relay-specs schemas):
- Beacon API: every number is a decimal string. ``Uint64`` fields (gwei amounts, slots, epochs,
  indices) are checked to fit 64 bits; ``Int64`` fields (attestation and sync-committee rewards,
  which are negative for a penalty) to fit a signed 64-bit integer. A JSON number where the API
  promises a string is refused: the answer does not follow the API.
- Execution JSON-RPC: quantities are ``0x`` hex strings (uint256), data are ``0x`` hex.
- Relay data API: ``value`` (wei, uint256) and the other numbers are decimal strings.
- Addresses, hashes, roots and public keys are lowercased at this boundary (relays send EIP-55
  checksummed addresses; the checksum is display only).

Every parsed amount is a Python ``int``: exact, never a float, values above 2^64 kept.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)
from pydantic.alias_generators import to_camel

UINT64_MAX = 2**64 - 1
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
UINT256_MAX = 2**256 - 1
FAR_FUTURE_EPOCH = UINT64_MAX
GWEI = 10**9

_DEC_UNSIGNED = re.compile(r"(0|[1-9][0-9]*)")
_DEC_SIGNED = re.compile(r"-?(0|[1-9][0-9]*)")
_HEX_QUANTITY = re.compile(r"0x[0-9a-fA-F]+")
_HEX_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*")


def _type_name(value: Any) -> str:
    return type(value).__name__


def _decimal_text(value: Any, *, signed: bool) -> int:
    if not isinstance(value, str):
        raise ValueError(f"expected a decimal string, got {_type_name(value)} {value!r}")
    pattern = _DEC_SIGNED if signed else _DEC_UNSIGNED
    if not pattern.fullmatch(value):
        kind = "an integer" if signed else "a non-negative integer"
        raise ValueError(f"expected {kind} in decimal digits, got {value!r}")
    return int(value)


def uint64_text(value: Any) -> int:
    """A beacon ``Uint64``: decimal string, 0 .. 2^64-1."""
    number = _decimal_text(value, signed=False)
    if number > UINT64_MAX:
        raise ValueError(f"{value} does not fit uint64")
    return number


def int64_text(value: Any) -> int:
    """A beacon ``Int64`` (a reward that may be a penalty): decimal string, -2^63 .. 2^63-1."""
    number = _decimal_text(value, signed=True)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"{value} does not fit int64")
    return number


def uint256_text(value: Any) -> int:
    """A decimal string of a uint256 (wei in the beacon execution payload and the relay API)."""
    number = _decimal_text(value, signed=False)
    if number > UINT256_MAX:
        raise ValueError(f"{value} does not fit uint256")
    return number


def hex_quantity(value: Any) -> int:
    """An execution JSON-RPC ``QUANTITY``: ``0x`` and hex digits, a uint256."""
    if not isinstance(value, str):
        raise ValueError(f"expected a 0x hex quantity, got {_type_name(value)} {value!r}")
    if not _HEX_QUANTITY.fullmatch(value):
        raise ValueError(f"expected a 0x hex quantity, got {value!r}")
    number = int(value[2:], 16)
    if number > UINT256_MAX:
        raise ValueError(f"{value} does not fit uint256")
    return number


def _fixed_hex(value: Any, n_bytes: int, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what} as a 0x hex string, got {_type_name(value)}")
    if len(value) != 2 + 2 * n_bytes or not _HEX_DATA.fullmatch(value):
        raise ValueError(f"expected {what} of {n_bytes} bytes as 0x hex, got {value!r}")
    return value.lower()


def address(value: Any) -> str:
    """A 20-byte address, lowercased (an EIP-55 checksum is display only)."""
    return _fixed_hex(value, 20, "an address")


def bytes32(value: Any) -> str:
    """A 32-byte hash or root, lowercased."""
    return _fixed_hex(value, 32, "a 32-byte hash")


def bls_pubkey(value: Any) -> str:
    """A 48-byte BLS public key, lowercased."""
    return _fixed_hex(value, 48, "a BLS public key")


def hex_data(value: Any) -> str:
    """Variable-length ``0x`` hex data (whole bytes), lowercased."""
    if not isinstance(value, str) or not _HEX_DATA.fullmatch(value):
        raise ValueError(f"expected 0x hex data, got {value!r}")
    return value.lower()


def hex_bytes4(value: Any) -> str:
    return _fixed_hex(value, 4, "a 4-byte version")


Uint64 = Annotated[int, BeforeValidator(uint64_text)]
Int64 = Annotated[int, BeforeValidator(int64_text)]
Uint256Text = Annotated[int, BeforeValidator(uint256_text)]
Quantity = Annotated[int, BeforeValidator(hex_quantity)]
Address = Annotated[str, BeforeValidator(address)]
Bytes32 = Annotated[str, BeforeValidator(bytes32)]
BlsPubkey = Annotated[str, BeforeValidator(bls_pubkey)]
HexData = Annotated[str, BeforeValidator(hex_data)]
Version4 = Annotated[str, BeforeValidator(hex_bytes4)]

# Beacon and relay payloads are snake_case, execution JSON-RPC camelCase. Extra fields are kept:
# providers add fields over time (e.g. a relay's `optimistic_submission`).
SNAKE = ConfigDict(extra="allow", frozen=True)
CAMEL = ConfigDict(extra="allow", frozen=True, alias_generator=to_camel, populate_by_name=True)


# ------------------------------------------------------------------------------------ beacon
class Genesis(BaseModel):
    model_config = SNAKE
    genesis_time: Uint64
    genesis_validators_root: Bytes32
    genesis_fork_version: Version4


class GenesisResponse(BaseModel):
    model_config = SNAKE
    data: Genesis


class ChainSpec(BaseModel):
    """The few ``/eth/v1/config/spec`` values Aurora needs (every other key is kept as sent).

    Slot length: ``SECONDS_PER_SLOT`` (older specs) or ``SLOT_DURATION_MS`` (newer ones); with both,
    they must agree. Kept in milliseconds, so a sub-second slot stays exact.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    seconds_per_slot: Uint64 | None = Field(default=None, alias="SECONDS_PER_SLOT")
    slot_duration_ms: Uint64 | None = Field(default=None, alias="SLOT_DURATION_MS")
    slots_per_epoch: Uint64 = Field(alias="SLOTS_PER_EPOCH")
    epochs_per_sync_committee_period: Uint64 = Field(alias="EPOCHS_PER_SYNC_COMMITTEE_PERIOD")
    sync_committee_size: Uint64 = Field(alias="SYNC_COMMITTEE_SIZE")

    @model_validator(mode="after")
    def _consistent(self) -> ChainSpec:
        if self.seconds_per_slot is None and self.slot_duration_ms is None:
            raise ValueError("neither SECONDS_PER_SLOT nor SLOT_DURATION_MS is given")
        if (
            self.seconds_per_slot is not None
            and self.slot_duration_ms is not None
            and self.seconds_per_slot * 1000 != self.slot_duration_ms
        ):
            raise ValueError(
                f"SECONDS_PER_SLOT {self.seconds_per_slot} and SLOT_DURATION_MS "
                f"{self.slot_duration_ms} disagree"
            )
        if self.slot_ms <= 0:
            raise ValueError("the slot duration must be positive")
        if self.slots_per_epoch < 1:
            raise ValueError("SLOTS_PER_EPOCH must be at least 1")
        if self.epochs_per_sync_committee_period < 1:
            raise ValueError("EPOCHS_PER_SYNC_COMMITTEE_PERIOD must be at least 1")
        return self

    @property
    def slot_ms(self) -> int:
        if self.slot_duration_ms is not None:
            return self.slot_duration_ms
        assert self.seconds_per_slot is not None
        return self.seconds_per_slot * 1000


class ChainSpecResponse(BaseModel):
    model_config = SNAKE
    data: ChainSpec


class Checkpoint(BaseModel):
    model_config = SNAKE
    epoch: Uint64
    root: Bytes32


class FinalityCheckpoints(BaseModel):
    model_config = SNAKE
    previous_justified: Checkpoint
    current_justified: Checkpoint
    finalized: Checkpoint

    @model_validator(mode="after")
    def _ordered(self) -> FinalityCheckpoints:
        if self.finalized.epoch > self.current_justified.epoch:
            raise ValueError(
                f"finalized epoch {self.finalized.epoch} is after the current justified epoch "
                f"{self.current_justified.epoch}"
            )
        return self


class FinalityCheckpointsResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: FinalityCheckpoints


class ProposerDuty(BaseModel):
    model_config = SNAKE
    pubkey: BlsPubkey
    validator_index: Uint64
    slot: Uint64


class ProposerDutiesResponse(BaseModel):
    model_config = SNAKE
    dependent_root: Bytes32
    execution_optimistic: bool
    data: list[ProposerDuty]


class IdealAttestationReward(BaseModel):
    model_config = SNAKE
    effective_balance: Uint64
    head: Int64
    target: Int64
    source: Int64
    inclusion_delay: Uint64 | None = None  # phase0 only
    inactivity: Int64


class AttestationReward(BaseModel):
    """One validator's rewards for its attestation duties of the epoch, in gwei (each may be < 0)."""

    model_config = SNAKE
    validator_index: Uint64
    head: Int64
    target: Int64
    source: Int64
    inclusion_delay: Uint64 | None = None  # phase0 only
    inactivity: Int64


class AttestationRewards(BaseModel):
    model_config = SNAKE
    ideal_rewards: list[IdealAttestationReward]
    total_rewards: list[AttestationReward]


class AttestationRewardsResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: AttestationRewards


class BlockRewards(BaseModel):
    """The proposer's consensus-layer reward for one block, in gwei (no execution fees, no MEV)."""

    model_config = SNAKE
    proposer_index: Uint64
    total: Uint64
    attestations: Uint64
    sync_aggregate: Uint64
    proposer_slashings: Uint64
    attester_slashings: Uint64

    @model_validator(mode="after")
    def _total_is_the_sum(self) -> BlockRewards:
        parts = (
            self.attestations
            + self.sync_aggregate
            + self.proposer_slashings
            + self.attester_slashings
        )
        if parts != self.total:
            raise ValueError(f"total {self.total} is not the sum of its parts ({parts})")
        return self


class BlockRewardsResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: BlockRewards


class SyncCommitteeReward(BaseModel):
    """A sync-committee member's reward for one slot, in gwei (negative when it did not sign)."""

    model_config = SNAKE
    validator_index: Uint64
    reward: Int64


class SyncCommitteeRewardsResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: list[SyncCommitteeReward]


class SyncCommittee(BaseModel):
    model_config = SNAKE
    validators: list[Uint64]
    validator_aggregates: list[list[Uint64]]

    @model_validator(mode="after")
    def _aggregates_cover_the_committee(self) -> SyncCommittee:
        flat = [index for aggregate in self.validator_aggregates for index in aggregate]
        if flat != self.validators:
            raise ValueError("validator_aggregates are not the committee split in order")
        return self


class SyncCommitteeResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: SyncCommittee


ValidatorStatus = Literal[
    "pending_initialized",
    "pending_queued",
    "active_ongoing",
    "active_exiting",
    "active_slashed",
    "exited_unslashed",
    "exited_slashed",
    "withdrawal_possible",
    "withdrawal_done",
]


class Validator(BaseModel):
    model_config = SNAKE
    pubkey: BlsPubkey
    withdrawal_credentials: Bytes32
    effective_balance: Uint64
    slashed: bool
    activation_eligibility_epoch: Uint64
    activation_epoch: Uint64
    exit_epoch: Uint64
    withdrawable_epoch: Uint64

    @property
    def credential_prefix(self) -> str:
        """``0x00`` (BLS), ``0x01`` (execution address) or ``0x02`` (compounding, Electra)."""
        return self.withdrawal_credentials[:4]

    @property
    def withdrawal_address(self) -> str | None:
        """The execution address of a 0x01/0x02 credential (its last 20 bytes); None for 0x00."""
        if self.credential_prefix in ("0x01", "0x02"):
            return "0x" + self.withdrawal_credentials[-40:]
        return None


class ValidatorEntry(BaseModel):
    model_config = SNAKE
    index: Uint64
    balance: Uint64
    status: ValidatorStatus
    validator: Validator


class ValidatorsResponse(BaseModel):
    model_config = SNAKE
    execution_optimistic: bool
    finalized: bool
    data: list[ValidatorEntry]


class BeaconWithdrawal(BaseModel):
    model_config = SNAKE
    index: Uint64
    validator_index: Uint64
    address: Address
    amount: Uint64  # gwei


class ExecutionPayload(BaseModel):
    """The execution payload of a beacon block: the link to the execution block."""

    model_config = SNAKE
    parent_hash: Bytes32
    fee_recipient: Address
    block_number: Uint64
    block_hash: Bytes32
    gas_limit: Uint64
    gas_used: Uint64
    timestamp: Uint64
    base_fee_per_gas: Uint256Text
    transactions: list[HexData]
    withdrawals: list[BeaconWithdrawal] | None = None


class BeaconBlockBody(BaseModel):
    model_config = SNAKE
    execution_payload: ExecutionPayload


class BeaconBlock(BaseModel):
    model_config = SNAKE
    slot: Uint64
    proposer_index: Uint64
    parent_root: Bytes32
    state_root: Bytes32
    body: BeaconBlockBody


class SignedBeaconBlock(BaseModel):
    model_config = SNAKE
    message: BeaconBlock
    signature: HexData


class BlockResponse(BaseModel):
    model_config = SNAKE
    version: str
    execution_optimistic: bool
    finalized: bool
    data: SignedBeaconBlock


# --------------------------------------------------------------------------------- execution
class ExecutionWithdrawal(BaseModel):
    model_config = CAMEL
    index: Quantity
    validator_index: Quantity
    address: Address
    amount: Quantity  # gwei (EIP-4895)


class ExecutionTransaction(BaseModel):
    model_config = CAMEL
    hash: Bytes32
    from_: Address = Field(alias="from")
    to: Address | None
    value: Quantity
    gas: Quantity
    gas_price: Quantity | None = None
    max_fee_per_gas: Quantity | None = None
    max_priority_fee_per_gas: Quantity | None = None
    nonce: Quantity
    input: HexData
    type: Quantity
    transaction_index: Quantity
    block_hash: Bytes32
    block_number: Quantity


class _ExecutionBlockBase(BaseModel):
    model_config = CAMEL
    number: Quantity
    hash: Bytes32
    parent_hash: Bytes32
    miner: Address  # the fee recipient
    base_fee_per_gas: Quantity
    gas_limit: Quantity
    gas_used: Quantity
    timestamp: Quantity
    blob_gas_used: Quantity | None = None
    excess_blob_gas: Quantity | None = None
    withdrawals: list[ExecutionWithdrawal] | None = None


class ExecutionBlock(_ExecutionBlockBase):
    """``eth_getBlockByNumber(n, false)``: transactions as hashes."""

    transactions: list[Bytes32]

    @property
    def transaction_hashes(self) -> list[str]:
        return list(self.transactions)


class ExecutionBlockFull(_ExecutionBlockBase):
    """``eth_getBlockByNumber(n, true)``: transactions as objects."""

    transactions: list[ExecutionTransaction]

    @property
    def transaction_hashes(self) -> list[str]:
        return [tx.hash for tx in self.transactions]


class ExecutionReceipt(BaseModel):
    model_config = CAMEL
    transaction_hash: Bytes32
    transaction_index: Quantity
    block_hash: Bytes32
    block_number: Quantity
    from_: Address = Field(alias="from")
    to: Address | None
    gas_used: Quantity
    cumulative_gas_used: Quantity
    effective_gas_price: Quantity
    status: Quantity
    type: Quantity
    contract_address: Address | None = None
    logs: list[Any]
    blob_gas_used: Quantity | None = None
    blob_gas_price: Quantity | None = None

    @model_validator(mode="after")
    def _status_is_a_flag(self) -> ExecutionReceipt:
        if self.status not in (0, 1):
            raise ValueError(f"status {self.status} is neither 0x0 nor 0x1")
        return self


# ------------------------------------------------------------------------------------- relay
class BidTrace(BaseModel):
    """One ``BidTraceV2`` of ``proposer_payload_delivered``: a payload the relay says it delivered.

    ``value`` (wei) is the relay's claim of the proposer's payment, not a confirmed amount.
    """

    model_config = SNAKE
    slot: Uint64
    parent_hash: Bytes32
    block_hash: Bytes32
    builder_pubkey: BlsPubkey
    proposer_pubkey: BlsPubkey
    proposer_fee_recipient: Address
    gas_limit: Uint64
    gas_used: Uint64
    value: Uint256Text
    block_number: Uint64
    num_tx: Uint64


# ------------------------------------------------------------------------------------ parsers
_BID_TRACES = TypeAdapter(list[BidTrace])
_EXECUTION_BLOCK = TypeAdapter(ExecutionBlock | None)
_EXECUTION_BLOCK_FULL = TypeAdapter(ExecutionBlockFull | None)
_RECEIPTS = TypeAdapter(list[ExecutionReceipt] | None)


def parse_bid_traces(body: Any) -> list[BidTrace]:
    return _BID_TRACES.validate_python(body)


def parse_execution_block(result: Any, *, full: bool) -> ExecutionBlock | ExecutionBlockFull | None:
    if full:
        return _EXECUTION_BLOCK_FULL.validate_python(result)
    return _EXECUTION_BLOCK.validate_python(result)


def parse_receipts(result: Any) -> list[ExecutionReceipt] | None:
    return _RECEIPTS.validate_python(result)
