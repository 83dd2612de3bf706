"""`aurora demo`'s providers: the simulator on loopback, in place of config/providers.yaml's.

The simulator serves the default synthetic network (the one seeds/ were written for) on 127.0.0.1;
the provider URLs of config/providers.yaml are pointed at it through the documented environment
overrides (:func:`simulator_env`). The run sequence itself is ingest/orchestrate.py's: every closed
epoch not yet loaded is ingested, dbt builds, the P&L and the statements are printed. A re-run
reuses the warehouse: nothing new to ingest, and the marts come out byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator
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


@contextmanager
def simulated_providers(console: Any) -> Iterator[AuroraConfig]:
    """The configuration with its providers pointed at a simulator, serving while the block runs."""
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    with SimulatorServer(build_network(Scenario())) as server:
        console.print(f"simulated providers on {server.rpc_url} and {server.kobe_url}")
        yield load_config(env=settings().overlay(simulator_env(server.rpc_url, server.kobe_url)))
