"""Response archive and offline replay.

Archive layout (``archive_dir``):

- ``responses/<request_id>.resp``: one file per request. The first line is the request metadata as
  compact JSON (provider, provider kind, method, canonical params, request id, HTTP method, path,
  wire key, status, response SHA-256); the raw body bytes follow, unchanged, after that newline.
  Final refusals are archived too, with their status (a beacon node's HTTP 404 for a slot without a
  block is an answer the raw tables record). A request made again (e.g. ``getEpochInfo`` in a later
  run) overwrites its file: the archive holds the latest answer to each request.
- ``index.jsonl``: one metadata line per archived response, appended as they arrive (the last line
  of a request wins).

:class:`ReplayServer` serves exactly those bodies, with their statuses, over HTTP on loopback, one
URL prefix per provider (``/<provider_id>``), whatever the chain (Solana's JSON-RPC and Kobe,
Ethereum's beacon node, execution client and relays), so the unchanged ingestion code pointed at it
(through ``AURORA_PROVIDER_<ID>_URL``, :meth:`ReplayServer.env`) rebuilds the same raw tables
offline. A request that was never archived answers HTTP 501 naming it: never 404, which is a
provider's answer (to a beacon node, a slot without a block), so an incomplete archive fails the
replay instead of turning into missed blocks. :func:`replay_main` is the ``aurora replay`` entry
point.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ingest.core.http import ResponseRecord, canonical_json, parse_json_exact
from ingest.errors import ArchiveError

ARCHIVE_FORMAT = 1
INDEX_FILE = "index.jsonl"
RESPONSES_DIR = "responses"
# Query parameters that carry credentials: never part of a request's identity.
IGNORED_QUERY_PARAMS = frozenset({"api-key", "api_key", "apikey", "key", "token"})
# The answer to a request the archive does not hold: not retried, and not a 404 (see above).
MISS_STATUS = 501


class ResponseArchive:
    """Writes every accepted response to ``archive_dir`` (implements ``ResponseSink``)."""

    def __init__(self, archive_dir: Path) -> None:
        self.root = Path(archive_dir)
        self.responses = self.root / RESPONSES_DIR
        self.responses.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.count = 0

    def write(self, record: ResponseRecord, provider_kind: str) -> None:
        meta = {
            "format": ARCHIVE_FORMAT,
            "provider": record.provider,
            "provider_kind": provider_kind,
            "method": record.method,
            "params": record.params_json,
            "request_id": record.request_id,
            "http_method": record.http_method,
            "path": record.path,
            "wire_key": record.wire_key,
            "http_status": record.http_status,
            "response_sha256": record.response_sha256,
            "body_bytes": len(record.body),
        }
        header = json.dumps(meta, sort_keys=True, separators=(",", ":"))
        name = f"{record.request_id}.resp"
        final = self.responses / name
        tmp = self.responses / f".{name}.{os.getpid()}.tmp"
        with self._lock:
            with tmp.open("wb") as fh:
                fh.write(header.encode() + b"\n" + record.body)
            os.replace(tmp, final)
            with (self.root / INDEX_FILE).open("a", encoding="utf-8") as index:
                index.write(json.dumps({**meta, "file": f"{RESPONSES_DIR}/{name}"}, sort_keys=True))
                index.write("\n")
            self.count += 1


@dataclass(frozen=True)
class ArchivedResponse:
    provider: str
    provider_kind: str
    method: str
    params: str
    request_id: str
    http_method: str
    path: str
    wire_key: str
    http_status: int
    response_sha256: str
    body: bytes


def read_archive_file(path: Path) -> ArchivedResponse:
    raw = path.read_bytes()
    header, sep, body = raw.partition(b"\n")
    if not sep:
        raise ArchiveError(f"{path}: no metadata line")
    meta = json.loads(header)
    return ArchivedResponse(
        provider=meta["provider"],
        provider_kind=meta["provider_kind"],
        method=meta["method"],
        params=meta["params"],
        request_id=meta["request_id"],
        http_method=meta["http_method"],
        path=meta["path"],
        wire_key=meta["wire_key"],
        http_status=int(meta["http_status"]),
        response_sha256=meta["response_sha256"],
        body=body,
    )


def load_archive(archive_dir: Path) -> dict[tuple[str, str, str, str], ArchivedResponse]:
    """Every archived response keyed by (provider, HTTP method, path, wire key)."""
    root = Path(archive_dir)
    folder = root / RESPONSES_DIR
    if not folder.is_dir():
        raise ArchiveError(f"{root}: not a response archive (no {RESPONSES_DIR}/ folder)")
    entries: dict[tuple[str, str, str, str], ArchivedResponse] = {}
    for path in sorted(folder.glob("*.resp")):
        item = read_archive_file(path)
        entries[(item.provider, item.http_method, item.path, item.wire_key)] = item
    return entries


def wire_key_for(http_method: str, query: str, body: bytes) -> str:
    """The identity of a request on the wire, as ``ProviderHttpClient`` computes it."""
    if http_method == "POST":
        return canonical_json(parse_json_exact(body)) if body else canonical_json(None)
    items = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    items = [(k, v) for k, v in items if k not in IGNORED_QUERY_PARAMS]
    return canonical_json(sorted(items))


class _ReplayHandler(BaseHTTPRequestHandler):
    server: _ReplayHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, http_method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        segments = parts.path.split("/", 2)
        provider = segments[1] if len(segments) > 1 else ""
        rest = "/" + segments[2] if len(segments) > 2 and segments[2] else ""
        try:
            wire = wire_key_for(http_method, parts.query, body)
        except ValueError:
            self._send(400, json.dumps({"error": "request body is not JSON"}).encode())
            return
        item = self.server.entries.get((provider, http_method, rest, wire))
        if item is None:
            self.server.misses += 1
            message = {
                "error": "not in the archive",
                "provider": provider,
                "http_method": http_method,
                "path": rest,
                "request": wire[:500],
            }
            self._send(MISS_STATUS, json.dumps(message).encode())
            return
        self.server.hits += 1
        self._send(item.http_status, item.body)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        entries: dict[tuple[str, str, str, str], ArchivedResponse],
    ) -> None:
        super().__init__(address, _ReplayHandler)
        self.entries = entries
        self.hits = 0
        self.misses = 0


class ReplayServer:
    """Serve an archive over HTTP on loopback (context manager).

    ``rpc_url`` / ``kobe_url`` point at the archived Solana JSON-RPC / Jito Kobe provider (the first
    archived provider of that kind); :meth:`url_for` gives any provider's URL.
    """

    def __init__(self, archive_dir: Path | str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.archive_dir = Path(archive_dir)
        self.entries = load_archive(self.archive_dir)
        self._host = host
        self._port = port
        self._server: _ReplayHTTPServer | None = None
        self._thread: threading.Thread | None = None
        kinds: dict[str, str] = {}
        for item in self.entries.values():
            kinds.setdefault(item.provider, item.provider_kind)
        self.provider_kinds = dict(sorted(kinds.items()))

    def start(self) -> ReplayServer:
        if self._server is not None:
            return self
        self._server = _ReplayHTTPServer((self._host, self._port), self.entries)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="aurora-replay", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise ArchiveError("the replay server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url_for(self, provider_id: str) -> str:
        return f"{self.base_url}/{provider_id}"

    def _url_of_kind(self, kind: str) -> str:
        for provider, provider_kind in self.provider_kinds.items():
            if provider_kind == kind:
                return self.url_for(provider)
        raise ArchiveError(f"{self.archive_dir}: no archived response of a {kind} provider")

    @property
    def rpc_url(self) -> str:
        return self._url_of_kind("solana_json_rpc")

    @property
    def kobe_url(self) -> str:
        return self._url_of_kind("jito_kobe")

    @property
    def hits(self) -> int:
        return self._server.hits if self._server else 0

    @property
    def misses(self) -> int:
        return self._server.misses if self._server else 0

    def env(self) -> dict[str, str]:
        """``AURORA_PROVIDER_<ID>_URL`` overrides that point every archived provider here."""
        return {
            f"AURORA_PROVIDER_{provider.upper()}_URL": self.url_for(provider)
            for provider in self.provider_kinds
        }


def replay_main(argv: Sequence[str] | None = None) -> int:
    """``aurora replay ARCHIVE_DIR [--host H] [--port P]``: serve an archive until interrupted."""
    parser = argparse.ArgumentParser(
        prog="aurora replay",
        description="Serve archived provider responses over HTTP, for offline re-ingestion.",
    )
    parser.add_argument("archive_dir", type=Path, help="directory written by --archive-dir")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8899, help="port (0 picks a free one)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        server = ReplayServer(args.archive_dir, host=args.host, port=args.port)
    except (ArchiveError, OSError, ValueError) as exc:
        print(f"aurora replay: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _on_signal)
    try:
        with server:
            print(f"Replaying {len(server.entries)} archived responses from {args.archive_dir}")
            for name, value in server.env().items():
                print(f"{name}={value}")
            sys.stdout.flush()
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            print(f"served {server.hits} responses, {server.misses} unknown requests")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(replay_main())
