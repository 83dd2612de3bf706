"""The Ethereum simulator over real HTTP on loopback: shapes against the provider samples, real
error codes, every served reward summing to the ground truth, same seed same bytes, faults."""

from __future__ import annotations

import asyncio
import http.client
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.config import ProviderConfig
from ingest.core.http import ProviderHttpClient, RetryPolicy
from ingest.ethereum.beacon import BeaconClient
from ingest.ethereum.errors import NoBlock, RewardsNotAvailable
from ingest.ethereum.execution import ExecutionClient
from ingest.ethereum.payloads import ExecutionBlockFull
from ingest.ethereum.relay import RelayClient
from ingest.ethereum.timing import BeaconTiming
from ingest.simulator.ethereum import truth
from ingest.simulator.ethereum.network import Network, Scenario, build_network
from ingest.simulator.ethereum.server import EthereumSimulatorServer, FaultConfig

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "provider-samples" / "ethereum"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def shape(obj: Any, prefix: str = "") -> dict[str, str]:
    """Every key path of a JSON value with its JSON type; list items share the path ``[]``."""
    out: dict[str, str] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out[f"{prefix}.{k}"] = type(v).__name__ if v is not None else "null"
            out.update(shape(v, f"{prefix}.{k}"))
    elif isinstance(obj, list):
        for item in obj:
            out[f"{prefix}[]"] = type(item).__name__
            out.update(shape(item, f"{prefix}[]"))
    return out


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


@pytest.fixture(scope="module")
def server(net: Network) -> Iterator[EthereumSimulatorServer]:
    with EthereumSimulatorServer(net) as srv:
        yield srv


@pytest.fixture()
def client(server: EthereumSimulatorServer) -> Iterator[httpx.Client]:
    server.set_head_slot(server.network.last_slot)
    server.set_prune_before_epoch(0)
    with httpx.Client(timeout=10) as c:
        yield c


def get(client: httpx.Client, url: str, **params: Any) -> Any:
    resp = client.get(url, params=params or None)
    assert resp.status_code == 200, resp.text
    return resp.json()


