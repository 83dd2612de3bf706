"""``serve_main``: prints the URLs, serves, writes truth files, stops cleanly."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from ingest.simulator.cli import serve_main


def test_serve_main_serves_until_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    result: list[int] = []
    argv = ["--port", "0", "--truth-dir", str(tmp_path), "--kobe-withhold", "1"]
    thread = threading.Thread(target=lambda: result.append(serve_main(argv, stop=stop)))
    thread.start()
    try:
        out = ""
        deadline = time.monotonic() + 20
        while "Serving" not in out and time.monotonic() < deadline:
            time.sleep(0.05)
            out += capsys.readouterr().out
        rpc = re.search(r"Solana RPC:\s+(\S+)", out)
        kobe = re.search(r"Jito Kobe:\s+(\S+)", out)
        assert rpc and kobe, out
        body = {"jsonrpc": "2.0", "id": 1, "method": "getEpochInfo"}
        assert httpx.post(rpc.group(1), json=body, timeout=5).json()["result"]["epoch"] == 24
        withheld = httpx.post(f"{kobe.group(1)}/api/v1/validators", json={"epoch": 23}, timeout=5)
        assert withheld.json() == {"validators": []}
        beacon = re.search(r"Beacon node:\s+(\S+)", out)
        execution = re.search(r"Execution:\s+(\S+)", out)
        relays = re.findall(r"Relay [\w-]+:\s+(\S+)", out)
        assert beacon and execution and len(relays) == 2, out
        genesis = httpx.get(f"{beacon.group(1)}/eth/v1/beacon/genesis", timeout=5).json()
        assert int(genesis["data"]["genesis_time"]) > 0
        chain_id = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        assert httpx.post(execution.group(1), json=chain_id, timeout=5).json()["result"]
        path = "/relay/v1/data/bidtraces/proposer_payload_delivered?limit=1"
        assert isinstance(httpx.get(relays[0] + path, timeout=5).json(), list)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert result == [0]
    for name in (
        "validator_epochs.csv",
        "stake_rewards.csv",
        "stake_accounts.csv",
        "validators.csv",
    ):
        assert (tmp_path / name).stat().st_size > 0
    for name in ("validator_days.csv", "discrepancies.csv", "validators.csv"):
        assert (tmp_path / "ethereum" / name).stat().st_size > 0
    assert (
        (tmp_path / "ethereum" / "validators.csv")
        .read_text()
        .startswith(
            "chain,validator_id,identity_pubkey,validator_name,fee_recipient\nethereum,3,0x"
        )
    )


def test_rejects_bad_rate() -> None:
    with pytest.raises(SystemExit):
        serve_main(["--fault-429", "1.5"])
