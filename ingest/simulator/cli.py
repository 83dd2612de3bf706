"""``aurora simulate serve``: run the provider simulators on loopback until interrupted.

Both chains are served: the Solana JSON-RPC and Jito Kobe API on ``--port``, the Ethereum beacon
node, execution client and relays on ``--eth-port`` (the DEFAULT Ethereum scenario); the faults
apply to both."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from ingest.simulator.ethereum import truth as eth_truth
from ingest.simulator.ethereum.network import Scenario as EthereumScenario
from ingest.simulator.ethereum.network import build_network as build_ethereum_network
from ingest.simulator.ethereum.server import EthereumSimulatorServer
from ingest.simulator.network import Scenario, build_network
from ingest.simulator.server import FaultConfig, SimulatorServer
from ingest.simulator.truth import write_seed_files, write_truth


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate must be within 0..1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aurora simulate serve",
        description="Serve deterministic simulated providers: a Solana JSON-RPC and Jito Kobe "
        "API, and an Ethereum beacon node, execution client and two MEV-boost relays.",
    )
    p.add_argument("--seed", type=int, default=None, help="network seed (default: scenario's)")
    p.add_argument("--scenario", choices=["default", "benchmark"], default="default")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8899, help="Solana; 0 picks a free port")
    p.add_argument(
        "--eth-port", type=int, default=None, help="Ethereum (default: --port + 1, or a free one)"
    )
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument("--fault-429", type=_rate, default=0.0, help="share of requests answered 429")
    p.add_argument("--fault-5xx", type=_rate, default=0.0, help="share answered 500/502/503")
    p.add_argument("--fault-malformed", type=_rate, default=0.0, help="share with invalid JSON")
    p.add_argument("--fault-truncated", type=_rate, default=0.0, help="share with half a body")
    p.add_argument("--fault-timeout", type=_rate, default=0.0, help="share answered late")
    p.add_argument(
        "--kobe-withhold",
        type=int,
        default=0,
        metavar="N",
        help="withhold Kobe data for the latest N closed epochs",
    )
    p.add_argument(
        "--tip-slot", type=int, default=None, help="current slot (default: mid tip epoch)"
    )
    p.add_argument(
        "--truth-dir",
        type=Path,
        default=None,
        help="also write the ground truth CSVs and seeds/validators.csv here (Ethereum's in "
        "ethereum/)",
    )
    return p


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Build the network, start the server, print its URLs, serve until Ctrl-C (or ``stop``)."""
    args = build_parser().parse_args(argv)
    scenario = Scenario.benchmark() if args.scenario == "benchmark" else Scenario()
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    started = time.monotonic()
    network = build_network(scenario)
    eth_network = build_ethereum_network(EthereumScenario())
    if args.truth_dir is not None:
        write_truth(network, args.truth_dir)
        write_seed_files(network, args.truth_dir)
        eth_truth.write_truth(eth_network, args.truth_dir / "ethereum")
        eth_truth.write_seed_file(eth_network, args.truth_dir / "ethereum")
    faults = FaultConfig(
        seed=args.fault_seed,
        rate_429=args.fault_429,
        rate_5xx=args.fault_5xx,
        rate_timeout=args.fault_timeout,
        rate_malformed=args.fault_malformed,
        rate_truncated=args.fault_truncated,
    )
    server = SimulatorServer(
        network,
        faults=faults,
        tip_slot=args.tip_slot,
        kobe_withhold_epochs=args.kobe_withhold,
        host=args.host,
        port=args.port,
    )
    eth_port = args.eth_port if args.eth_port is not None else (args.port + 1 if args.port else 0)
    eth_server = EthereumSimulatorServer(eth_network, faults=faults, host=args.host, port=eth_port)
    with server, eth_server:
        closed_days = eth_truth.closed_days(eth_network)
        info = {
            "rpc_url": server.rpc_url,
            "kobe_url": server.kobe_url,
            "scenario": args.scenario,
            "seed": scenario.seed,
            "tip_slot": server.tip_slot,
            "closed_epochs": [0, network.n_epochs - 1],
            "beacon_url": eth_server.beacon_url,
            "execution_url": eth_server.execution_url,
            "relay_urls": {name: eth_server.relay_url(name) for name in eth_network.relays},
            "closed_days": [closed_days[0].isoformat(), closed_days[-1].isoformat()],
            "build_seconds": round(time.monotonic() - started, 2),
        }
        print(f"Solana RPC:  {server.rpc_url}", flush=True)
        print(f"Jito Kobe:   {server.kobe_url}", flush=True)
        print(f"Beacon node: {eth_server.beacon_url}", flush=True)
        print(f"Execution:   {eth_server.execution_url}", flush=True)
        for name in eth_network.relays:
            print(f"Relay {name}: {eth_server.relay_url(name)}", flush=True)
        print(json.dumps(info), flush=True)
        if args.truth_dir is not None:
            print(f"Truth and seeds written to {args.truth_dir}", flush=True)
        print("Serving; press Ctrl-C to stop.", flush=True)
        waiter = stop if stop is not None else threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(serve_main())
