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
from ingest.simulator.server import FaultConfig, SimulatorServer


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
    assert time.monotonic() - started < 10, "two quick retries, no long backoff"
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


def test_a_transient_failure_is_retried() -> None:
    """The first two requests the simulator receives answer HTTP 5xx (one per provider, in either
    order); the check retries and passes."""
    faults = FaultConfig(seed=23, rate_5xx=0.5)  # draws: 5xx, 5xx, ok, ok
    assert [faults.draw(n) for n in range(4)] == ["5xx", "5xx", None, None]
    with SimulatorServer(build_network(Scenario()), faults=faults) as flaky:
        preflight(_config(flaky.rpc_url, flaky.kobe_url), SOLANA_PROVIDERS)
        assert flaky.fault_log == {"5xx": 2}


def test_the_check_never_prints_a_key_of_the_url(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key in the URL's userinfo, in a path segment or in the query is never printed."""
    monkeypatch.setenv("AURORA_SOLANA_RPC_API_KEY", "KEY-IN-PATH-123")  # read from the process
    env = simulator_env(
        "http://user:s3cr3t-pass@127.0.0.1:9/rpc/KEY-IN-PATH-123?api-key=KEY-IN-PATH-123",
        server.kobe_url,
    )
    with pytest.raises(PreflightError) as failure:
        preflight(load_config(env=settings().overlay(env)), SOLANA_PROVIDERS)
    message = str(failure.value)
    assert "solana_rpc at http://***@127.0.0.1:9/rpc/***:" in message, message
    assert "s3cr3t" not in message and "KEY-IN-PATH" not in message and "user" not in message
