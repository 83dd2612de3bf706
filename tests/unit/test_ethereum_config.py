"""chains.yaml's Ethereum ``start_day`` and its environment override."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.config import load_config, registry_rows
from ingest.errors import ConfigError


def test_start_day_from_chains_yaml() -> None:
    config = load_config(env={})
    assert config.chains["ethereum"].start_day == date(2026, 3, 1)
    assert config.chains["ethereum"].period_kind == "utc_day"
    assert config.chains["solana"].start_day is None


def test_start_day_override() -> None:
    config = load_config(env={"AURORA_ETHEREUM_START_DAY": "2026-03-03"})
    assert config.chains["ethereum"].start_day == date(2026, 3, 3)


def test_bad_start_day_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="AURORA_ETHEREUM_START_DAY: expected a date"):
        load_config(env={"AURORA_ETHEREUM_START_DAY": "03/03/2026"})


def test_ethereum_providers_and_facts() -> None:
    config = load_config(env={})
    beacon = config.provider("eth_beacon")
    assert (beacon.kind, beacon.chain) == ("beacon_api", "ethereum")
    assert config.provider("eth_execution").kind == "ethereum_json_rpc"
    relays = config.providers_for("ethereum", "mev")
    assert len(relays) >= 2 and {config.provider(r).kind for r in relays} == {"mev_relay"}
    for fact in ("consensus_rewards", "proposer_duties", "validators"):
        assert config.providers_for("ethereum", fact) == ["eth_beacon"], fact
    for fact in ("execution_fees", "execution_blocks"):
        assert config.providers_for("ethereum", fact) == ["eth_execution"], fact


def test_ethereum_provider_overrides() -> None:
    env = {
        "AURORA_PROVIDER_ETH_BEACON_URL": "http://127.0.0.1:9999/beacon",
        "AURORA_PROVIDER_RELAY_FLASHBOTS_RATE_LIMIT_PER_SECOND": "7.5",
        "AURORA_PROVIDER_ETH_EXECUTION_MAX_CONCURRENCY": "3",
    }
    config = load_config(env=env)
    assert config.provider("eth_beacon").url == "http://127.0.0.1:9999/beacon"
    assert config.provider("relay_flashbots").rate_limit_per_second == 7.5
    assert config.provider("eth_execution").max_concurrency == 3


def test_registry_rows_carry_the_ethereum_mappings() -> None:
    rows = registry_rows(load_config(env={}))
    assert {
        "chain": "ethereum",
        "native_asset": "ETH",
        "decimals": 18,
        "period_kind": "utc_day",
    } in (rows["chains"])
    eth = [r for r in rows["providers"] if r["chain"] == "ethereum"]
    assert {r["kind"] for r in eth} == {"beacon_api", "ethereum_json_rpc", "mev_relay"}
    mev = [
        r for r in rows["chain_provider_mappings"] if (r["chain"], r["fact"]) == ("ethereum", "mev")
    ]
    assert [r["precedence"] for r in mev] == list(range(1, len(mev) + 1)) and len(mev) >= 2
