"""Every Ethereum provider sample in tests/fixtures/provider-samples/ethereum/ parses, exactly.

The three go-eth2-client reward samples hold only the ``data`` member (the client re-serialises it):
they are wrapped in the endpoint's envelope here, as a node sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ingest.core.http import parse_json_exact
from ingest.ethereum.payloads import (
    FAR_FUTURE_EPOCH,
    AttestationReward,
    AttestationRewardsResponse,
    BidTrace,
    BlockResponse,
    BlockRewards,
    BlockRewardsResponse,
    ChainSpec,
    ChainSpecResponse,
    ExecutionBlock,
    ExecutionBlockFull,
    ExecutionReceipt,
    FinalityCheckpointsResponse,
    GenesisResponse,
    ProposerDutiesResponse,
    SyncCommittee,
    SyncCommitteeResponse,
    SyncCommitteeRewardsResponse,
    ValidatorsResponse,
    parse_bid_traces,
    parse_execution_block,
    parse_receipts,
)
from ingest.ethereum.timing import BeaconTiming

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "provider-samples" / "ethereum"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def _wrapped(model: type[BaseModel]) -> Callable[[Any], Any]:
    def parse(body: Any) -> Any:
        return model.model_validate(
            {"execution_optimistic": False, "finalized": True, "data": body}
        )

    return parse


# file name up to the first dot -> parser of the whole body
PARSERS: dict[str, Callable[[Any], Any]] = {
    "beacon_genesis": GenesisResponse.model_validate,
    "beacon_config_spec": ChainSpecResponse.model_validate,
    "beacon_finality_checkpoints": FinalityCheckpointsResponse.model_validate,
    "beacon_proposer_duties": ProposerDutiesResponse.model_validate,
    "beacon_rewards_attestations": _wrapped(AttestationRewardsResponse),
    "beacon_rewards_attestations_negative": _wrapped(AttestationRewardsResponse),
    "beacon_rewards_blocks": _wrapped(BlockRewardsResponse),
    "beacon_rewards_sync_committee": _wrapped(SyncCommitteeRewardsResponse),
    "beacon_sync_committees": SyncCommitteeResponse.model_validate,
    "beacon_validators": ValidatorsResponse.model_validate,
    "beacon_block_v2": BlockResponse.model_validate,
    "eth_getBlockByNumber": lambda body: parse_execution_block(
        body["result"], full=isinstance(body["result"]["transactions"][0], dict)
    ),
    "eth_getBlockReceipts": lambda body: parse_receipts(body["result"]),
    "relay_proposer_payload_delivered": parse_bid_traces,
}


def sample(name: str) -> Any:
    path = SAMPLES / name
    return PARSERS[name.split(".", 1)[0]](parse_json_exact(path.read_bytes()))


def test_samples_folder_is_there_and_every_file_has_a_parser() -> None:
    assert len(SAMPLE_FILES) >= 15
    for path in SAMPLE_FILES:
        assert path.name.split(".", 1)[0] in PARSERS, path.name


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_parses(path: Path) -> None:
    assert sample(path.name) is not None


def test_every_sample_is_listed_in_sources() -> None:
    sources = (SAMPLES.parent / "SOURCES.md").read_text(encoding="utf-8")
    section = sources.split("## ethereum/", 1)[1]
    for path in SAMPLE_FILES:
        assert f"| {path.name} |" in section, path.name


# ------------------------------------------------------------------------- real responses
def test_attestation_rewards_real_mainnet_values() -> None:
    rewards = sample("beacon_rewards_attestations.client-test.mainnet-epoch-335909.json")
    assert isinstance(rewards, AttestationRewardsResponse)
    ideal = rewards.data.ideal_rewards
    assert len(ideal) == 32
    assert ideal[0].effective_balance == 1_000_000_000
    assert (ideal[-1].effective_balance, ideal[-1].head, ideal[-1].target, ideal[-1].source) == (
        32_000_000_000,
        2417,
        4502,
        2423,
    )
    assert [
        (r.validator_index, r.head, r.target, r.source, r.inclusion_delay, r.inactivity)
        for r in rewards.data.total_rewards
    ] == [(i, 2417, 4502, 2423, None, 0) for i in range(4)]


def test_negative_attestation_rewards() -> None:
    rewards = sample("beacon_rewards_attestations_negative.client-test.mainnet-epoch-335909.json")
    [penalised] = rewards.data.total_rewards
    assert (penalised.validator_index, penalised.head, penalised.target, penalised.source) == (
        63,
        0,
        -4511,
        -2429,
    )
    assert penalised.head + penalised.target + penalised.source + penalised.inactivity == -6940


def test_block_rewards_real_values() -> None:
    rewards = sample("beacon_rewards_blocks.client-test.mainnet-slot-10760040.json").data
    assert isinstance(rewards, BlockRewards)
    assert (rewards.proposer_index, rewards.total, rewards.attestations) == (
        1515282,
        42294581,
        40696997,
    )
    assert (rewards.sync_aggregate, rewards.proposer_slashings, rewards.attester_slashings) == (
        1597584,
        0,
        0,
    )


def test_sync_committee_rewards_real_values() -> None:
    rewards = sample("beacon_rewards_sync_committee.client-test.mainnet-slot-10760058.json")
    assert [(r.validator_index, r.reward) for r in rewards.data] == [
        (286437, 22456),
        (1674334, 22456),
    ]


def test_execution_block_and_receipts_priority_fees() -> None:
    block = sample("eth_getBlockByNumber.execution-apis-test.block-0x36-fulltx.json")
    assert isinstance(block, ExecutionBlockFull)
    assert (block.number, block.base_fee_per_gas, block.gas_used) == (0x36, 27_399_063, 339_825)
    assert block.miner == "0x0000000000000000000000000000000000000000"
    assert block.blob_gas_used == 0
    assert [tx.transaction_index for tx in block.transactions] == [0, 1, 2, 3]
    assert block.transactions[3].to == "0x7dcd17433742f4c0ca53122ab541d0ba67fc27df"
    assert block.transactions[3].value == 2
    assert block.transactions[0].to is None  # a contract creation
    assert block.transactions[0].gas_price == 0x1A21398
    receipts = sample("eth_getBlockReceipts.execution-apis-test.block-0x36.json")
    assert all(isinstance(r, ExecutionReceipt) for r in receipts)
    assert [r.transaction_hash for r in receipts] == block.transaction_hashes
    assert {r.block_hash for r in receipts} == {block.hash}
    # the reference notes' worked check: priority fee 1 wei/gas, 339,825 wei in total
    fees = sum(r.gas_used * (r.effective_gas_price - block.base_fee_per_gas) for r in receipts)
    assert fees == 339_825
    assert receipts[-1].cumulative_gas_used == block.gas_used
    assert receipts[0].contract_address == "0x891baaf101b07222bbcf62e7dc519199d09255b0"
    assert all(r.status == 1 for r in receipts)


def test_execution_block_with_withdrawals() -> None:
    block = sample("eth_getBlockByNumber.execution-apis-test.block-0x27-withdrawals.json")
    assert isinstance(block, ExecutionBlock)
    assert block.number == 0x27 and len(block.transactions) == 3
    assert block.transactions[0].startswith("0x98b2579b")
    [withdrawal] = block.withdrawals or []
    assert (withdrawal.index, withdrawal.validator_index, withdrawal.amount) == (0, 5, 100)
    assert withdrawal.address == "0x3ae75c08b4c907eb63a8960c45b86e1e9ab6123c"


# ---------------------------------------------------------------------- spec-derived responses
def test_genesis_spec_and_timing() -> None:
    genesis = sample("beacon_genesis.spec-derived.json").data
    spec = sample("beacon_config_spec.spec-derived.json").data
    assert genesis.genesis_time == 1742213400 and genesis.genesis_fork_version == "0x10000038"
    assert isinstance(spec, ChainSpec)
    assert (spec.slot_ms, spec.slots_per_epoch, spec.epochs_per_sync_committee_period) == (
        12_000,
        32,
        256,
    )
    assert spec.sync_committee_size == 512
    assert spec.model_extra is not None and spec.model_extra["CONFIG_NAME"] == "aurora-devnet"
    timing = BeaconTiming.of(genesis, spec)
    assert timing.epoch_ms == 384_000
    # genesis 2025-03-17 12:10:00 UTC; midnight is 42,600 s later: epoch ceil(42600/384) = 111
    epochs = timing.day_epochs(date(2025, 3, 18))
    assert epochs[0] == 111
    assert timing.epoch_start(epochs[0]).isoformat() == "2025-03-18T00:00:24+00:00"
    assert len(epochs) == 225 and timing.day_of_epoch(epochs[-1]) == date(2025, 3, 18)
    assert timing.day_of_epoch(epochs[-1] + 1) == date(2025, 3, 19)
    assert timing.day_epochs(date(2025, 3, 17)) == range(0, 111)  # the genesis day
    assert timing.day_epochs(date(2025, 3, 16)) == range(0, 0)
    assert timing.state_slot(date(2025, 3, 18)) == 335 * 32
    assert not timing.is_day_closed(date(2025, 3, 18), 336)
    assert timing.is_day_closed(date(2025, 3, 18), 337)


def test_finality_and_duties() -> None:
    finality = sample("beacon_finality_checkpoints.spec-derived.json")
    assert finality.data.finalized.epoch == 402117
    assert finality.data.current_justified.epoch == 402118
    duties = sample("beacon_proposer_duties.spec-derived.json")
    assert [d.slot for d in duties.data] == list(range(402120 * 32, 402121 * 32))
    assert all(d.pubkey == d.pubkey.lower() and len(d.pubkey) == 98 for d in duties.data)


def test_sync_committee_and_validators() -> None:
    committee = sample("beacon_sync_committees.spec-derived.json").data
    assert isinstance(committee, SyncCommittee)
    assert len(committee.validators) == 512 and len(committee.validator_aggregates) == 4
    validators = sample("beacon_validators.spec-derived.json").data
    by_index = {v.index: v for v in validators}
    active = by_index[41203]
    assert (active.status, active.balance, active.validator.effective_balance) == (
        "active_ongoing",
        32_011_472_113,
        32_000_000_000,
    )
    assert active.validator.credential_prefix == "0x01"
    assert active.validator.withdrawal_address == "0xfd41fd0e156992944db69b587dbc9de1b46d10a9"
    assert active.validator.exit_epoch == FAR_FUTURE_EPOCH == 2**64 - 1
    assert by_index[41207].validator.credential_prefix == "0x00"
    assert by_index[41207].validator.withdrawal_address is None
    slashed = by_index[88016]
    assert slashed.status == "active_slashed" and slashed.validator.slashed
    assert slashed.validator.credential_prefix == "0x02"
    assert slashed.validator.withdrawal_address is not None
    assert by_index[1204418].status == "pending_queued"


def test_beacon_block_execution_payload() -> None:
    block = sample("beacon_block_v2.spec-derived.json")
    assert isinstance(block, BlockResponse) and block.version == "deneb"
    message = block.data.message
    assert (message.slot, message.proposer_index) == (12867843, 362530)
    payload = message.body.execution_payload
    assert payload.block_number == 21540118 and payload.base_fee_per_gas == 4_182_113_537
    assert payload.block_hash == (
        "0xb5d135d799cbd4c1dbd55ad0f64147b5f60afe30bf5657908ea53ae7159c70ee"
    )
    assert len(payload.transactions) == 2
    assert [w.amount for w in payload.withdrawals or []] == [18734112, 17902245]


def test_relay_bid_trace_value_above_2_64_and_lowercased_address() -> None:
    [trace] = sample("relay_proposer_payload_delivered.spec-derived.json")
    assert isinstance(trace, BidTrace)
    assert trace.value == 21_374_000_000_000_000_000 > 2**64
    assert trace.proposer_fee_recipient == "0xebe2093b7325ff023dac1a35d537ef5f9bfe900d"
    assert (trace.slot, trace.block_number, trace.num_tx) == (12867843, 21540118, 2)
    assert trace.model_extra == {"optimistic_submission": False}  # a relay's extra field, kept
    block = sample("beacon_block_v2.spec-derived.json")
    assert trace.block_hash == block.data.message.body.execution_payload.block_hash


# ------------------------------------------------------------------------------ strictness
REWARD = {"validator_index": "1", "head": "1", "target": "2", "source": "3", "inactivity": "0"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("head", 2417),  # a JSON number where the API promises a decimal string
        ("head", "1.0"),
        ("head", "0x10"),
        ("head", " 5"),
        ("head", "+5"),
        ("head", "007"),
        ("head", str(2**63)),  # beyond int64
        ("head", str(-(2**63) - 1)),
        ("validator_index", "-1"),  # an index is a uint64
        ("validator_index", str(2**64)),
        ("target", None),
        ("source", True),
    ],
)
def test_attestation_reward_fields_are_strict(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        AttestationReward.model_validate({**REWARD, field: value})


def test_int64_and_uint64_bounds_are_inclusive() -> None:
    edge = AttestationReward.model_validate(
        {
            **REWARD,
            "validator_index": str(2**64 - 1),
            "head": str(2**63 - 1),
            "target": str(-(2**63)),
        }
    )
    assert (edge.validator_index, edge.head, edge.target) == (2**64 - 1, 2**63 - 1, -(2**63))


def test_missing_required_field_is_refused() -> None:
    body = dict(REWARD)
    del body["inactivity"]
    with pytest.raises(ValidationError, match="inactivity"):
        AttestationReward.model_validate(body)


def test_block_rewards_total_must_be_the_sum_of_its_parts() -> None:
    body = {
        "proposer_index": "5",
        "total": "10",
        "attestations": "6",
        "sync_aggregate": "3",
        "proposer_slashings": "0",
        "attester_slashings": "0",
    }
    with pytest.raises(ValidationError, match="not the sum"):
        BlockRewards.model_validate(body)
    assert BlockRewards.model_validate({**body, "total": "9"}).total == 9
    with pytest.raises(ValidationError):  # block rewards are uint64: never negative
        BlockRewards.model_validate({**body, "attestations": "-6", "total": "-3"})


def test_wei_quantities_above_2_64_and_bad_hex() -> None:
    base = parse_json_exact(
        (SAMPLES / "eth_getBlockReceipts.execution-apis-test.block-0x36.json").read_bytes()
    )["result"][0]
    big = ExecutionReceipt.model_validate({**base, "effectiveGasPrice": hex(2**70 + 1)})
    assert big.effective_gas_price == 2**70 + 1
    for bad in ("1a21398", "0x", "0xzz", 27399064, "0x" + "f" * 65):
        with pytest.raises(ValidationError):
            ExecutionReceipt.model_validate({**base, "effectiveGasPrice": bad})
    with pytest.raises(ValidationError, match="status"):
        ExecutionReceipt.model_validate({**base, "status": "0x2"})


def test_addresses_are_checked_and_lowercased() -> None:
    [trace] = parse_json_exact(
        (SAMPLES / "relay_proposer_payload_delivered.spec-derived.json").read_bytes()
    )
    for bad in (
        "0xebe2093b7325ff023dac1a35d537ef5f9bfe900",
        "ebe2093b7325ff023dac1a35d537ef5f9bfe900d0x",
    ):
        with pytest.raises(ValidationError):
            BidTrace.model_validate({**trace, "proposer_fee_recipient": bad})
    with pytest.raises(ValidationError):
        BidTrace.model_validate({**trace, "value": "2.1e19"})
    with pytest.raises(ValidationError):
        BidTrace.model_validate({**trace, "value": str(2**256)})


def test_chain_spec_slot_duration_rules() -> None:
    base = {
        "SLOTS_PER_EPOCH": "8",
        "EPOCHS_PER_SYNC_COMMITTEE_PERIOD": "4",
        "SYNC_COMMITTEE_SIZE": "8",
    }
    assert ChainSpec.model_validate({**base, "SLOT_DURATION_MS": "750"}).slot_ms == 750
    assert ChainSpec.model_validate({**base, "SECONDS_PER_SLOT": "6"}).slot_ms == 6000
    with pytest.raises(ValidationError, match="disagree"):
        ChainSpec.model_validate({**base, "SECONDS_PER_SLOT": "6", "SLOT_DURATION_MS": "5000"})
    with pytest.raises(ValidationError, match="neither"):
        ChainSpec.model_validate(base)
    with pytest.raises(ValidationError):
        ChainSpec.model_validate({**base, "SECONDS_PER_SLOT": "0"})


def test_sync_committee_aggregates_must_split_the_committee() -> None:
    with pytest.raises(ValidationError, match="validator_aggregates"):
        SyncCommittee.model_validate(
            {"validators": ["1", "2", "3"], "validator_aggregates": [["1"], ["3", "2"]]}
        )


def test_unknown_validator_status_is_refused() -> None:
    body = parse_json_exact((SAMPLES / "beacon_validators.spec-derived.json").read_bytes())
    body["data"][0]["status"] = "active"
    with pytest.raises(ValidationError, match="status"):
        ValidatorsResponse.model_validate(body)


def test_envelope_fields_are_required() -> None:
    body = parse_json_exact((SAMPLES / "beacon_validators.spec-derived.json").read_bytes())
    del body["finalized"]
    with pytest.raises(ValidationError, match="finalized"):
        ValidatorsResponse.model_validate(body)
