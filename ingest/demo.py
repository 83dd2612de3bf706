"""`aurora demo`'s providers: the simulators on loopback, in place of config/providers.yaml's.

The simulators serve the default synthetic networks on 127.0.0.1: Solana's (the one seeds/ were
written for) and Ethereum's (a beacon node, an execution client, two relays). The provider URLs of
config/providers.yaml are pointed at them through the documented environment overrides
(:func:`simulator_env`, :func:`ethereum_simulator_env`). The run sequence itself is
ingest/orchestrate.py's: every chain with operator validators in seeds/ is ingested (Solana's
closed epochs, Ethereum's closed UTC days from the simulated chain's genesis day, so the demo's
days span two months: 2026-02-28 and 2026-03-01..03), dbt builds, and each chain's P&L and
statements are printed. A re-run reuses the warehouse: nothing new to ingest, and the marts come
out byte-identical.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ingest.config import AuroraConfig, load_config
from ingest.env import settings

SIMULATOR_LIMITS = {
    "RATE_LIMIT_PER_SECOND": "2000",
    "MAX_CONCURRENCY": "8",
    "TIMEOUT_SECONDS": "10",
}


def simulator_env(rpc_url: str, kobe_url: str) -> dict[str, str]:
    """The provider overrides that point Aurora at a simulator (documented in providers.yaml)."""
    env = {
        "AURORA_PROVIDER_SOLANA_RPC_URL": rpc_url,
        "AURORA_PROVIDER_JITO_KOBE_URL": kobe_url,
    }
    for provider in ("SOLANA_RPC", "JITO_KOBE"):
        for field, value in SIMULATOR_LIMITS.items():
            env[f"AURORA_PROVIDER_{provider}_{field}"] = value
    return env


# The relay providers of config/providers.yaml (fact `mev`), pointed at the simulated relays in order.
RELAY_PROVIDERS = ("relay_flashbots", "relay_ultrasound")


def ethereum_simulator_env(
    server: Any, relay_providers: Sequence[str] = RELAY_PROVIDERS
) -> dict[str, str]:
    """The overrides that point the Ethereum providers at an ``EthereumSimulatorServer``: the
    beacon node, the execution client, and one simulated relay per relay provider, in order."""
    relays = list(server.network.relays)
    if len(relay_providers) > len(relays):
        raise ValueError(f"{len(relay_providers)} relay providers, the simulator has {relays}")
    env = {
        "AURORA_PROVIDER_ETH_BEACON_URL": server.beacon_url,
        "AURORA_PROVIDER_ETH_EXECUTION_URL": server.execution_url,
    }
    for provider_id, name in zip(relay_providers, relays, strict=False):
        env[f"AURORA_PROVIDER_{provider_id.upper()}_URL"] = server.relay_url(name)
    for provider in ("ETH_BEACON", "ETH_EXECUTION", *(p.upper() for p in relay_providers)):
        for field, value in SIMULATOR_LIMITS.items():
            env[f"AURORA_PROVIDER_{provider}_{field}"] = value
    return env


@contextmanager
def simulated_providers(console: Any) -> Iterator[AuroraConfig]:
    """The configuration with its providers pointed at the simulators, serving while the block
    runs."""
    from ingest.simulator.ethereum.network import Scenario as EthereumScenario
    from ingest.simulator.ethereum.network import build_network as build_ethereum_network
    from ingest.simulator.ethereum.server import EthereumSimulatorServer
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    with (
        SimulatorServer(build_network(Scenario())) as server,
        EthereumSimulatorServer(build_ethereum_network(EthereumScenario())) as eth,
    ):
        console.print(f"simulated providers on {server.rpc_url} and {server.kobe_url}")
        console.print(f"simulated Ethereum providers on {eth.base_url}")
        env = {**simulator_env(server.rpc_url, server.kobe_url), **ethereum_simulator_env(eth)}
        # the simulated chain starts on its genesis day: ingest from there (two months of days),
        # unless the caller chose a start day
        if not os.environ.get("AURORA_ETHEREUM_START_DAY"):
            env["AURORA_ETHEREUM_START_DAY"] = eth.network.genesis_day.isoformat()
        yield load_config(env=settings().overlay(env))
