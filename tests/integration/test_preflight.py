"""`aurora run`'s preflight check: each configured provider is asked once, through its own client,
against the simulator on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ingest.config import AuroraConfig, load_config
from ingest.demo import simulator_env
from ingest.env import settings
from ingest.errors import PreflightError
from ingest.preflight import preflight
from ingest.simulator.network import Scenario, build_network
from ingest.simulator.server import SimulatorServer


@pytest.fixture
def server() -> Iterator[Any]:
    with SimulatorServer(build_network(Scenario())) as running:
        yield running


def _config(rpc_url: str, kobe_url: str) -> AuroraConfig:
    return load_config(env=settings().overlay(simulator_env(rpc_url, kobe_url)))


def test_answering_providers_pass(server: Any) -> None:
    preflight(_config(server.rpc_url, server.kobe_url))
    assert server.request_log.get("getHealth") == 1


def test_every_provider_that_does_not_answer_is_named(server: Any) -> None:
    server.set_down(True)  # HTTP 503 to every request
    started = time.monotonic()
    with pytest.raises(PreflightError) as failure:
        preflight(_config(server.rpc_url, "http://127.0.0.1:9/kobe"))
    assert time.monotonic() - started < 10, "the check retries nothing"
    message = str(failure.value)
    assert message.startswith("cannot reach the configured providers")
    assert f"solana_rpc at {server.rpc_url}: HTTP 503" in message
    assert "jito_kobe at http://127.0.0.1:9/kobe: connection error" in message
