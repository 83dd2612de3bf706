"""`aurora demo`: the whole pipeline on the embedded warehouse, against the simulator on loopback.

The simulator serves the default synthetic network (the one seeds/ were written for) on 127.0.0.1;
the provider URLs of config/providers.yaml are pointed at it through the documented environment
overrides; every closed epoch not yet loaded is ingested; dbt builds; the P&L and the statements are
printed. A re-run reuses the warehouse: nothing new to ingest, and the marts come out byte-identical.
"""

from __future__ import annotations

import time
from typing import Any

from ingest.config import load_config
from ingest.core.warehouse import Target, duckdb_path
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


def run_demo(target: Target, console: Any, epochs: str | None = None) -> int:
    from ingest.build import dbt_build, summary
    from ingest.cli import ingest_step, load_registry_step, parse_epochs
    from ingest.report import print_pnl_and_statements
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    started = time.monotonic()
    where = str(duckdb_path()) if target == "duckdb" else "PostgreSQL"
    console.print(f"[bold]Aurora demo[/] on {target} ({where})")
    network = build_network(Scenario())
    with SimulatorServer(network) as server:
        console.print(f"simulated providers on {server.rpc_url} and {server.kobe_url}")
        config = load_config(env=settings().overlay(simulator_env(server.rpc_url, server.kobe_url)))
        load_registry_step(target, config)
        result = ingest_step(
            target, config, parse_epochs(epochs) if epochs else None, console=console
        )
        console.print(f"ingested: {result}")
    lines = dbt_build(target, console=console)
    console.print(f"dbt build: {summary(lines)}")
    print_pnl_and_statements(target, console)
    console.print(f"done in {time.monotonic() - started:.1f} s")
    return 0
