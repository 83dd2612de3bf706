"""`aurora replay` (ingest.core.archive.replay_main) as a process: serves archived bodies on loopback."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ingest.core.archive import ResponseArchive, load_archive
from ingest.core.http import ResponseRecord, canonical_json, request_id_for

REPO_ROOT = Path(__file__).resolve().parents[2]


def _record(provider: str, method: str, params: list[int], body: bytes) -> ResponseRecord:
    params_json = canonical_json(params)
    payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return ResponseRecord(
        provider=provider,
        method=method,
        params_json=params_json,
        request_id=request_id_for(provider, method, params_json),
        response_sha256=hashlib.sha256(body).hexdigest(),
        http_status=200,
        body=body,
        http_method="POST",
        path="",
        wire_key=canonical_json(payload),
        attempts=1,
    )


def test_replay_main_serves_the_archive(tmp_path: Path) -> None:
    body = b'{"jsonrpc":"2.0","result":1767225600,"id":1}'
    archive = ResponseArchive(tmp_path / "archive")
    record = _record("solana_rpc", "getBlockTime", [5], body)
    archive.write(record, "solana_json_rpc")
    stored = load_archive(tmp_path / "archive")
    assert [item.body for item in stored.values()] == [body]

    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.core.archive", str(tmp_path / "archive"), "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        header = proc.stdout.readline()
        assert header.startswith("Replaying 1 archived responses")
        line = proc.stdout.readline().strip()
        name, _, url = line.partition("=")
        assert name == "AURORA_PROVIDER_SOLANA_RPC_URL" and url.startswith("http://127.0.0.1:")
        request = {"jsonrpc": "2.0", "id": 1, "method": "getBlockTime", "params": [5]}
        # key order and spacing on the wire do not matter; the request's content does
        answer = httpx.post(url, content=json.dumps(request, indent=2).encode(), timeout=10)
        assert answer.status_code == 200 and answer.content == body
        unknown = dict(request, params=[6])
        missing = httpx.post(url, json=unknown, timeout=10)
        assert missing.status_code == 501 and "not in the archive" in missing.text
    finally:
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "served 1 responses, 1 unknown requests" in out


def test_replay_main_rejects_a_folder_that_is_not_an_archive(tmp_path: Path) -> None:
    from ingest.core.archive import replay_main

    assert replay_main([str(tmp_path / "nothing"), "--port", "0"]) == 2


def test_replay_serves_an_archived_404_and_never_404s_a_miss(tmp_path: Path) -> None:
    """A beacon node's 404 for a slot without a block is an answer: replayed with its status and
    body; a request the archive lacks is 501, so it can never pass for a missed slot."""
    from ingest.core.archive import ReplayServer

    body = b'{"code":404,"message":"NOT_FOUND: beacon block at slot 7"}'
    params_json = canonical_json({"block_id": 7})
    route = "/eth/v2/beacon/blocks/{block_id}"
    record = ResponseRecord(
        provider="eth_beacon",
        method=route,
        params_json=params_json,
        request_id=request_id_for("eth_beacon", route, params_json),
        response_sha256=hashlib.sha256(body).hexdigest(),
        http_status=404,
        body=body,
        http_method="GET",
        path="/eth/v2/beacon/blocks/7",
        wire_key=canonical_json([]),
        attempts=1,
    )
    ResponseArchive(tmp_path / "archive").write(record, "beacon_api")
    with ReplayServer(tmp_path / "archive") as replay:
        url = replay.url_for("eth_beacon")
        answer = httpx.get(f"{url}/eth/v2/beacon/blocks/7", timeout=10)
        assert answer.status_code == 404 and answer.content == body
        missing = httpx.get(f"{url}/eth/v2/beacon/blocks/8", timeout=10)
        assert missing.status_code == 501 and "not in the archive" in missing.text
        assert (replay.hits, replay.misses) == (1, 1)
