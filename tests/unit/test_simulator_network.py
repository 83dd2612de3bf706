"""The simulated network: determinism, base58, the commission split and the demo features."""

from __future__ import annotations

import csv
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.simulator import truth
from ingest.simulator.network import (
    STAKE_PROGRAM_ID,
    STAKE_RENT_EXEMPT_RESERVE,
    Network,
    Scenario,
    b58decode,
    b58encode,
    build_network,
    commission_split,
    is_pubkey,
)


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


def test_base58_known_vectors() -> None:
    # The Stake program id: its bytes appear as the web3.js `_bn` owner in the cookbook sample.
    owner = bytes.fromhex("06a1d8179137542a983437bdfe2a7ab2557f535c8a78722b68a49dc000000000")
    assert b58encode(owner) == STAKE_PROGRAM_ID
    assert b58encode(bytes(32)) == "11111111111111111111111111111111"
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert b58decode("StV1DL6CwTryKyV") == b"hello world"
    assert b58decode(STAKE_PROGRAM_ID) == owner
    assert is_pubkey(STAKE_PROGRAM_ID)
    assert not is_pubkey("0OIl")  # characters outside the alphabet
    assert not is_pubkey("StV1DL6CwTryKyV")  # 11 bytes, not 32


def test_commission_split_on_known_numbers() -> None:
    assert commission_split(1_000_000_007, 7) == (70_000_000, 930_000_006)
    assert commission_split(999, 0) == (0, 999)
    assert commission_split(999, 100) == (999, 0)
    assert commission_split(199, 50) == (99, 99)  # one lamport of dust is lost, as on chain
    assert commission_split(10**18 + 1, 3) == (3 * 10**16, 97 * 10**16)


def test_rewards_follow_the_split(net: Network) -> None:
    for v in net.operator_validators:
        for epoch in net.closed_epochs:
            c = v.commission_pct[epoch]
            voter_total = 0
            for a in net.accounts_of(v.index):
                voter, staker = commission_split(net.inflation_on(a.index, epoch), c)
                voter_total += voter
                reward = net.stake_reward(a.index, epoch)
                assert (reward.amount if reward else 0) == staker
                if reward is not None:
                    assert reward.commission == c
            vote_reward = net.vote_reward(v.index, epoch)
            assert (vote_reward.amount if vote_reward else 0) == voter_total


def test_balances_compound_but_delegation_is_constant(net: Network) -> None:
    a = net.accounts_of(net.operator_validators[-1].index)[0]
    balance = a.initial_lamports
    assert balance >= a.delegated_stake + STAKE_RENT_EXEMPT_RESERVE
    for epoch in net.closed_epochs:
        reward = net.stake_reward(a.index, epoch)
        balance += reward.amount if reward else 0
        assert net.stake_balance(a.index, epoch) == balance
        if reward:
            assert reward.post_balance == balance
    # the on-chain delegation never moves: rewards raise lamports only
    assert net.stake_account(a.pubkey) == a


def test_same_seed_gives_identical_truth_bytes(tmp_path: Path) -> None:
    dirs = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    truth.write_truth(build_network(Scenario()), dirs[0])
    truth.write_truth(build_network(Scenario()), dirs[1])
    truth.write_truth(build_network(Scenario(seed=8)), dirs[2])
    names = ["validator_epochs.csv", "stake_rewards.csv", "stake_accounts.csv"]
    for name in names:
        assert (dirs[0] / name).read_bytes() == (dirs[1] / name).read_bytes(), name
        assert (dirs[0] / name).read_bytes() != (dirs[2] / name).read_bytes(), name


def test_amounts_are_ints_and_magnitudes_plausible(net: Network) -> None:
    rows = truth.validator_epochs(net)
    for row in rows:
        for key in ("inflation_commission", "block_fees", "mev_rewards", "mev_commission"):
            assert type(row[key]) is int
        assert 5_000_000 * row["produced_blocks"] <= row["block_fees"]
        assert row["block_fees"] <= 15_000_000 * row["produced_blocks"]
    mev = [r["mev_rewards"] for r in rows if r["mev_rewards"]]
    # reference §4: ~19 SOL per 2-day epoch for 500k SOL; our epochs last 4 days
    assert all(10**9 <= m <= 200 * 10**9 for m in mev)


