"""Every provider sample in tests/fixtures/provider-samples/solana/ parses, exactly (no float)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ingest.core.http import parse_json_exact
from ingest.core.types import base58_encode
from ingest.solana.kobe import KOBE_PARSERS, KobeMevRewards, KobeValidators
from ingest.solana.rpc import (
    Block,
    EpochSchedule,
    InflationReward,
    StakeProgramAccount,
    VoteAccounts,
    parse_rpc_envelope,
)

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "provider-samples" / "solana"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def _no_float(value: Any) -> None:
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for item in value.values():
            _no_float(item)
    elif isinstance(value, list):
        for item in value:
            _no_float(item)


def parse_sample(path: Path) -> Any:
    body = parse_json_exact(path.read_bytes())
    _no_float(body)
    stem = path.name.split(".", 1)[0]
    if stem.startswith("jito-kobe"):
        endpoint = path.name.split(".")[1]
        return KOBE_PARSERS[endpoint](body)
    return parse_rpc_envelope(stem, body)


def test_samples_folder_is_there() -> None:
    assert SAMPLE_FILES, f"no provider samples at {SAMPLES}"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_parses(path: Path) -> None:
    assert parse_sample(path) is not None


def test_sample_values_are_exact() -> None:
    block = parse_sample(SAMPLES / "getBlock.solana-go-testnet-fixture.json")
    assert isinstance(block, Block)
    assert [
        (r.pubkey, r.lamports, r.post_balance, r.reward_type, r.commission) for r in block.rewards
    ] == [("5rL3AaidKJa4ChSV3ys1SvpDg9L4amKiwYayGR5oL3dq", 1595000, 482032983798, "Fee", None)]
    votes = parse_sample(SAMPLES / "getVoteAccounts.solana-go-testnet-fixture.json")
    assert isinstance(votes, VoteAccounts)
    assert votes.current == [] or votes.current == ()
    assert votes.delinquent[0].activated_stake == 4997717120
    assert votes.delinquent[0].commission == 100
    schedule = parse_sample(SAMPLES / "getEpochSchedule.solana-go-testnet-fixture.json")
    assert isinstance(schedule, EpochSchedule) and schedule.warmup
    rewards = parse_sample(SAMPLES / "getInflationReward.spec-derived.json")
    assert rewards[1] is None
    assert isinstance(rewards[0], InflationReward) and rewards[0].post_balance == 61204377102118
    assert rewards[0].commission is None and rewards[2].commission == 5
    accounts = parse_sample(SAMPLES / "getProgramAccounts.stake-jsonParsed.spec-derived.json")
    account = accounts[0]
    assert isinstance(account, StakeProgramAccount)
    delegation = account.account.data.parsed.info.stake.delegation  # type: ignore[union-attr]
    assert delegation.stake == 250017719120
    assert delegation.deactivation_epoch == 2**64 - 1  # u64::MAX as a decimal string
    assert delegation.voter == "7Qv3dHkTz9WmYcEr5nLbUq2jXsF8aRgP6oKiN4tBwMhD"
    assert account.account.data.parsed.info.meta.rent_exempt_reserve == 2282880
    assert account.pubkey == "3hVnQk8WcXr2eTzPyL5mGd7sJaB9uFoK4iNqYtR6vMxE"
    kobe = parse_sample(SAMPLES / "jito-kobe.validators.spec-derived.json")
    assert isinstance(kobe, KobeValidators) and kobe.is_published
    assert kobe.validators[0].mev_rewards == 2915004411
    assert kobe.validators[1].mev_rewards is None and kobe.validators[1].running_jito is False
    mev = parse_sample(SAMPLES / "jito-kobe.mev_rewards.spec-derived.json")
    assert isinstance(mev, KobeMevRewards)
    assert mev.mev_reward_per_lamport == Decimal("0.0000696864003211875")


def test_web3js_bn_public_key_becomes_base58() -> None:
    """web3.js logs public keys as ``{"_bn": hex}``; such a log pasted as a payload still parses."""
    raw = bytes.fromhex("0dc8b506f95e52c9ac725e714c7078799dd3268df562161411fe0916a4dc0a43")
    body = parse_json_exact(
        (SAMPLES / "getProgramAccounts.stake-jsonParsed.spec-derived.json").read_bytes()
    )
    body["result"][0]["pubkey"] = {"_bn": raw.hex()}
    account = parse_rpc_envelope("getProgramAccounts", body)[0]
    assert account.pubkey == base58_encode(raw)


def test_commission_bps_kept_beside_percent() -> None:
    legacy = InflationReward.model_validate(
        parse_json_exact(
            '{"amount":530714233,"commission":3,"effectiveSlot":432864000,"epoch":1001,'
            '"postBalance":7729378465}'
        )
    )
    bps = InflationReward.model_validate(
        parse_json_exact(
            '{"amount":591366523,"commission":null,"commissionBps":300,"effectiveSlot":434592000,'
            '"epoch":1005,"postBalance":10012207545}'
        )
    )
    assert (legacy.commission, legacy.commission_bps) == (3, None)
    assert (bps.commission, bps.commission_bps) == (None, 300)


def test_huge_amounts_stay_exact_and_floats_are_refused() -> None:
    body = parse_json_exact(
        '{"amount":18446744073709551615,"effectiveSlot":1,"epoch":1,'
        '"postBalance":9223372036854775815}'
    )
    reward = InflationReward.model_validate(body)
    assert reward.amount == 2**64 - 1  # u64::MAX, exact
    assert reward.post_balance == 2**63 + 7
    with pytest.raises(ValueError):
        InflationReward.model_validate(
            parse_json_exact('{"amount":1.5,"effectiveSlot":1,"epoch":1,"postBalance":2}')
        )
    with pytest.raises(ValueError):
        InflationReward.model_validate(
            {"amount": 1.0, "effectiveSlot": 1, "epoch": 1, "postBalance": 2}
        )


@pytest.mark.parametrize(
    ("field", "text", "why"),
    [
        ("amount", "18446744073709551621", "outside the u64 range 0..18446744073709551615"),
        ("amount", "-1", "outside the u64 range"),
        ("postBalance", "1" + "0" * 40, "out of range (more than 40 digits)"),
        ("amount", "1e999999999", "out of range"),  # rejected before any conversion
        ("epoch", "9223372036854775808", "outside the slot/epoch/count"),
        ("commission", "101", "outside the percent range 0..100"),
    ],
)
def test_amounts_beyond_what_the_api_promises_are_refused(field: str, text: str, why: str) -> None:
    """A u64 is at most 2^64 - 1, a slot or epoch fits a bigint, a commission is a percent."""
    values = {"amount": "5", "effectiveSlot": "1", "epoch": "1", "postBalance": "2"}
    values[field] = text
    body = "{" + ",".join(f'"{k}":{v}' for k, v in values.items()) + "}"
    with pytest.raises(ValueError, match=re.escape(why)):
        InflationReward.model_validate(parse_json_exact(body))


def test_negative_block_reward_lamports() -> None:
    block = Block.model_validate(
        parse_json_exact(
            '{"blockhash":"h","parentSlot":1,"rewards":[{"pubkey":"p","lamports":-5,'
            '"postBalance":10,"rewardType":"Rent","commissionBps":725}]}'
        )
    )
    assert block.rewards[0].lamports == -5
    assert block.rewards[0].commission_bps == 725


@pytest.mark.parametrize(
    ("warmup", "epoch", "first", "count"),
    [
        (False, 0, 0, 432000),
        (False, 5, 2160000, 432000),
        (True, 0, 0, 32),
        (True, 1, 32, 64),
        (True, 13, 262112, 262144),
        (True, 14, 524256, 432000),
        (True, 207, 524256 + 193 * 432000, 432000),
    ],
)
def test_epoch_schedule_arithmetic(warmup: bool, epoch: int, first: int, count: int) -> None:
    schedule = EpochSchedule(
        slots_per_epoch=432000,
        leader_schedule_slot_offset=432000,
        warmup=warmup,
        first_normal_epoch=14 if warmup else 0,
        first_normal_slot=524256 if warmup else 0,
    )
    assert schedule.first_slot(epoch) == first
    assert schedule.slots_in_epoch(epoch) == count
    assert schedule.epoch_of(first) == epoch
    assert schedule.epoch_of(first + count - 1) == epoch
    assert schedule.last_slot(epoch) == first + count - 1
