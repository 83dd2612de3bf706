"""Ethereum clients: requests sent, answers checked against their requests, typed 404 outcomes.

An in-memory transport (the only mocked one) serves the samples, altered to break one rule each;
the simulator over real HTTP is exercised by the integration tests.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.config import ProviderConfig
from ingest.core.http import ProviderError, ProviderHttpClient, RetryPolicy, parse_json_exact
from ingest.ethereum.beacon import MAX_IDS_PER_GET, BeaconClient, state_id_text
from ingest.ethereum.errors import (
    EthereumPayloadError,
    ExecutionRpcError,
    NoBlock,
    RewardsNotAvailable,
)
from ingest.ethereum.execution import ExecutionClient
from ingest.ethereum.payloads import ExecutionBlockFull, parse_execution_block
from ingest.ethereum.relay import RelayClient

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "provider-samples" / "ethereum"
Handler = Callable[[httpx.Request], httpx.Response]


def raw(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def envelope(data: Any) -> dict[str, Any]:
    return {"execution_optimistic": False, "finalized": True, "data": data}


class Harness:
    def __init__(self, kind: str, handler: Handler, **overrides: Any) -> None:
        self.seen: list[httpx.Request] = []
        self.delays: list[float] = []

        def wrapped(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return handler(request)

        async def sleep(seconds: float) -> None:
            self.delays.append(seconds)

        values: dict[str, Any] = {
            "kind": kind,
            "chain": "ethereum",
            "url": "http://node.test/",
            "rate_limit_per_second": 10_000,
            "max_retries": 3,
        }
        values.update(overrides)
        self.http = ProviderHttpClient(
            f"eth_{kind}",
            ProviderConfig(**values),
            retry=RetryPolicy(base_delay=0.01),
            transport=httpx.MockTransport(wrapped),
            sleep=sleep,
        )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def beacon(handler: Handler, **kw: Any) -> tuple[BeaconClient, Harness]:
    h = Harness("beacon_api", handler, **kw)
    return BeaconClient(h.http, slots_per_epoch=32), h


def json_response(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def not_found(message: str) -> Handler:
    return lambda request: json_response({"code": 404, "message": message}, 404)


# --------------------------------------------------------------------------- beacon
ATTESTATIONS = raw("beacon_rewards_attestations.client-test.mainnet-epoch-335909.json")


def test_attestation_rewards_request_and_answer() -> None:
    client, h = beacon(lambda r: json_response(envelope(ATTESTATIONS)))
    fetched = run(client.attestation_rewards(335909, [3, 1, 0, 2, 1]))
    [request] = h.seen
    assert request.method == "POST"
    assert request.url.path == "/eth/v1/beacon/rewards/attestations/335909"
    assert json.loads(request.content) == ["0", "1", "2", "3"]  # sorted, unique, as strings
    assert [r.validator_index for r in fetched.value.data.total_rewards] == [0, 1, 2, 3]
    assert fetched.record.method == "/eth/v1/beacon/rewards/attestations/{epoch}"
    assert json.loads(fetched.record.params_json) == {"epoch": 335909, "indices": [0, 1, 2, 3]}


def test_attestation_rewards_unrequested_index_names_provider_endpoint_params_field() -> None:
    client, h = beacon(lambda r: json_response(envelope(ATTESTATIONS)))
    with pytest.raises(EthereumPayloadError) as info:
        run(client.attestation_rewards(335909, [0, 1, 3]))
    err = info.value
    assert err.field == "data.total_rewards[2].validator_index"
    assert "2 was not requested" in str(err)
    assert "eth_beacon_api" in str(err) and "/eth/v1/beacon/rewards/attestations/{epoch}" in str(
        err
    )
    assert '"indices":[0,1,3]' in str(err) and '"epoch":335909' in str(err)
    assert len(h.seen) == 1  # a contradicting answer is not retried


def test_attestation_rewards_duplicate_index() -> None:
    body = copy.deepcopy(ATTESTATIONS)
    body["total_rewards"][1]["validator_index"] = "0"
    client, _ = beacon(lambda r: json_response(envelope(body)))
    with pytest.raises(EthereumPayloadError, match="listed twice"):
        run(client.attestation_rewards(335909, [0, 1, 2, 3]))


def test_attestation_rewards_absent_index_is_allowed() -> None:
    client, _ = beacon(lambda r: json_response(envelope(ATTESTATIONS)))
    fetched = run(client.attestation_rewards(335909, [0, 1, 2, 3, 9]))
    assert {r.validator_index for r in fetched.value.data.total_rewards} == {0, 1, 2, 3}


def test_attestation_rewards_batched() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        rewards = [r for r in ATTESTATIONS["total_rewards"] if r["validator_index"] in sent]
        return json_response(envelope({"ideal_rewards": [], "total_rewards": rewards}))

    client, h = beacon(handler, batch_size=3)
    fetched = run(client.attestation_rewards_batched(7, [0, 1, 2, 3, 4, 5, 6]))
    assert [json.loads(r.content) for r in h.seen] == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    assert len(fetched) == 3
    assert [len(f.value.data.total_rewards) for f in fetched] == [3, 1, 0]


def test_attestation_rewards_404_names_the_epoch_and_suggests_an_archive_node() -> None:
    client, _ = beacon(not_found("Epoch not known or required data not available"))
    with pytest.raises(RewardsNotAvailable) as info:
        run(client.attestation_rewards(1200, [5]))
    assert info.value.epoch == 1200
    assert "epoch 1200" in str(info.value) and "archive" in str(info.value)
    assert "required data not available" in str(info.value)


def test_negative_strings_are_parsed_but_numbers_refused() -> None:
    body = copy.deepcopy(ATTESTATIONS)
    body["total_rewards"][0]["head"] = 2417
    client, _ = beacon(lambda r: json_response(envelope(body)))
    with pytest.raises(EthereumPayloadError) as info:
        run(client.attestation_rewards(335909, [0, 1, 2, 3]))
    assert info.value.field == "data.total_rewards[0].head"


def test_empty_index_list_is_refused_before_any_request() -> None:
    client, h = beacon(lambda r: json_response(envelope(ATTESTATIONS)))
    with pytest.raises(ValueError, match="at least one"):
        run(client.attestation_rewards(1, []))
    assert not h.seen


BLOCK = raw("beacon_block_v2.spec-derived.json")


def test_block_missed_slot_is_a_result() -> None:
    client, h = beacon(not_found("NOT_FOUND: beacon block at slot 12867843"))
    result = run(client.block(12867843))
    assert result == NoBlock(12867843, "NOT_FOUND: beacon block at slot 12867843")
    assert h.seen[0].url.path == "/eth/v2/beacon/blocks/12867843"
    assert len(h.seen) == 1


def test_a_missed_slot_keeps_its_404_answer() -> None:
    client, _ = beacon(not_found("NOT_FOUND: beacon block at slot 5"))
    result = run(client.block(5))
    assert isinstance(result, NoBlock) and result.record is not None
    assert result.record.http_status == 404
    assert json.loads(result.record.body)["message"] == "NOT_FOUND: beacon block at slot 5"


def test_a_404_without_the_api_error_body_is_no_missed_slot() -> None:
    # an HTML page from a proxy or a wrong URL proves nothing about the slot: retried, then fails
    client, h = beacon(lambda r: httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(ProviderError, match="malformed JSON body"):
        run(client.block(5))
    assert len(h.seen) == 4  # max_retries 3
    client, _ = beacon(lambda r: json_response({"detail": "no"}, 404))
    with pytest.raises(ProviderError, match="without the beacon API's error body"):
        run(client.sync_committee_rewards(5, [1]))


def test_block_checks_slot_and_proposer() -> None:
    client, _ = beacon(lambda r: json_response(BLOCK))
    fetched = run(client.block(12867843, expected_proposer=362530))
    assert not isinstance(fetched, NoBlock)
    assert fetched.value.data.message.body.execution_payload.block_number == 21540118
    with pytest.raises(EthereumPayloadError) as info:
        run(client.block(12867844))
    assert info.value.field == "data.message.slot"
    with pytest.raises(EthereumPayloadError) as info:
        run(client.block(12867843, expected_proposer=7))
    assert info.value.field == "data.message.proposer_index"


def test_block_without_execution_payload_is_refused() -> None:
    body = copy.deepcopy(BLOCK)
    del body["data"]["message"]["body"]["execution_payload"]
    client, _ = beacon(lambda r: json_response(body))
    with pytest.raises(EthereumPayloadError) as info:
        run(client.block(12867843))
    assert info.value.field == "data.message.body.execution_payload"


BLOCK_REWARDS = raw("beacon_rewards_blocks.client-test.mainnet-slot-10760040.json")


def test_block_rewards_outcomes() -> None:
    client, _ = beacon(lambda r: json_response(envelope(BLOCK_REWARDS)))
    fetched = run(client.block_rewards(10760040, expected_proposer=1515282))
    assert not isinstance(fetched, NoBlock) and fetched.value.data.total == 42294581
    with pytest.raises(EthereumPayloadError, match="duty of slot 10760040"):
        run(client.block_rewards(10760040, expected_proposer=1))
    client, _ = beacon(not_found("Block not found"))
    assert run(client.block_rewards(10760040)) == NoBlock(10760040, "Block not found")
    client, _ = beacon(not_found("historical state not available: pruned"))
    with pytest.raises(RewardsNotAvailable) as info:
        run(client.block_rewards(10760040))
    assert (info.value.slot, info.value.epoch) == (10760040, 336251)
    assert "slot 10760040 (epoch 336251)" in str(info.value) and "archive" in str(info.value)


SYNC = raw("beacon_rewards_sync_committee.client-test.mainnet-slot-10760058.json")


def test_sync_committee_rewards() -> None:
    client, h = beacon(lambda r: json_response(envelope(SYNC)))
    fetched = run(client.sync_committee_rewards(10760058, [1674334, 286437]))
    assert not isinstance(fetched, NoBlock)
    assert json.loads(h.seen[0].content) == ["286437", "1674334"]
    assert h.seen[0].url.path == "/eth/v1/beacon/rewards/sync_committee/10760058"
    with pytest.raises(EthereumPayloadError) as info:
        run(client.sync_committee_rewards(10760058, [286437]))
    assert info.value.field == "data[1].validator_index"
    client, _ = beacon(not_found("Block not found"))
    assert isinstance(run(client.sync_committee_rewards(5, [1])), NoBlock)


DUTIES = raw("beacon_proposer_duties.spec-derived.json")


def test_proposer_duties_cover_the_epoch() -> None:
    client, h = beacon(lambda r: json_response(DUTIES))
    fetched = run(client.proposer_duties(402120))
    assert len(fetched.value.data) == 32
    assert h.seen[0].url.path == "/eth/v1/validator/duties/proposer/402120"
    with pytest.raises(EthereumPayloadError, match="not in epoch 402121"):
        run(client.proposer_duties(402121))
    missing = copy.deepcopy(DUTIES)
    del missing["data"][5]
    client, _ = beacon(lambda r: json_response(missing))
    with pytest.raises(EthereumPayloadError, match=r"no proposer duty for slot\(s\) \[12867845\]"):
        run(client.proposer_duties(402120))
    twice = copy.deepcopy(DUTIES)
    twice["data"][5]["slot"] = twice["data"][4]["slot"]
    client, _ = beacon(lambda r: json_response(twice))
    with pytest.raises(EthereumPayloadError, match="two duties"):
        run(client.proposer_duties(402120))


VALIDATORS = raw("beacon_validators.spec-derived.json")


def test_validators_batched_by_at_most_64_ids() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        asked = set(request.url.params["id"].split(","))
        return json_response(
            {**VALIDATORS, "data": [v for v in VALIDATORS["data"] if v["index"] in asked]}
        )

    client, h = beacon(handler, batch_size=500)
    ids = [41203, 41207, 88016, 1204418, *range(100, 200)]
    fetched = run(client.validators(1024, ids))
    assert [len(r.url.params["id"].split(",")) for r in h.seen] == [MAX_IDS_PER_GET, 40]
    assert all(r.url.path == "/eth/v1/beacon/states/1024/validators" for r in h.seen)
    assert sum(len(f.value.data) for f in fetched) == 4
    client, _ = beacon(lambda r: json_response(VALIDATORS))
    with pytest.raises(EthereumPayloadError, match="was not requested"):
        run(client.validators("head", [41203]))


def test_sync_committee_size_and_state_ids() -> None:
    body = raw("beacon_sync_committees.spec-derived.json")
    client, h = beacon(lambda r: json_response(body))
    fetched = run(client.sync_committee(12867840, 402120, expected_size=512))
    assert len(fetched.value.data.validators) == 512
    assert h.seen[0].url.params["epoch"] == "402120"
    with pytest.raises(EthereumPayloadError, match="SYNC_COMMITTEE_SIZE is 8"):
        run(client.sync_committee("head", 402120, expected_size=8))
    assert state_id_text("finalized") == "finalized"
    assert state_id_text(12) == "12"
    for bad in ("latest", -1, "0x12"):
        with pytest.raises(ValueError):
            state_id_text(bad)


def test_spec_sets_slots_per_epoch_and_finality() -> None:
    routes = {
        "/eth/v1/config/spec": raw("beacon_config_spec.spec-derived.json"),
        "/eth/v1/beacon/genesis": raw("beacon_genesis.spec-derived.json"),
        "/eth/v1/beacon/states/head/finality_checkpoints": raw(
            "beacon_finality_checkpoints.spec-derived.json"
        ),
    }
    h = Harness("beacon_api", lambda r: json_response(routes[r.url.path]))
    client = BeaconClient(h.http)
    assert client.slots_per_epoch is None
    run(client.spec())
    assert client.slots_per_epoch == 32
    assert run(client.genesis()).value.data.genesis_time == 1742213400
    assert run(client.finality_checkpoints()).value.data.finalized.epoch == 402117


def test_transient_failures_are_retried() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}, text="slow down"),
            httpx.Response(503, text="busy"),
            httpx.Response(200, content=b'{"execution_optimistic":false,"fin'),
            json_response(envelope(SYNC)),
        ]
    )
    client, h = beacon(lambda r: next(answers))
    fetched = run(client.sync_committee_rewards(10760058, [286437, 1674334]))
    assert not isinstance(fetched, NoBlock) and fetched.record.attempts == 4
    assert h.delays[0] == 2.0  # Retry-After honoured


def test_other_client_errors_are_provider_errors() -> None:
    client, h = beacon(lambda r: json_response({"code": 400, "message": "Invalid epoch"}, 400))
    with pytest.raises(ProviderError, match="HTTP 400") as info:
        run(client.attestation_rewards(5, [1]))
    assert not isinstance(info.value, RewardsNotAvailable)
    assert len(h.seen) == 1


# ------------------------------------------------------------------------ execution
FULL_BLOCK = raw("eth_getBlockByNumber.execution-apis-test.block-0x36-fulltx.json")["result"]
RECEIPTS = raw("eth_getBlockReceipts.execution-apis-test.block-0x36.json")["result"]


def rpc_handler(results: dict[str, Any]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        result = results[body["method"]]
        if isinstance(result, dict) and "__error__" in result:
            return json_response({"jsonrpc": "2.0", "id": body["id"], "error": result["__error__"]})
        return json_response({"jsonrpc": "2.0", "id": body["id"], "result": result})

    return handler


def execution(results: dict[str, Any]) -> tuple[ExecutionClient, Harness]:
    h = Harness("ethereum_json_rpc", rpc_handler(results))
    return ExecutionClient(h.http), h


def test_block_by_number_request_and_checks() -> None:
    client, h = execution({"eth_getBlockByNumber": FULL_BLOCK})
    fetched = run(client.get_block_by_number(0x36, full=True, expected_hash=FULL_BLOCK["hash"]))
    assert isinstance(fetched.value, ExecutionBlockFull)
    assert json.loads(h.seen[0].content)["params"] == ["0x36", True]
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_by_number(0x37, full=True))
    assert info.value.field == "result.number"
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_by_number(0x36, full=True, expected_hash="0x" + "ab" * 32))
    assert info.value.field == "result.hash"
    with pytest.raises(EthereumPayloadError):  # full objects asked, hashes served (or vice versa)
        run(client.get_block_by_number(0x36, full=False))


def test_block_must_match_the_beacon_payload() -> None:
    block = parse_execution_block(parse_json_exact(json.dumps(FULL_BLOCK)), full=True)
    assert block is not None
    payload = raw("beacon_block_v2.spec-derived.json")["data"]["message"]["body"][
        "execution_payload"
    ]
    payload.update(
        block_number="54",
        block_hash=FULL_BLOCK["hash"],
        parent_hash=FULL_BLOCK["parentHash"],
        fee_recipient=FULL_BLOCK["miner"],
        base_fee_per_gas=str(int(FULL_BLOCK["baseFeePerGas"], 16)),
        gas_used=str(int(FULL_BLOCK["gasUsed"], 16)),
        timestamp=str(int(FULL_BLOCK["timestamp"], 16)),
    )
    from ingest.ethereum.payloads import ExecutionPayload

    good = ExecutionPayload.model_validate(payload)
    client, _ = execution({"eth_getBlockByNumber": FULL_BLOCK})
    run(client.get_block_by_number(0x36, full=True, expected=good))
    bad = ExecutionPayload.model_validate({**payload, "fee_recipient": "0x" + "11" * 20})
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_by_number(0x36, full=True, expected=bad))
    assert info.value.field == "result.miner"
    assert "differs from the beacon payload" in str(info.value)


def test_transaction_of_another_block_is_refused() -> None:
    block = copy.deepcopy(FULL_BLOCK)
    block["transactions"][2]["blockHash"] = "0x" + "cd" * 32
    client, _ = execution({"eth_getBlockByNumber": block})
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_by_number(0x36, full=True))
    assert info.value.field == "result.transactions[2].blockHash"


def test_null_block_is_a_violation() -> None:
    client, _ = execution({"eth_getBlockByNumber": None})
    with pytest.raises(EthereumPayloadError, match="no block 54"):
        run(client.get_block_by_number(54))


def test_receipts_checks() -> None:
    block = parse_execution_block(parse_json_exact(json.dumps(FULL_BLOCK)), full=True)
    assert block is not None
    client, h = execution({"eth_getBlockReceipts": RECEIPTS})
    fetched = run(client.get_block_receipts(0x36, block=block))
    assert len(fetched.value) == 4
    assert json.loads(h.seen[0].content)["params"] == ["0x36"]
    short = copy.deepcopy(RECEIPTS)[:3]
    client, _ = execution({"eth_getBlockReceipts": short})
    with pytest.raises(EthereumPayloadError, match="3 receipts for 4 transactions"):
        run(client.get_block_receipts(0x36, block=block))
    other = copy.deepcopy(RECEIPTS)
    other[1]["blockHash"] = "0x" + "ee" * 32
    client, _ = execution({"eth_getBlockReceipts": other})
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_receipts(0x36, expected_hash=FULL_BLOCK["hash"]))
    assert info.value.field == "result[1].blockHash"
    cheap = copy.deepcopy(RECEIPTS)
    cheap[0]["effectiveGasPrice"] = "0x1a21396"  # below the base fee
    client, _ = execution({"eth_getBlockReceipts": cheap})
    with pytest.raises(EthereumPayloadError) as info:
        run(client.get_block_receipts(0x36, block=block))
    assert info.value.field == "result[0].effectiveGasPrice"


def test_rpc_errors() -> None:
    client, h = execution(
        {"eth_getBlockReceipts": {"__error__": {"code": -32601, "message": "nope"}}}
    )
    with pytest.raises(ExecutionRpcError, match="-32601") as info:
        run(client.get_block_receipts(1))
    assert info.value.code == -32601 and len(h.seen) == 1
    client, h = execution(
        {"eth_getBlockReceipts": {"__error__": {"code": -32005, "message": "limit"}}}
    )
    with pytest.raises(ProviderError, match="after 4 attempt"):
        run(client.get_block_receipts(1))
    assert len(h.seen) == 4


# ---------------------------------------------------------------------------- relay
TRACES = raw("relay_proposer_payload_delivered.spec-derived.json")


def test_relay_request_and_slot_check() -> None:
    h = Harness("mev_relay", lambda r: json_response(TRACES))
    client = RelayClient(h.http)
    fetched = run(client.proposer_payload_delivered(12867843))
    assert h.seen[0].url.path == "/relay/v1/data/bidtraces/proposer_payload_delivered"
    assert dict(h.seen[0].url.params) == {"slot": "12867843"}
    assert fetched.value[0].proposer_fee_recipient == "0xebe2093b7325ff023dac1a35d537ef5f9bfe900d"
    with pytest.raises(EthereumPayloadError) as info:
        run(client.proposer_payload_delivered(12867844))
    assert info.value.field == "[0].slot"
    h = Harness("mev_relay", lambda r: json_response([]))
    assert run(RelayClient(h.http).proposer_payload_delivered(5)).value == []