def test_leader_schedule_runs_of_four_weighted_by_stake(net: Network) -> None:
    counts = [0] * len(net.validators)
    for epoch in range(net.n_epochs + 1):
        schedule = net.leader_schedule(epoch)
        assert sum(len(s) for s in schedule.values()) == net.slots_per_epoch
        for indices in schedule.values():
            assert len(indices) % 4 == 0
            for k in range(0, len(indices), 4):
                assert indices[k] % 4 == 0 and indices[k : k + 4] == list(
                    range(indices[k], indices[k] + 4)
                )
        for v in net.validators:
            counts[v.index] += len(net.leader_slots(v.index, epoch))
    biggest = max(range(len(counts)), key=lambda i: net.activated_stake(i, 0))
    smallest = min(range(len(counts)), key=lambda i: net.activated_stake(i, 0))
    assert counts[biggest] > counts[smallest]


# ---------------------------------------------------------------- demo features


def test_features_zero_and_full_commission(net: Network) -> None:
    f = net.features()
    zero = net.validator_by_vote(f["zero_commission_validators"][0])
    full = net.validator_by_vote(f["full_commission_validators"][0])
    assert zero is not None and zero.is_operator and full is not None and full.is_operator
    for epoch in net.closed_epochs:
        assert net.vote_reward(zero.index, epoch) is None
        assert all(net.stake_reward(a.index, epoch) is None for a in net.accounts_of(full.index))
        assert net.vote_reward(full.index, epoch) is not None


def test_features_no_jito_validator(net: Network) -> None:
    v = net.validator_by_vote(net.features()["no_jito_validators"][0])
    assert v is not None and v.is_operator
    for epoch in net.closed_epochs:
        m = net.mev(v.index, epoch)
        assert not m.running_jito and m.mev_rewards == 0 and m.mev_commission == 0


def test_features_skipped_slots_and_failed_votes(net: Network) -> None:
    f = net.features()
    assert f["skipped_leader_slots"], "the operator must have skipped leader slots"
    for item in f["skipped_leader_slots"]:
        assert not net.is_produced(item["slot"])
        assert net.slot_leader(item["slot"]).vote_pubkey == item["validator"]
    # skips beyond the forced month-end ones
    forced = set(f["month_end"]["forced_skipped_slots"])
    assert any(item["slot"] not in forced for item in f["skipped_leader_slots"])
    assert f["failed_votes"]
    item = f["failed_votes"][0]
    v = net.validator_by_vote(item["validator"])
    assert v is not None
    txs = {t.signature: t for t in net.votes(v.index, item["epoch"])}
    assert txs[item["signature"]].failed


def test_feature_commission_change(net: Network) -> None:
    cc = net.features()["commission_change"]
    v = net.validator_by_vote(cc["validator"])
    assert v is not None and v.is_operator
    at = cc["epoch"]
    assert 0 < at < net.n_epochs
    assert v.commission_pct[at - 1] == cc["from_pct"] != cc["to_pct"] == v.commission_pct[at]
    before = net.vote_reward(v.index, at - 1)
    after = net.vote_reward(v.index, at)
    assert before is not None and before.commission == cc["from_pct"]
    assert after is not None and after.commission == cc["to_pct"]


def test_feature_month_end_epoch(net: Network) -> None:
    me = net.features()["month_end"]
    epoch = me["epoch"]
    assert me["next_epoch"] == epoch + 1 < net.n_epochs
    first_slot = net.schedule.first_slot(epoch + 1)
    assert me["forced_skipped_slots"] == list(range(first_slot, me["first_produced_slot"]))
    assert net.first_produced_slot(epoch + 1) == me["first_produced_slot"]
    row = next(
        r
        for r in truth.validator_epochs(net)
        if r["epoch"] == epoch and r["validator_id"] == net.operator_validators[0].vote_pubkey
    )
    # every slot of E is in one month; its first block after E lands on the 1st of the next
    assert row["period_date"].day == 1
    assert row["period_date"].isoformat() == me["period_date"]
    assert row["end_at"].hour == 0 and row["end_at"].minute == 0
    assert (row["start_at"].year, row["start_at"].month) != (
        row["period_date"].year,
        row["period_date"].month,
    )
    last_slot_time = net.block_time_of_slot(net.schedule.last_slot(epoch))
    assert last_slot_time < int(row["end_at"].timestamp())
    # without the forced skips the epoch would have closed in the earlier month
    assert net.block_time_of_slot(first_slot) < int(row["end_at"].timestamp())


