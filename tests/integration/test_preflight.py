"""`aurora run`'s preflight check: each configured provider is asked once, through its own client,
against the simulator on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ingest.config import AuroraConfig, load_config
from ingest.demo import ethereum_simulator_env, simulator_env
from ingest.env import settings
from ingest.errors import PreflightError
from ingest.preflight import preflight
from ingest.simulator.ethereum.network import Scenario as EthereumScenario
from ingest.simulator.ethereum.network import build_network as build_ethereum_network
from ingest.simulator.ethereum.server import EthereumSimulatorServer
from ingest.simulator.network import Scenario, build_network
from ingest.simulator.server import SimulatorServer


@pytest.fixture
def server() -> Iterator[Any]:
    with SimulatorServer(build_network(Scenario())) as running:
        yield running


SOLANA_PROVIDERS = ["jito_kobe", "solana_rpc"]


def _config(rpc_url: str, kobe_url: str) -> AuroraConfig:
    return load_config(env=settings().overlay(simulator_env(rpc_url, kobe_url)))


def test_answering_providers_pass(server: Any) -> None:
    preflight(_config(server.rpc_url, server.kobe_url), SOLANA_PROVIDERS)
    assert server.request_log.get("getHealth") == 1


def test_every_provider_that_does_not_answer_is_named(server: Any) -> None:
    server.set_down(True)  # HTTP 503 to every request
    started = time.monotonic()
    with pytest.raises(PreflightError) as failure:
        preflight(_config(server.rpc_url, "http://127.0.0.1:9/kobe"), SOLANA_PROVIDERS)
    assert time.monotonic() - started < 10, "the check retries nothing"
    message = str(failure.value)
    assert message.startswith("cannot reach the configured providers")
    assert f"solana_rpc at {server.rpc_url}: HTTP 503" in message
    assert "jito_kobe at http://127.0.0.1:9/kobe: connection error" in message


ETHEREUM_PROVIDERS = ["eth_beacon", "eth_execution", "relay_flashbots", "relay_ultrasound"]


def test_ethereum_providers_are_probed_through_their_clients() -> None:
    with EthereumSimulatorServer(build_ethereum_network(EthereumScenario())) as eth:
        config = load_config(env=settings().overlay(ethereum_simulator_env(eth)))
        preflight(config, ETHEREUM_PROVIDERS)
        log = eth.request_log
        assert log.get("beacon:/eth/v1/beacon/genesis") == 1
        assert log.get("execution:eth_chainId") == 1
        for name in eth.network.relays:
            assert log.get(f"{name}:/relay/v1/data/bidtraces/proposer_payload_delivered") == 1
        eth.set_down(True)
        with pytest.raises(PreflightError) as failure:
            preflight(config, ETHEREUM_PROVIDERS)
    message = str(failure.value)
    for provider_id in ETHEREUM_PROVIDERS:
        assert f"{provider_id} at http://127.0.0.1:" in message, provider_id
    assert message.count("HTTP 503") == len(ETHEREUM_PROVIDERS)
