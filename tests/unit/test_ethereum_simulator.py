"""The Ethereum simulator's network and ground truth: determinism, the §8 cases, day boundaries,
the closed-day rule, hand-checked truth figures, and the truth's import isolation."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import ingest.simulator.ethereum.truth as truth_module
from ingest.simulator.ethereum import truth
from ingest.simulator.ethereum.keccak import checksum_address, keccak256
from ingest.simulator.ethereum.network import (
    ETH_WEI,
    Network,
    Scenario,
    build_network,
)


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


@pytest.fixture(scope="module")
def closed_rows(net: Network) -> list[truth.ValidatorDay]:
    return truth.validator_days(net, only_closed=True)


def test_truth_imports_only_stdlib_and_the_network() -> None:
    tree = ast.parse(Path(truth_module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports in truth.py"
            assert node.module is not None
            imported.add(node.module)
    allowed = {"ingest.simulator.ethereum.network"}
    for name in sorted(imported):
        top = name.split(".")[0]
        assert name in allowed or top == "__future__" or top in sys.stdlib_module_names, name
    assert "ingest.simulator.ethereum.network" in imported


def test_network_imports_nothing_from_ingestion() -> None:
    path = Path(sys.modules[Network.__module__].__file__ or "")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("ingest"), node.module


def test_keccak_and_eip55_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )
    assert keccak256(b"a" * 200).hex() != keccak256(b"a" * 201).hex()  # multi-block input
    for address in (  # the EIP-55 examples
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ):
        assert checksum_address(address.lower()) == address


def test_same_seed_same_network_other_seed_another(net: Network) -> None:
    again = build_network(Scenario())
    assert again.features() == net.features()
    assert again.blocks == net.blocks
    assert again.attestations == net.attestations
    assert again.deliveries == net.deliveries
    assert again.sync_rewards == net.sync_rewards
    other = build_network(Scenario(seed=8))
    assert other.blocks != net.blocks
    assert set(other.features()["cases"]) == set(net.features()["cases"])


def test_truth_files_are_byte_stable(net: Network, tmp_path: Path) -> None:
    first = [p.read_bytes() for p in truth.write_truth(net, tmp_path / "a")]
    second = [p.read_bytes() for p in truth.write_truth(build_network(Scenario()), tmp_path / "b")]
    assert first == second
    header = first[0].split(b"\n", 1)[0].decode()
    assert header.startswith("chain,validator_id,period_id,start_at,end_at")


@pytest.mark.parametrize(
    "bad",
    [
        {"operator_indices": (3, 3)},
        {"operator_indices": (3, 40)},
        {"slots_per_epoch": 1},
        {"relays": ("only-one",)},
        {"operator_indices": (1, 2, 3)},  # too few for the feature cases
        {"seconds_per_slot": 12 * 60},  # too few epochs per day for the feature cases
        {"tail_epochs": 2},
    ],
)
def test_scenario_validation(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Scenario(**bad)  # type: ignore[arg-type]


def test_a_scenario_without_features_builds() -> None:
    small = build_network(
        Scenario(n_validators=12, operator_indices=(1, 2), features=False, n_days=1)
    )
    assert small.cases == {}
    rows = truth.validator_days(small)
    assert {r.validator_id for r in rows} == {"1", "2"}


# ---------------------------------------------------------------------- periods and days
def test_spec_values_are_not_mainnet_and_days_hold_uneven_epoch_counts(net: Network) -> None:
    assert (net.seconds_per_slot, net.slots_per_epoch) == (450, 7)
    counts = {len(b.epochs) for b in truth.all_days(net)[1:]}
    assert counts == {27, 28}  # 86400 / 3150 = 27.4


def test_day_boundaries(net: Network) -> None:
    march_1 = truth.day_bounds(net, date(2026, 3, 1))
    assert march_1 is not None
    # epoch 10 starts exactly at midnight: it is March 1's first epoch
    assert march_1.first_epoch == 10
    assert datetime.fromtimestamp(march_1.start_at, tz=UTC) == datetime(2026, 3, 1, tzinfo=UTC)
    # epoch 37 starts at 23:37:30 and ends at 00:30 on March 2: all of it belongs to March 1
    assert march_1.last_epoch == 37
    assert datetime.fromtimestamp(march_1.end_at, tz=UTC) == datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    assert truth.day_of_epoch(net, 37) == date(2026, 3, 1)
    assert march_1.state_slot == 37 * 7
    genesis_day = truth.day_bounds(net, date(2026, 2, 28))
    assert genesis_day is not None and genesis_day.epochs == range(0, 10)
    assert truth.day_bounds(net, date(2026, 2, 27)) is None
    # a block in epoch 37 after midnight is March 1's
    slot = 37 * 7 + 5
    assert datetime.fromtimestamp(net.slot_time(slot), tz=UTC).date() == date(2026, 3, 2)
    assert net.proposers[slot] is not None
    rows = {
        (r.validator_id, r.period_id): r for r in truth.validator_days(net) if r.proposal_duties
    }
    proposer = str(net.proposers[slot])
    assert (proposer, "2026-03-01") in rows


def test_closed_day_rule(net: Network) -> None:
    march_3 = truth.day_bounds(net, date(2026, 3, 3))
    assert march_3 is not None
    assert truth.closed_days(net) == [date(2026, 2, 28), *(date(2026, 3, d) for d in (1, 2, 3))]
    # finalized = head epoch - 2 outside the stall: closed from head epoch = last epoch + 4
    head_open = (march_3.last_epoch + 3) * 7
    head_closed = (march_3.last_epoch + 4) * 7
    assert truth.finalized_epoch(net, head_open) == march_3.last_epoch + 1
    assert date(2026, 3, 3) not in truth.closed_days(net, head_open)
    assert date(2026, 3, 3) in truth.closed_days(net, head_closed)
    # during the finality stall, the finalized epoch does not move: March 1 closes late
    stall = net.roles.stall
    assert truth.finalized_epoch(net, (stall.stop - 1) * 7) == stall.start - 2


# -------------------------------------------------------------------------------- cases
def test_the_cases_section_8_singles_out(
    net: Network, closed_rows: list[truth.ValidatorDay]
) -> None:
    ops = set(net.operator_indices)
    features = net.features()
    assert set(features["cases"]) == {
        "two_relays",
        "relays_disagree",
        "relay_claim_differs",
        "relay_without_payment",
        "failed_payment",
        "huge_payment",
        "proposer_fee_recipient",
        "proposer_fee_recipient_with_payment",
        "undeclared_fee_recipient",
        "relay_claim_other_payload",
        "missed",
        "missed_with_relay_claim",
    }
    closed = {d.isoformat() for d in truth.closed_days(net)}
    for case in features["cases"].values():
        assert case["validator"] in ops and case["day"] in closed
    closed_epochs = [
        e for b in truth.all_days(net) if b.day.isoformat() in closed for e in b.epochs
    ]
    op_rewards = [
        net.attestations[e][i] for e in closed_epochs for i in ops if i in net.attestations[e]
    ]
    assert any(r.target < 0 and r.source < 0 for r in op_rewards)  # negative attestation rewards
    assert any(r.inactivity < 0 for r in op_rewards)  # inactivity penalties (the stall's leak)
    assert features["leak_epochs"]
    assert any(r.consensus_rewards_wei < 0 for r in closed_rows)  # a negative day
    negative_sync = [
        (s, i)
        for s, rewards in net.sync_rewards.items()
        for i, v in rewards.items()
        if i in ops and v < 0
    ]
    assert negative_sync
    kinds = {net.blocks[s].kind for s in net.blocks if net.proposers[s] in ops}
    assert {"vanilla", "mev"} <= kinds
    # MEV block: the builder is the fee recipient and pays the proposer in the last transaction
    mev_slot = next(
        s for s in sorted(net.blocks) if net.blocks[s].kind == "mev" and net.proposers[s] in ops
    )
    block = net.blocks[mev_slot]
    proposer = net.validators[block.proposer_index]
    assert block.execution.fee_recipient in {b.address for b in net.builders}
    assert block.execution.transactions[-1].to == proposer.fee_recipient
    assert block.execution.transactions[-1].sender == block.execution.fee_recipient
    two = features["cases"]["two_relays"]["slot"]
    assert [len(net.deliveries[r].get(two, [])) for r in net.relays] == [1, 1]
    huge = net.blocks[features["cases"]["huge_payment"]["slot"]]
    assert huge.execution.transactions[-1].value > 2**64 > 2**63
    # slashed validator, its whistleblower block, 0x00 / 0x01 / 0x02 credentials, pending, exit
    slashed = features["slashed"]
    assert net.validators[slashed["validator"]].slashed_at_slot == slashed["slot"]
    assert net.blocks[slashed["slot"]].rewards.proposer_slashings == 32 * 10**9 // 512
    assert net.blocks[slashed["slot"]].proposer_index == slashed["by"]
    prefixes = {net.validators[i].credential_prefix for i in ops}
    assert prefixes == {"0x00", "0x01", "0x02"}
    statuses = {r.status for r in closed_rows}
    assert {"pending_queued", "active_ongoing", "exited_slashed", "withdrawal_done"} <= statuses
    assert "" in statuses  # the late deposit is not in the state yet on the genesis day


def test_offline_validator_misses_its_proposals(net: Network) -> None:
    offline = net.roles.offline
    assert offline is not None
    for slot, proposer in enumerate(net.proposers):
        if proposer == offline and net.epoch_of(slot) in net.roles.offline_epochs:
            assert slot not in net.blocks


# -------------------------------------------------------------------------------- truth
def _row(rows: list[truth.ValidatorDay], validator: int, day: str) -> truth.ValidatorDay:
    return next(r for r in rows if r.validator_id == str(validator) and r.period_id == day)


def test_consensus_rewards_are_the_gwei_sum_times_10_9(
    closed_rows: list[truth.ValidatorDay],
) -> None:
    for r in closed_rows:
        gwei = r.attestation_rewards_gwei + r.block_rewards_gwei + r.sync_committee_rewards_gwei
        assert r.consensus_rewards_wei == gwei * 10**9


def test_hand_computed_case_outcomes(net: Network) -> None:
    cases = net.features()["cases"]

    def outcome(kind: str) -> truth.ProposalOutcome:
        return truth.proposal_outcome(net, cases[kind]["slot"])

    huge = outcome("huge_payment")
    assert huge.mev_wei == 20_500_000_000_000_000_000 and huge.execution_fees_wei == 0
    assert huge.discrepancies == ()
    two = outcome("two_relays")
    block = net.blocks[two.slot]
    assert two.relays == tuple(net.relays) and two.mev_wei == block.execution.transactions[-1].value
    assert two.discrepancies == ()
    own = outcome("proposer_fee_recipient")  # the builder made the proposer the fee recipient
    assert own.mev_wei == 0 and own.execution_fees_wei == own.execution_fees_raw_wei > 0
    assert own.discrepancies == ()
    both = outcome("proposer_fee_recipient_with_payment")
    assert both.mev_wei > 0 and both.execution_fees_wei == both.execution_fees_raw_wei
    assert both.discrepancies == ()
    undeclared = outcome("undeclared_fee_recipient")
    assert undeclared.execution_fees_wei == 0 and undeclared.mev_wei == 0
    assert [d.kind for d in undeclared.discrepancies] == ["fee_recipient_undeclared"]
    assert undeclared.discrepancies[0].claimed_wei == undeclared.execution_fees_raw_wei
    no_payment = outcome("relay_without_payment")
    assert (no_payment.mev_wei, no_payment.execution_fees_wei) == (0, 0)
    assert [d.kind for d in no_payment.discrepancies] == ["relay_without_payment"]
    failed = outcome("failed_payment")
    assert net.blocks[failed.slot].execution.transactions[-1].status == 0
    assert failed.mev_wei == 0 and [d.kind for d in failed.discrepancies] == [
        "relay_without_payment"
    ]
    differs = outcome("relay_claim_differs")
    [row] = differs.discrepancies
    assert row.kind == "relay_claim_differs" and row.claimed_wei - row.paid_wei == 777_000_000_000
    assert row.paid_wei == differs.mev_wei
    disagree = outcome("relays_disagree")
    assert sorted(d.kind for d in disagree.discrepancies) == [
        "relay_claim_differs",
        "relays_disagree",
        "relays_disagree",
    ]
    other = outcome("relay_claim_other_payload")  # canonical vanilla block, a claim for another
    assert other.execution_fees_wei == other.execution_fees_raw_wei and other.mev_wei == 0
    assert [d.kind for d in other.discrepancies] == ["relay_claim_without_block"]
    assert other.discrepancies[0].block_hash != other.block_hash
    missed = outcome("missed_with_relay_claim")
    assert missed.is_missed and missed.mev_wei == 0
    assert [(d.kind, d.paid_wei) for d in missed.discrepancies] == [
        ("relay_claim_without_block", 0)
    ]
    plain_missed = outcome("missed")
    assert plain_missed.is_missed and plain_missed.discrepancies == ()


def test_blob_fees_are_not_revenue(net: Network) -> None:
    slot = next(
        s
        for s, b in sorted(net.blocks.items())
        if any(t.tx_type == 3 for t in b.execution.transactions)
    )
    block = net.blocks[slot]
    base = block.execution.base_fee_per_gas
    expected = sum(
        t.gas_used * (t.effective_gas_price - base) for t in block.execution.transactions
    )
    assert truth.priority_fees(block) == expected  # no blob_gas_used * blob_gas_price in it


def test_rows_rule(net: Network, closed_rows: list[truth.ValidatorDay]) -> None:
    pending = net.roles.pending
    exiting = net.roles.exiting
    for r in closed_rows:
        components = (r.consensus_rewards_wei, r.execution_fees_wei, r.mev_wei)
        listed = r.status not in ("", "withdrawal_done") and not r.status.startswith("pending_")
        assert r.has_row == (listed or any(components)), r
    assert not _row(closed_rows, pending, "2026-03-01").has_row  # pending_queued, nothing earned
    assert _row(closed_rows, pending, "2026-03-02").has_row
    exit_day = _row(closed_rows, exiting, "2026-03-02")
    assert exit_day.status == "withdrawal_done" and exit_day.has_row  # earned before leaving
    assert not _row(closed_rows, exiting, "2026-03-03").has_row


def test_discrepancies_cover_every_kind(net: Network) -> None:
    rows = truth.discrepancies(net, only_closed=True)
    assert {d.kind for d in rows} == {
        "relay_claim_differs",
        "relay_without_payment",
        "relay_claim_without_block",
        "relays_disagree",
        "fee_recipient_undeclared",
    }
    assert all(d.validator_id.isdigit() and d.chain == "ethereum" for d in rows)


def test_one_relay_configured_changes_what_is_seen(net: Network) -> None:
    slot = net.features()["cases"]["relays_disagree"]["slot"]
    only_a = truth.proposal_outcome(net, slot, relays=[net.relays[0]])
    assert only_a.discrepancies == () and only_a.relays == (net.relays[0],)


def test_day_sums_match_proposal_outcomes(
    net: Network, closed_rows: list[truth.ValidatorDay]
) -> None:
    for r in closed_rows:
        bounds = truth.day_bounds(net, r.day)
        assert bounds is not None
        slots = truth.proposal_slots(net, int(r.validator_id), bounds.epochs)
        outcomes = [truth.proposal_outcome(net, s) for s in slots]
        assert r.mev_wei == sum(o.mev_wei for o in outcomes)
        assert r.execution_fees_wei == sum(o.execution_fees_wei for o in outcomes)
        assert r.missed_proposals == sum(o.is_missed for o in outcomes)


def test_operator_revenue() -> None:
    assert truth.operator_revenue(10_001, 999, 12_345, 1000, 500) == (1000, 49, 617)
    assert truth.operator_revenue(-5 * ETH_WEI, 0, 0, 1000, 500) == (0, 0, 0)
    assert truth.tdiv(-7, 2) == -3 and truth.tdiv(7, -2) == -3


def test_head_before_the_end_marks_fewer_days_closed(net: Network) -> None:
    march_2 = truth.day_bounds(net, date(2026, 3, 2))
    assert march_2 is not None
    rows = truth.validator_days(net, head_slot=(march_2.last_epoch + 4) * 7, only_closed=True)
    assert {r.period_id for r in rows} == {"2026-02-28", "2026-03-01", "2026-03-02"}


def test_changed_scenario_keeps_cases(net: Network) -> None:
    other = build_network(replace(Scenario(), seed=21, mev_permille=900))
    assert set(other.cases) == set(net.cases)
    assert truth.discrepancies(other, only_closed=True)