def test_feature_shared_withdrawers_across_validators(net: Network) -> None:
    f = net.features()
    assert f["cross_validator_withdrawers"]
    w = f["cross_validator_withdrawers"][0]
    accounts = [net.stake_account(p) for p in f["shared_withdrawers"][w]]
    ops = {a.validator_index for a in accounts if a is not None and a.withdrawer == w}
    assert len(ops) >= 2


def test_feature_late_activation(net: Network) -> None:
    late = net.features()["late_activations"]
    assert late
    a = net.stake_account(late[0]["stake_account"])
    assert a is not None and 0 < a.activation_epoch < net.n_epochs - 1
    for epoch in net.closed_epochs:
        reward = net.stake_reward(a.index, epoch)
        if epoch <= a.activation_epoch:
            assert reward is None
        elif net.validators[a.validator_index].commission_pct[epoch] < 100:
            assert reward is not None


@pytest.mark.parametrize("seed", [1, 2, 3, 42, 1234])
def test_every_seed_has_every_feature(seed: int) -> None:
    f = build_network(Scenario(seed=seed)).features()
    for name, value in f.items():
        assert value, f"seed {seed}: feature {name} missing"


def test_scenario_validation() -> None:
    with pytest.raises(ValueError):
        Scenario(n_validators=2, n_operator_validators=3)
    with pytest.raises(ValueError):
        Scenario(slots_per_epoch=30)
    small = build_network(replace(Scenario(), n_epochs=2, month_end_feature=False))
    assert small.month_end is None and small.features()["month_end"] is None


@pytest.mark.parametrize(
    ("n_epochs", "n_validators", "n_ops"), [(1, 1, 1), (2, 3, 0), (3, 2, 2), (5, 6, 4)]
)
def test_small_scenarios_build(n_epochs: int, n_validators: int, n_ops: int) -> None:
    sc = Scenario(
        n_epochs=n_epochs,
        n_validators=n_validators,
        n_operator_validators=n_ops,
        stake_accounts_per_validator=3,
    )
    small = build_network(sc)
    small.features()
    rows = truth.validator_epochs(small)
    assert len(rows) == n_ops * n_epochs
    assert len(truth.stake_rewards(small)) == 3 * n_ops * n_epochs
    assert small.paid_epoch_at(small.default_tip_slot) == n_epochs - 1


def test_no_random_skips_when_disabled() -> None:
    quiet = build_network(Scenario(skip_permille_min=0, skip_permille_max=0))
    assert quiet.month_end is not None
    forced = set(quiet.month_end.forced_skipped_slots)
    skipped = {s for s in range(quiet.last_slot + 1) if not quiet.is_produced(s)}
    assert skipped == forced


def test_benchmark_builds_fast() -> None:
    started = time.monotonic()
    bench = build_network(Scenario.benchmark())
    assert time.monotonic() - started < 10
    assert len(bench.stake_accounts) == 50_000
    assert len(bench.operator_validators) == 20 and bench.n_epochs == 30


def test_default_network_is_the_one_the_seeds_were_written_for(
    net: Network, tmp_path: Path
) -> None:
    """seeds/ reference the DEFAULT network's keys: changing its draws breaks them."""
    committed = Path(__file__).resolve().parents[2] / "seeds" / "validators.csv"
    if not committed.exists():
        pytest.fail(f"{committed} is missing")
    written = truth.write_seed_files(net, tmp_path)
    # the Solana rows (seeds/validators.csv also holds the Ethereum network's: their own test is
    # tests/unit/test_ethereum_simulator.py), in the writer's columns
    with committed.open(newline="", encoding="utf-8") as fh:
        solana = [r for r in csv.DictReader(fh) if r["chain"] == "solana"]
    with written.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        expected = list(reader)
    assert [{c: r[c] for c in columns} for r in solana] == expected
    f = net.features()
    assert f["month_end"]["epoch"] == 21 and f["month_end"]["period_date"] == "2026-04-01"
    assert f["commission_change"]["epoch"] == 12
