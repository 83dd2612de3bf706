"""The simulator over real HTTP on loopback: shapes, error codes, paging, truth agreement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.simulator import truth
from ingest.simulator.network import STAKE_PROGRAM_ID, Network, Scenario, build_network
from ingest.simulator.server import Disagreements, SimulatorServer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "provider-samples" / "solana"
BLOCK_CFG = {
    "encoding": "json",
    "transactionDetails": "none",
    "rewards": True,
    "maxSupportedTransactionVersion": 0,
}


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def key_paths(obj: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value; list items share the path ``[]``."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(f"{prefix}.{k}")
            out |= key_paths(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for item in obj:
            out |= key_paths(item, f"{prefix}[]")
    return out


class Rpc:
    def __init__(self, client: httpx.Client, url: str) -> None:
        self.client = client
        self.url = url
        self.next_id = 0

    def call(self, method: str, params: list[Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or []}
        resp = self.client.post(self.url, json=body)
        assert resp.status_code == 200, resp.text
        data: dict[str, Any] = resp.json()
        assert data["jsonrpc"] == "2.0" and data["id"] == self.next_id
        return data

    def result(self, method: str, params: list[Any] | None = None) -> Any:
        data = self.call(method, params)
        assert "error" not in data, data
        return data["result"]

    def error(self, method: str, params: list[Any] | None = None) -> dict[str, Any]:
        data = self.call(method, params)
        assert "result" not in data, data
        err: dict[str, Any] = data["error"]
        return err


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


@pytest.fixture(scope="module")
def server(net: Network) -> Iterator[SimulatorServer]:
    with SimulatorServer(net) as srv:
        yield srv


@pytest.fixture()
def rpc(server: SimulatorServer) -> Iterator[Rpc]:
    server.set_tip_slot(server.network.default_tip_slot)
    with httpx.Client(timeout=10) as client:
        yield Rpc(client, server.rpc_url)


# ---------------------------------------------------------------- shapes


def test_epoch_schedule_and_info_shapes(rpc: Rpc, net: Network) -> None:
    schedule = rpc.result("getEpochSchedule")
    assert set(schedule) == set(sample("getEpochSchedule.solana-go-testnet-fixture.json")["result"])
    assert schedule == {
        "firstNormalEpoch": 0,
        "firstNormalSlot": 0,
        "leaderScheduleSlotOffset": 64,
        "slotsPerEpoch": 64,
        "warmup": False,
    }
    info = rpc.result("getEpochInfo")
    assert set(info) == set(sample("getEpochInfo.solana-go-testnet-fixture.json")["result"])
    assert info["epoch"] == net.n_epochs
    assert info["absoluteSlot"] - info["slotIndex"] == net.n_epochs * 64


def test_vote_accounts_shape(rpc: Rpc, net: Network) -> None:
    result = rpc.result("getVoteAccounts")
    real = sample("getVoteAccounts.solana-go-testnet-fixture.json")["result"]
    assert set(result) == set(real)
    # the real answer lists one delinquent account: every entry has that entry's key paths
    expected = key_paths(real["delinquent"][0])
    assert all(key_paths(entry) == expected for entry in result["current"])
    assert len(result["current"]) == len(net.validators)
    v = net.features()["commission_change"]
    one = rpc.result("getVoteAccounts", [{"votePubkey": v["validator"]}])
    assert [e["votePubkey"] for e in one["current"]] == [v["validator"]]
    assert one["current"][0]["commission"] == v["to_pct"]  # the tip epoch's commission
    entry = one["current"][0]
    validator = net.validator_by_vote(v["validator"])
    assert validator is not None and entry["nodePubkey"] == validator.identity_pubkey
    assert all(prev <= cur for _, cur, prev in entry["epochCredits"])


def test_leader_schedule(rpc: Rpc, net: Network) -> None:
    v = net.operator_validators[0]
    for epoch in net.closed_epochs:
        result = rpc.result("getLeaderSchedule", [epoch * 64, {"identity": v.identity_pubkey}])
        mine = [s - epoch * 64 for s in net.leader_slots(v.index, epoch)]
        assert result == ({v.identity_pubkey: mine} if mine else {})
    epoch = 5
    full = rpc.result("getLeaderSchedule", [epoch * 64 + 10])
    assert sum(len(x) for x in full.values()) == 64
    shape = sample("getLeaderSchedule.solana-go-testnet-fixture.json")["result"]
    assert all(isinstance(k, str) and isinstance(x, list) for k, x in shape.items())
    assert rpc.result("getLeaderSchedule", [(net.n_epochs + 5) * 64]) is None


def test_block_shape_and_rewards(rpc: Rpc, net: Network) -> None:
    v = net.operator_validators[4]
    slot = next(s for s in net.leader_slots(v.index, 3) if net.is_produced(s))
    block = rpc.result("getBlock", [slot, BLOCK_CFG])
    real = sample("getBlock.solana-go-testnet-fixture.json")["result"]
    assert set(real) - {"transactions"} <= set(block)
    assert set(real["rewards"][0]) <= set(block["rewards"][0])
    assert block["rewards"][0] == {
        "pubkey": v.identity_pubkey,
        "lamports": net.fee_reward(slot),
        "postBalance": net.identity_post_balance(slot),
        "rewardType": "Fee",
        "commission": None,
    }
    assert block["blockTime"] == net.genesis_unix + slot * net.slot_seconds
    assert rpc.result("getBlockTime", [slot]) == block["blockTime"]
    assert "transactions" not in block and "signatures" not in block


def test_epoch_boundary_block_carries_voting_and_staking_rewards(rpc: Rpc, net: Network) -> None:
    epoch = 4
    first = net.first_produced_slot(epoch + 1)
    block = rpc.result("getBlock", [first, BLOCK_CFG])
    voting = {r["pubkey"]: r for r in block["rewards"] if r["rewardType"] == "Voting"}
    votes = [v.vote_pubkey for v in net.validators]
    answers = rpc.result("getInflationReward", [votes, {"epoch": epoch}])
    for vote, answer in zip(votes, answers, strict=True):
        if answer is None:
            assert vote not in voting
        else:
            assert voting[vote]["lamports"] == answer["amount"]
            assert voting[vote]["postBalance"] == answer["postBalance"]
            assert answer["effectiveSlot"] == first
    staking: dict[str, dict[str, Any]] = {}
    for slot in net.partition_slots(epoch):
        b = rpc.result("getBlock", [slot, BLOCK_CFG])
        staking.update({r["pubkey"]: r for r in b["rewards"] if r["rewardType"] == "Staking"})
    accounts = [a.pubkey for a in net.stake_accounts]
    answers = rpc.result("getInflationReward", [accounts, {"epoch": epoch}])
    assert len(answers) == len(accounts)
    for pubkey, answer in zip(accounts, answers, strict=True):
        if answer is None:
            assert pubkey not in staking
        else:
            assert staking[pubkey]["lamports"] == answer["amount"]


def test_inflation_reward_shape_and_nulls(rpc: Rpc, net: Network) -> None:
    f = net.features()
    zero, full = f["zero_commission_validators"][0], f["full_commission_validators"][0]
    full_v = net.validator_by_vote(full)
    assert full_v is not None
    stake_of_full = net.accounts_of(full_v.index)[0].pubkey
    unknown = "11111111111111111111111111111111"
    result = rpc.result("getInflationReward", [[zero, full, stake_of_full, unknown], {"epoch": 3}])
    assert result[0] is None and result[2] is None and result[3] is None
    ref = sample("getInflationReward.spec-derived.json")["result"][0]
    assert set(result[1]) == set(ref)
    assert result[1]["commission"] == 100 and result[1]["epoch"] == 3
    # default epoch: the previous one
    default = rpc.result("getInflationReward", [[full]])
    assert default[0]["epoch"] == net.n_epochs - 1
    err = rpc.error("getInflationReward", [["not-base58-0OIl"], {"epoch": 3}])
    assert err["code"] == -32602


def test_program_accounts_shape(rpc: Rpc, net: Network) -> None:
    v = net.operator_validators[1]
    filters = [{"dataSize": 200}, {"memcmp": {"offset": 124, "bytes": v.vote_pubkey}}]
    result = rpc.result(
        "getProgramAccounts", [STAKE_PROGRAM_ID, {"encoding": "jsonParsed", "filters": filters}]
    )
    assert len(result) == len(net.accounts_of(v.index))
    ref = key_paths(sample("getProgramAccounts.stake-jsonParsed.spec-derived.json")["result"][0])
    ours = key_paths(result[0])
    assert ref <= ours
    info = result[0]["account"]["data"]["parsed"]["info"]
    delegation = info["stake"]["delegation"]
    assert delegation["voter"] == v.vote_pubkey
    for text in (
        delegation["stake"],
        delegation["activationEpoch"],
        info["meta"]["rentExemptReserve"],
    ):
        assert isinstance(text, str) and text.isdigit()
    assert delegation["deactivationEpoch"] == "18446744073709551615"
    assert result[0]["account"]["rentEpoch"] == 2**64 - 1  # an exact JSON integer above 2^63
    assert result[0]["account"]["owner"] == STAKE_PROGRAM_ID
    # the truth snapshot is what the RPC serves
    snap = {r["stake_pubkey"]: r for r in truth.stake_accounts_snapshot(net)}
    for item in result:
        row = snap[item["pubkey"]]
        assert row["lamports"] == item["account"]["lamports"]
        assert (
            str(row["delegated_stake"])
            == item["account"]["data"]["parsed"]["info"]["stake"]["delegation"]["stake"]
        )
    w = net.features()["cross_validator_withdrawers"][0]
    by_w = rpc.result(
        "getProgramAccounts",
        [
            STAKE_PROGRAM_ID,
            {"encoding": "jsonParsed", "filters": [{"memcmp": {"offset": 44, "bytes": w}}]},
        ],
    )
    assert (
        len({i["account"]["data"]["parsed"]["info"]["stake"]["delegation"]["voter"] for i in by_w})
        >= 2
    )
    ctx = rpc.result(
        "getProgramAccounts",
        [STAKE_PROGRAM_ID, {"encoding": "jsonParsed", "withContext": True, "filters": filters}],
    )
    assert ctx["context"]["slot"] == net.default_tip_slot and len(ctx["value"]) == len(result)


def test_large_integers_are_exact_json(server: SimulatorServer, net: Network) -> None:
    v = net.operator_validators[1]
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "getProgramAccounts",
        "params": [
            STAKE_PROGRAM_ID,
            {
                "encoding": "jsonParsed",
                "filters": [{"memcmp": {"offset": 124, "bytes": v.vote_pubkey}}],
            },
        ],
    }
    raw = httpx.post(server.rpc_url, json=body, timeout=10).text
    assert '"rentEpoch":18446744073709551615' in raw
    assert "e+" not in raw.lower()


# ---------------------------------------------------------------- error codes


def test_skipped_and_future_slots(rpc: Rpc, server: SimulatorServer, net: Network) -> None:
    skipped = net.features()["skipped_leader_slots"][0]["slot"]
    for method in ("getBlock", "getBlockTime"):
        params: list[Any] = [skipped, BLOCK_CFG] if method == "getBlock" else [skipped]
        err = rpc.error(method, params)
        assert err["code"] == -32007
        assert err["message"] == (
            f"Slot {skipped} was skipped, or missing due to ledger jump to recent snapshot"
        )
        future = server.tip_slot + 1
        err = rpc.error(method, [future, BLOCK_CFG] if method == "getBlock" else [future])
        assert err["code"] == -32004 and str(future) in err["message"]


def test_rewards_period_active_and_unclosed_epoch(
    rpc: Rpc, server: SimulatorServer, net: Network
) -> None:
    vote = net.operator_validators[3].vote_pubkey
    epoch = 9
    first = net.schedule.first_slot(epoch + 1)
    assert net.first_produced_slot(epoch + 1) == first
    server.set_tip_slot(first + 1)
    err = rpc.error("getInflationReward", [[vote], {"epoch": epoch}])
    assert err["code"] == -32017
    assert err["message"] == f"Epoch rewards period still active at slot {first + 1}"
    assert set(err["data"]) == {"currentBlockHeight", "rewardsCompleteBlockHeight", "slot"}
    server.set_tip_slot(net.rewards_complete_slot(epoch))
    assert rpc.result("getInflationReward", [[vote], {"epoch": epoch}])[0]["epoch"] == epoch
    err = rpc.error("getInflationReward", [[vote], {"epoch": epoch + 1}])
    assert err["code"] == -32004
    # the month-end epoch: no block yet in E+1 while its first slots are being skipped
    me = net.features()["month_end"]
    server.set_tip_slot(me["forced_skipped_slots"][5])
    assert rpc.error("getInflationReward", [[vote], {"epoch": me["epoch"]}])["code"] == -32004
    server.set_tip_slot(me["first_produced_slot"])
    assert rpc.error("getInflationReward", [[vote], {"epoch": me["epoch"]}])["code"] == -32017


def test_unknown_method_and_bad_json(server: SimulatorServer, rpc: Rpc) -> None:
    assert rpc.error("getNothing")["code"] == -32601
    resp = httpx.post(server.rpc_url, content=b"{nope", timeout=10)
    assert resp.json()["error"]["code"] == -32700


def test_batch_requests(server: SimulatorServer, net: Network) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": i, "method": "getBlockTime", "params": [s]}
        for i, s in enumerate(net.produced_slots(2)[:5])
    ]
    resp = httpx.post(server.rpc_url, json=batch, timeout=10).json()
    assert [r["id"] for r in resp] == list(range(5))
    assert all(
        r["result"] == net.block_time(s) for r, s in zip(resp, net.produced_slots(2), strict=False)
    )


def test_get_blocks(rpc: Rpc, net: Network) -> None:
    me = net.features()["month_end"]
    first = net.schedule.first_slot(me["next_epoch"])
    blocks = rpc.result("getBlocks", [first, first + 63])
    assert blocks == net.produced_slots(me["next_epoch"])
    assert blocks[0] == me["first_produced_slot"]
    assert rpc.result("getBlocksWithLimit", [first, 1]) == [me["first_produced_slot"]]


def test_concurrent_clients_on_a_fresh_network() -> None:
    """Lazy reward computation and vote generation are safe under concurrent requests."""
    fresh = build_network(Scenario(seed=99))
    addresses = [a.pubkey for a in fresh.stake_accounts[:200]]
    vote = fresh.operator_validators[0].vote_pubkey

    def work(epoch: int) -> tuple[Any, Any]:
        with httpx.Client(timeout=30) as client:
            rpc = Rpc(client, srv.rpc_url)
            rewards = rpc.result("getInflationReward", [addresses, {"epoch": epoch}])
            sigs = rpc.result("getSignaturesForAddress", [vote, {"limit": 50}])
            return rewards, sigs

    with SimulatorServer(fresh) as srv, ThreadPoolExecutor(max_workers=8) as pool:
        epochs = [23, 5, 17, 0, 23, 11, 5, 20] * 2
        results = list(pool.map(work, epochs))
    for epoch, (rewards, sigs) in zip(epochs, results, strict=True):
        expected = [fresh.stake_reward(i, epoch) for i in range(200)]
        assert [r["amount"] if r else None for r in rewards] == [
            r.amount if r else None for r in expected
        ]
        assert sigs == results[0][1]


# ---------------------------------------------------------------- signatures


def test_signature_paging_returns_each_signature_once(rpc: Rpc, net: Network) -> None:
    v = net.operator_validators[2]
    seen: list[dict[str, Any]] = []
    before: str | None = None
    while True:
        cfg: dict[str, Any] = {"limit": 97}
        if before:
            cfg["before"] = before
        page = rpc.result("getSignaturesForAddress", [v.vote_pubkey, cfg])
        if not page:
            break
        assert len(page) <= 97
        seen.extend(page)
        before = page[-1]["signature"]
    sigs = [s["signature"] for s in seen]
    assert len(sigs) == len(set(sigs))
    tip = net.default_tip_slot
    expected = {
        t.signature for e in range(net.n_epochs + 1) for t in net.votes(v.index, e) if t.slot <= tip
    }
    assert set(sigs) == expected
    slots = [s["slot"] for s in seen]
    assert slots == sorted(slots, reverse=True)
    # per epoch, the count matches the truth's vote_tx_count
    ve = {r["epoch"]: r for r in truth.validator_epochs(net) if r["validator_id"] == v.vote_pubkey}
    for epoch in net.closed_epochs:
        n = sum(1 for s in slots if net.schedule.epoch_of(s) == epoch)
        assert n == ve[epoch]["vote_tx_count"]
    failed = [s for s in seen if s["err"] is not None]
    assert failed and failed[0]["err"] == {"InstructionError": [0, {"Custom": 0}]}
    assert set(seen[0]) == {"signature", "slot", "err", "memo", "blockTime", "confirmationStatus"}
    # `until` stops before the given signature
    until = sigs[150]
    upto = rpc.result("getSignaturesForAddress", [v.vote_pubkey, {"limit": 1000, "until": until}])
    assert [s["signature"] for s in upto] == sigs[:150]
    assert rpc.error("getSignaturesForAddress", [v.vote_pubkey, {"limit": 1001}])["code"] == -32602


# ---------------------------------------------------------------- Kobe


def test_kobe_validators_and_rewards(server: SimulatorServer, net: Network) -> None:
    epoch = 6
    with httpx.Client(timeout=10) as client:
        resp = client.post(f"{server.kobe_url}/api/v1/validators", json={"epoch": epoch})
        assert resp.status_code == 200
        validators = resp.json()["validators"]
        assert len(validators) == len(net.validators)
        ref = sample("jito-kobe.validators.spec-derived.json")["validators"][0]
        assert set(ref) | {"identity_account"} == set(validators[0])
        no_jito = net.features()["no_jito_validators"][0]
        entry = next(x for x in validators if x["vote_account"] == no_jito)
        assert entry["running_jito"] is False and entry["mev_rewards"] == 0
        v = net.operator_validators[4]
        mine = next(x for x in validators if x["vote_account"] == v.vote_pubkey)
        assert mine["mev_rewards"] == net.mev(v.index, epoch).mev_rewards > 0
        params = {"vote_account": v.vote_pubkey, "epoch": epoch, "limit": 10, "page": 1}
        rewards = client.get(f"{server.kobe_url}/api/v1/validator_rewards", params=params).json()
        ref_r = sample("jito-kobe.validator_rewards.spec-derived.json")
        assert set(rewards) == set(ref_r)
        assert set(rewards["rewards"][0]) == set(ref_r["rewards"][0])
        assert (
            rewards["total_count"] == 1
            and rewards["rewards"][0]["mev_revenue"] == mine["mev_rewards"]
        )
        # paging over every validator of the epoch
        pages = [
            client.get(
                f"{server.kobe_url}/api/v1/validator_rewards",
                params={"epoch": epoch, "limit": 3, "page": p},
            ).json()
            for p in (1, 2, 3, 4)
        ]
        listed = [r["vote_account"] for p in pages for r in p["rewards"]]
        assert len(listed) == len(set(listed)) == pages[0]["total_count"]
        # the tip epoch is not closed: nothing published yet
        tip = client.post(f"{server.kobe_url}/api/v1/validators", json={"epoch": net.n_epochs})
        assert tip.json() == {"validators": []}


def test_kobe_withholding(net: Network) -> None:
    with SimulatorServer(net, kobe_withhold_epochs=2) as srv, httpx.Client(timeout=10) as client:

        def count(epoch: int) -> int:
            r = client.post(f"{srv.kobe_url}/api/v1/validators", json={"epoch": epoch})
            return len(r.json()["validators"])

        last = net.n_epochs - 1
        assert count(last) == 0 and count(last - 1) == 0 and count(last - 2) == len(net.validators)
        srv.publish_kobe()
        assert count(last) == len(net.validators)


# ---------------------------------------------------------------- truth agreement


def test_served_facts_reproduce_truth_validator_epochs(
    rpc: Rpc, server: SimulatorServer, net: Network
) -> None:
    """An ingestion-like pass over HTTP for one validator gives the truth's numbers."""
    v = net.features()["commission_change"]["validator"]
    validator = net.validator_by_vote(v)
    assert validator is not None
    rows = {r["epoch"]: r for r in truth.validator_epochs(net) if r["validator_id"] == v}
    with httpx.Client(timeout=10) as client:
        for epoch in (0, 11, 12, net.features()["month_end"]["epoch"]):
            first = epoch * 64
            schedule = rpc.result(
                "getLeaderSchedule", [first, {"identity": validator.identity_pubkey}]
            )
            fees = produced = skipped = 0
            for idx in schedule.get(validator.identity_pubkey, []):
                data = rpc.call("getBlock", [first + idx, BLOCK_CFG])
                if "error" in data:
                    assert data["error"]["code"] == -32007
                    skipped += 1
                    continue
                produced += 1
                fees += sum(
                    r["lamports"]
                    for r in data["result"]["rewards"]
                    if r["rewardType"] == "Fee" and r["pubkey"] == validator.identity_pubkey
                )
            infl = rpc.result("getInflationReward", [[v], {"epoch": epoch}])[0]
            kobe = client.post(f"{server.kobe_url}/api/v1/validators", json={"epoch": epoch}).json()
            mev = next(x for x in kobe["validators"] if x["vote_account"] == v)
            row = rows[epoch]
            assert (produced, skipped, fees) == (
                row["produced_blocks"],
                row["skipped_slots"],
                row["block_fees"],
            )
            assert infl["amount"] == row["inflation_commission"]
            assert infl["commission"] == row["commission_pct"]
            assert mev["mev_rewards"] * mev["mev_commission_bps"] // 10_000 == row["mev_commission"]