def post(client: httpx.Client, url: str, body: Any) -> Any:
    resp = client.post(url, json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def rpc(client: httpx.Client, url: str, method: str, params: list[Any]) -> Any:
    body = post(client, url, {"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
    assert body["jsonrpc"] == "2.0" and body["id"] == 7
    return body


# ------------------------------------------------------------------------------ shapes
def test_beacon_reward_shapes_match_the_real_samples(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    base = server.beacon_url
    att = post(client, f"{base}/eth/v1/beacon/rewards/attestations/20", ["3", "7"])
    assert set(att) == {"execution_optimistic", "finalized", "data"}
    real = sample("beacon_rewards_attestations.client-test.mainnet-epoch-335909.json")
    assert shape(att["data"]) == shape(real)
    slot = min(s for s in net.blocks if s > 100)
    blk = get(client, f"{base}/eth/v1/beacon/rewards/blocks/{slot}")
    assert shape(blk["data"]) == shape(
        sample("beacon_rewards_blocks.client-test.mainnet-slot-10760040.json")
    )
    sync = post(client, f"{base}/eth/v1/beacon/rewards/sync_committee/{slot}", [])
    assert shape(sync["data"]) == shape(
        sample("beacon_rewards_sync_committee.client-test.mainnet-slot-10760058.json")
    )


def test_beacon_state_shapes_match_the_spec_derived_samples(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    base = server.beacon_url
    pairs = [
        ("/eth/v1/beacon/genesis", {}, "beacon_genesis.spec-derived.json"),
        (
            "/eth/v1/beacon/states/head/finality_checkpoints",
            {},
            "beacon_finality_checkpoints.spec-derived.json",
        ),
        ("/eth/v1/validator/duties/proposer/20", {}, "beacon_proposer_duties.spec-derived.json"),
        (
            "/eth/v1/beacon/states/140/sync_committees",
            {"epoch": "20"},
            "beacon_sync_committees.spec-derived.json",
        ),
        (
            "/eth/v1/beacon/states/448/validators",
            {"id": "3,11,12,20"},
            "beacon_validators.spec-derived.json",
        ),
    ]
    for path, params, name in pairs:
        assert shape(get(client, base + path, **params)) == shape(sample(name)), path
    spec = get(client, f"{base}/eth/v1/config/spec")["data"]
    assert all(isinstance(v, str) for v in spec.values())
    assert set(spec) >= {"SECONDS_PER_SLOT", "SLOTS_PER_EPOCH", "EPOCHS_PER_SYNC_COMMITTEE_PERIOD"}


def test_beacon_block_shape(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    sweep = net.sweep_slot  # a block with a withdrawal, like the sample
    assert sweep is not None
    resp = client.get(f"{server.beacon_url}/eth/v2/beacon/blocks/{sweep}")
    assert resp.headers["Eth-Consensus-Version"] == "deneb"
    real = shape(sample("beacon_block_v2.spec-derived.json"))
    served = shape(resp.json())
    assert served.keys() - real.keys() == set()
    # the sample carries two blob commitments; the simulator sends none
    assert {k for k in real.keys() - served.keys()} == {".data.message.body.blob_kzg_commitments[]"}
    slashing = net.roles.slashing_slot
    block = get(client, f"{server.beacon_url}/eth/v2/beacon/blocks/{slashing}")
    [offence] = block["data"]["message"]["body"]["proposer_slashings"]
    assert offence["signed_header_1"]["message"]["proposer_index"] == str(net.roles.slashed)


def test_execution_shapes(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    legacy_slot = next(
        s for s, b in sorted(net.blocks.items()) if b.execution.transactions[0].tx_type == 0
    )
    number = net.blocks[legacy_slot].execution.number
    full = rpc(client, server.execution_url, "eth_getBlockByNumber", [hex(number), True])["result"]
    real = sample("eth_getBlockByNumber.execution-apis-test.block-0x36-fulltx.json")["result"]
    # the sample is from a Prague test chain (requestsHash); the simulator is a Deneb chain
    assert set(full) == set(real) - {"requestsHash"}
    assert set(full["transactions"][0]) == set(real["transactions"][0])  # a legacy transaction
    hashes = rpc(client, server.execution_url, "eth_getBlockByNumber", [hex(number), False])
    assert all(isinstance(h, str) for h in hashes["result"]["transactions"])
    receipts = rpc(client, server.execution_url, "eth_getBlockReceipts", [hex(number)])["result"]
    real_receipt = sample("eth_getBlockReceipts.execution-apis-test.block-0x36.json")["result"][0]
    assert set(receipts[0]) == set(real_receipt)
    assert all(r["blockHash"] == full["hash"] for r in receipts)


def test_relay_shape_and_eip55(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    real = sample("relay_proposer_payload_delivered.spec-derived.json")[0]
    slot = net.features()["cases"]["two_relays"]["slot"]
    path = "/relay/v1/data/bidtraces/proposer_payload_delivered"
    a, b = (get(client, server.relay_url(r) + path, slot=str(slot)) for r in net.relays)
    assert set(a[0]) == set(real) - {"optimistic_submission"}
    assert set(b[0]) == set(real)  # the second relay adds the non-spec field
    assert all(isinstance(v, str) for v in a[0].values())
    recipient = a[0]["proposer_fee_recipient"]
    assert recipient != recipient.lower()  # EIP-55 mixed case, as relays send it
    assert recipient.lower() == net.validators[net.proposers[slot] or 0].fee_recipient
    assert a[0]["block_hash"] == b[0]["block_hash"] == net.blocks[slot].execution.hash


# ------------------------------------------------------------------------------ errors
def test_error_codes(client: httpx.Client, server: EthereumSimulatorServer, net: Network) -> None:
    base = server.beacon_url
    missed = net.features()["cases"]["missed"]["slot"]
    for path in (f"/eth/v2/beacon/blocks/{missed}", f"/eth/v1/beacon/rewards/blocks/{missed}"):
        resp = client.get(base + path)
        assert resp.status_code == 404
        assert resp.json() == {"code": 404, "message": f"NOT_FOUND: beacon block at slot {missed}"}
    resp = client.post(f"{base}/eth/v1/beacon/rewards/sync_committee/{missed}", json=[])
    assert resp.status_code == 404
    recent = server.head_epoch - 1
    resp = client.post(f"{base}/eth/v1/beacon/rewards/attestations/{recent}", json=["3"])
    assert resp.status_code == 404 and "not available" in resp.json()["message"]
    resp = client.get(
        f"{base}/eth/v1/beacon/states/head/validators", params={"id": ",".join(map(str, range(65)))}
    )
    assert resp.status_code == 414
    resp = client.get(f"{base}/eth/v1/validator/duties/proposer/{server.head_epoch + 2}")
    assert resp.status_code == 400
    resp = client.get(f"{base}/eth/v1/beacon/states/head/sync_committees", params={"epoch": "3"})
    assert (
        resp.status_code == 400 and "outside the sync committee periods" in resp.json()["message"]
    )
    resp = client.post(f"{base}/eth/v1/beacon/rewards/attestations/5", json=["999"])
    assert resp.status_code == 400
    resp = client.get(f"{base}/eth/v1/beacon/rewards/attestations/5")
    assert resp.status_code == 405
    relay = server.relay_url(net.relays[0]) + "/relay/v1/data/bidtraces/proposer_payload_delivered"
    assert client.get(relay, params={"slot": "5", "cursor": "9"}).status_code == 400
    resp = client.get(relay, params={"limit": "201"})
    assert resp.status_code == 400 and resp.json()["message"] == "maximum limit is 200"
    assert len(get(client, relay, limit="3")) == 3
    body = rpc(client, server.execution_url, "eth_getLogs", [])
    assert body["error"]["code"] == -32601
    beyond = max(b.execution.number for b in net.blocks.values()) + 1
    assert (
        rpc(client, server.execution_url, "eth_getBlockByNumber", [hex(beyond), False])["result"]
        is None
    )


def test_head_bounds_what_is_served(
    client: httpx.Client, server: EthereumSimulatorServer, net: Network
) -> None:
    slot = max(net.blocks)
    server.set_head_slot(slot - 1)
    assert client.get(f"{server.beacon_url}/eth/v2/beacon/blocks/{slot}").status_code == 404
    number = net.blocks[slot].execution.number
    assert (
        rpc(client, server.execution_url, "eth_getBlockByNumber", [hex(number), False])["result"]
        is None
    )
    server.set_head_slot(slot)
    assert client.get(f"{server.beacon_url}/eth/v2/beacon/blocks/{slot}").status_code == 200
    fin = get(client, f"{server.beacon_url}/eth/v1/beacon/states/head/finality_checkpoints")
    assert int(fin["data"]["finalized"]["epoch"]) == net.finalized_epoch(server.head_epoch)


# ----------------------------------------------------------------------------- clients
def _config(kind: str, url: str, **extra: Any) -> ProviderConfig:
    values: dict[str, Any] = {
        "kind": kind,
        "chain": "ethereum",
        "url": url,
        "rate_limit_per_second": 10_000,
        "max_concurrency": 4,
        "timeout_seconds": 5,
    }
    values.update(extra)
    return ProviderConfig(**values)


class Clients:
    def __init__(self, server: EthereumSimulatorServer, **extra: Any) -> None:
        retry = RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.05)
        self.https = [
            ProviderHttpClient(
                "beacon", _config("beacon_api", server.beacon_url, **extra), retry=retry
            ),
            ProviderHttpClient(
                "execution",
                _config("ethereum_json_rpc", server.execution_url, **extra),
                retry=retry,
            ),
        ]
        self.beacon = BeaconClient(self.https[0])
        self.execution = ExecutionClient(self.https[1])
        self.relays = {}
        for name in server.network.relays:
            http = ProviderHttpClient(
                name, _config("mev_relay", server.relay_url(name), **extra), retry=retry
            )
            self.https.append(http)
            self.relays[name] = RelayClient(http)

    async def close(self) -> None:
        for provider in self.https:
            await provider.aclose()


async def served_day_figures(
    server: EthereumSimulatorServer,
) -> dict[tuple[str, str], dict[str, int]]:
    """Fetch what §8 says to fetch for every closed day, through the clients, and apply §8's
    rules to the answers (as the warehouse will): the figures per (validator_id, period_id)."""
    c = Clients(server)
    try:
        genesis = (await c.beacon.genesis()).value.data
        spec = (await c.beacon.spec()).value.data
        timing = BeaconTiming.of(genesis, spec)
        finalized = (await c.beacon.finality_checkpoints()).value.data.finalized.epoch
        ops = list(server.network.operator_indices)
        declared = {i: server.network.validators[i].fee_recipient for i in ops}
        out: dict[tuple[str, str], dict[str, int]] = {}
        day = timing.day_of_epoch(0)
        while timing.is_day_closed(day, finalized):
            figures = {i: Counter[str]() for i in ops}
            epochs = timing.day_epochs(day)
            for epoch in epochs:
                for fetched in await c.beacon.attestation_rewards_batched(epoch, ops):
                    for r in fetched.value.data.total_rewards:
                        figures[r.validator_index]["cons"] += (
                            r.head + r.target + r.source + r.inactivity
                        )
                committee = (
                    await c.beacon.sync_committee(
                        timing.first_slot(epoch), epoch, expected_size=spec.sync_committee_size
                    )
                ).value.data.validators
                members = sorted(set(committee) & set(ops))
                duties = (await c.beacon.proposer_duties(epoch)).value.data
                for slot in timing.slots(epoch):
                    if members:
                        sync = await c.beacon.sync_committee_rewards(slot, members)
                        if not isinstance(sync, NoBlock):
                            for s in sync.value.data:
                                figures[s.validator_index]["cons"] += s.reward
                for duty in duties:
                    if duty.validator_index not in figures:
                        continue
                    v = duty.validator_index
                    block = await c.beacon.block(duty.slot, expected_proposer=v)
                    if isinstance(block, NoBlock):
                        figures[v]["missed"] += 1
                        continue
                    rewards = await c.beacon.block_rewards(duty.slot, expected_proposer=v)
                    assert not isinstance(rewards, NoBlock)
                    figures[v]["cons"] += rewards.value.data.total
                    payload = block.value.data.message.body.execution_payload
                    el = (
                        await c.execution.get_block_by_number(
                            payload.block_number, full=True, expected=payload
                        )
                    ).value
                    assert isinstance(el, ExecutionBlockFull)
                    receipts = (
                        await c.execution.get_block_receipts(payload.block_number, block=el)
                    ).value
                    fees = sum(
                        r.gas_used * (r.effective_gas_price - el.base_fee_per_gas) for r in receipts
                    )
                    reporting = []
                    for relay in c.relays.values():
                        for trace in (await relay.proposer_payload_delivered(duty.slot)).value:
                            if trace.block_hash == payload.block_hash:
                                reporting.append(trace)
                    if not reporting:
                        if payload.fee_recipient == declared[v]:
                            figures[v]["fees"] += fees
                        continue
                    recipient = reporting[0].proposer_fee_recipient
                    if recipient != declared[v]:
                        continue
                    if payload.fee_recipient == recipient:
                        figures[v]["fees"] += fees
                    last, last_receipt = el.transactions[-1], receipts[-1]
                    if last.to == recipient and last_receipt.status == 1:
                        figures[v]["mev"] += last.value
            for v, counts in figures.items():
                out[(str(v), day.isoformat())] = {
                    "consensus_rewards_wei": counts["cons"] * 10**9,
                    "execution_fees_wei": counts["fees"],
                    "mev_wei": counts["mev"],
                    "missed_proposals": counts["missed"],
                }
            day = day.fromordinal(day.toordinal() + 1)
        return out
    finally:
        await c.close()


def test_every_served_amount_sums_to_the_truth(
    server: EthereumSimulatorServer, net: Network
) -> None:
    server.set_head_slot(net.last_slot)
    served = asyncio.run(served_day_figures(server))
    expected = {
        (r.validator_id, r.period_id): {
            "consensus_rewards_wei": r.consensus_rewards_wei,
            "execution_fees_wei": r.execution_fees_wei,
            "mev_wei": r.mev_wei,
            "missed_proposals": r.missed_proposals,
        }
        for r in truth.validator_days(net, only_closed=True)
    }
    assert served == expected
    assert any(f["mev_wei"] > 2**64 for f in served.values())
    assert any(f["consensus_rewards_wei"] < 0 for f in served.values())


def test_pruned_node_names_the_epoch(server: EthereumSimulatorServer) -> None:
    server.set_prune_before_epoch(40)

    async def go() -> None:
        c = Clients(server)
        try:
            with pytest.raises(RewardsNotAvailable) as info:
                await c.beacon.attestation_rewards(39, [3])
            assert info.value.epoch == 39 and "archive" in str(info.value)
            await c.beacon.spec()
            slot = min(s for s in server.network.blocks if s // 7 == 39)
            with pytest.raises(RewardsNotAvailable) as info:
                await c.beacon.block_rewards(slot)
            assert info.value.epoch == 39
            assert not isinstance(await c.beacon.block(slot), NoBlock)  # blocks are kept
            await c.beacon.attestation_rewards(40, [3])
        finally:
            await c.close()

    try:
        asyncio.run(go())
    finally:
        server.set_prune_before_epoch(0)


# ------------------------------------------------------------------------- determinism
URLS = [
    "/beacon/eth/v1/beacon/genesis",
    "/beacon/eth/v1/config/spec",
    "/beacon/eth/v1/validator/duties/proposer/30",
    "/beacon/eth/v2/beacon/blocks/300",
    "/beacon/eth/v1/beacon/rewards/blocks/301",
    "/beacon/eth/v1/beacon/states/400/validators?id=3,7,12,25",
    "/beacon/eth/v1/beacon/states/400/sync_committees?epoch=57",
    "/relays/relay-a/relay/v1/data/bidtraces/proposer_payload_delivered?limit=50",
    "/relays/relay-b/relay/v1/data/bidtraces/proposer_payload_delivered?limit=50",
]


def _bytes_of(srv: EthereumSimulatorServer) -> list[bytes]:
    out = []
    with httpx.Client(timeout=10) as c:
        for url in URLS:
            out.append(c.get(srv.base_url + url).content)
        out.append(
            c.post(
                srv.beacon_url + "/eth/v1/beacon/rewards/attestations/58", json=["3", "7", "12"]
            ).content
        )
        out.append(
            c.post(srv.beacon_url + "/eth/v1/beacon/rewards/sync_committee/300", json=[]).content
        )
        for method, params in (
            ("eth_getBlockByNumber", ["0x1406f5e", True]),
            ("eth_getBlockReceipts", ["0x1406f5e"]),
        ):
            out.append(
                c.post(
                    srv.execution_url,
                    json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                ).content
            )
    return out


def test_same_seed_same_bytes(server: EthereumSimulatorServer) -> None:
    server.set_head_slot(server.network.last_slot)
    first = _bytes_of(server)
    with EthereumSimulatorServer(build_network(Scenario())) as again:
        assert _bytes_of(again) == first
    with EthereumSimulatorServer(build_network(Scenario(seed=99))) as other:
        assert _bytes_of(other) != first
    assert all(b'"code"' not in body for body in first[:7])


# ------------------------------------------------------------------------------ faults
def _outcomes(srv: EthereumSimulatorServer, n: int) -> list[str]:
    out = []
    with httpx.Client(timeout=10) as c:
        for _ in range(n):
            try:
                resp = c.get(srv.beacon_url + "/eth/v1/beacon/genesis")
            except httpx.RemoteProtocolError:
                out.append("truncated")
                continue
            if resp.status_code == 429:
                assert resp.headers["Retry-After"].isdigit()
                out.append("429")
            elif resp.status_code >= 500:
                out.append("5xx")
            else:
                try:
                    json.loads(resp.content)
                    out.append("ok")
                except ValueError:
                    out.append("malformed")
    return out


def test_faults_are_deterministic(net: Network) -> None:
    cfg = FaultConfig(seed=3, rate_429=0.1, rate_5xx=0.1, rate_malformed=0.1, rate_truncated=0.05)
    with EthereumSimulatorServer(net, faults=cfg) as srv:
        first = _outcomes(srv, 300)
        log = srv.fault_log
        srv.reset_faults(cfg)
        again = _outcomes(srv, 300)
        srv.reset_faults(
            FaultConfig(seed=4, rate_429=0.1, rate_5xx=0.1, rate_malformed=0.1, rate_truncated=0.05)
        )
        other = _outcomes(srv, 300)
        assert srv.request_log == {"beacon:/eth/v1/beacon/genesis": 900}
    counts = Counter(first)
    for kind in ("429", "5xx", "malformed", "truncated"):
        assert counts[kind] > 5 and log[kind] == counts[kind], kind
    assert again == first and other != first


def test_clients_ride_out_faults_and_timeouts(net: Network) -> None:
    cfg = FaultConfig(
        seed=5,
        rate_429=0.08,
        rate_5xx=0.08,
        rate_malformed=0.05,
        rate_truncated=0.05,
        rate_timeout=0.03,
        timeout_delay_s=0.6,
    )
    with EthereumSimulatorServer(net, faults=cfg) as srv:

        async def go() -> list[int]:
            c = Clients(srv, timeout_seconds=0.3, max_retries=12)
            try:
                totals = []
                for epoch in range(20, 26):
                    [fetched] = await c.beacon.attestation_rewards_batched(
                        epoch, net.operator_indices
                    )
                    totals.append(
                        sum(
                            r.head + r.target + r.source + r.inactivity
                            for r in fetched.value.data.total_rewards
                        )
                    )
                return totals
            finally:
                await c.close()

        totals = asyncio.run(go())
        assert sum(srv.fault_log.values()) > 0
    expected = [
        sum(
            r.head + r.target + r.source + r.inactivity
            for i, r in net.attestations[e].items()
            if i in net.operator_indices
        )
        for e in range(20, 26)
    ]
    assert totals == expected


def test_down_switch(net: Network) -> None:
    with EthereumSimulatorServer(net) as srv:
        srv.set_down(True)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        conn.request("GET", "/beacon/eth/v1/beacon/genesis")
        assert conn.getresponse().status == 503
        conn.close()
        srv.set_down(False)
        with httpx.Client() as c:
            assert c.get(srv.beacon_url + "/eth/v1/beacon/genesis").status_code == 200
