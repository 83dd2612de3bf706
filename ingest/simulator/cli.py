"""``aurora simulate serve``: run the provider simulator on loopback until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

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
        description="Serve a deterministic simulated Solana JSON-RPC and Jito Kobe API.",
    )
    p.add_argument("--seed", type=int, default=None, help="network seed (default: scenario's)")
    p.add_argument("--scenario", choices=["default", "benchmark"], default="default")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8899, help="0 picks a free port")
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
        help="also write the ground truth CSVs and seeds/validators.csv here",
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
    if args.truth_dir is not None:
        write_truth(network, args.truth_dir)
        write_seed_files(network, args.truth_dir)
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
    with server:
        info = {
            "rpc_url": server.rpc_url,
            "kobe_url": server.kobe_url,
            "scenario": args.scenario,
            "seed": scenario.seed,
            "tip_slot": server.tip_slot,
            "closed_epochs": [0, network.n_epochs - 1],
            "build_seconds": round(time.monotonic() - started, 2),
        }
        print(f"Solana RPC:  {server.rpc_url}", flush=True)
        print(f"Jito Kobe:   {server.kobe_url}", flush=True)
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