def test_disagreements_are_exactly_the_logged_ones(net: Network) -> None:
    count = 7
    with (
        SimulatorServer(net) as good,
        SimulatorServer(net, disagreements=Disagreements(seed=3, count=count)) as bad,
        httpx.Client(timeout=30) as client,
    ):
        log = bad.disagreement_log()
        assert len(log) == count
        assert {d["method"] for d in log} == {
            "getBlock",
            "getInflationReward",
            "kobe:/api/v1/validators",
        }
        assert all(d["served_value"] != d["true_value"] for d in log)

        def post(url: str, body: Any) -> Any:
            return client.post(url, json=body).json()

        found: list[tuple[str, tuple[Any, ...], int, int]] = []
        ops = net.operator_validators
        # block Fee rewards of every operator leader block
        slots = [
            s
            for v in ops
            for e in net.closed_epochs
            for s in net.leader_slots(v.index, e)
            if net.is_produced(s)
        ]
        batch = [
            {"jsonrpc": "2.0", "id": s, "method": "getBlock", "params": [s, BLOCK_CFG]}
            for s in slots
        ]
        for a, b in zip(post(good.rpc_url, batch), post(bad.rpc_url, batch), strict=True):
            fa, fb = a["result"]["rewards"][0], b["result"]["rewards"][0]
            if fa != fb:
                found.append(("getBlock", (a["id"],), fa["lamports"], fb["lamports"]))
        # inflation rewards of every operator address
        addresses = [v.vote_pubkey for v in ops] + [
            a.pubkey for v in ops for a in net.accounts_of(v.index)
        ]
        for epoch in net.closed_epochs:
            body = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "getInflationReward",
                "params": [addresses, {"epoch": epoch}],
            }
            ra, rb = post(good.rpc_url, body)["result"], post(bad.rpc_url, body)["result"]
            for addr, x, y in zip(addresses, ra, rb, strict=True):
                if x != y:
                    found.append(("getInflationReward", (epoch, addr), x["amount"], y["amount"]))
            ka = post(f"{good.kobe_url}/api/v1/validators", {"epoch": epoch})["validators"]
            kb = post(f"{bad.kobe_url}/api/v1/validators", {"epoch": epoch})["validators"]
            for x, y in zip(ka, kb, strict=True):
                if x != y:
                    found.append(
                        (
                            "kobe:/api/v1/validators",
                            (epoch, x["vote_account"]),
                            x["mev_rewards"],
                            y["mev_rewards"],
                        )
                    )
        logged = sorted(
            (
                d["method"],
                tuple(
                    v
                    for k, v in d["key"].items()
                    if k in ("slot", "epoch", "address", "vote_account")
                ),
                d["true_value"],
                d["served_value"],
            )
            for d in log
        )
        assert sorted(found) == logged
