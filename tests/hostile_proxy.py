"""A hostile provider for tests: an HTTP proxy on loopback in front of the simulator that rewrites
chosen answers.

:class:`HostileProxy` forwards every request to an upstream :class:`SimulatorServer` (same paths:
``/rpc`` and ``/kobe/...``) and lets a :data:`Rewrite` change the decoded answer of the requests it
picks. It exposes ``rpc_url`` and ``kobe_url`` like the simulator, so ``make_sim_config(proxy)``
points Aurora at it. ``FAULTS`` names the malformed answers a hostile or broken provider gives; each
rewrites the first matching answer (``times``: how many; ``None``: every one) while ``active``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import httpx

# (route, request body or query, decoded response) -> the response to send, or None: unchanged.
# route: the JSON-RPC method, or the Kobe path (``/api/v1/validators``).
Rewrite = Callable[[str, Any, Any], Any]

U64_MAX = 2**64 - 1


def _rpc_result(method: str, change: Callable[[Any, Any], Any]) -> Rewrite:
    """A rewrite of the ``result`` of one JSON-RPC method (``change(request, result)``)."""

    def rewrite(r: str, request: Any, response: Any) -> Any:
        if r != method or not isinstance(response, dict) or "result" not in response:
            return None
        changed = change(request, response["result"])
        if changed is None:
            return None
        return {**response, "result": changed[0]}

    return rewrite


def _empty_vote_accounts(request: Any, result: Any) -> Any:
    return ({"current": [], "delinquent": []},)


def _null(request: Any, result: Any) -> Any:
    return None if result is None else (None,)


def _block_without_rewards(request: Any, result: Any) -> Any:
    if not isinstance(result, dict) or not result.get("rewards"):
        return None
    return ({k: v for k, v in result.items() if k != "rewards"},)


def _empty_page_after_first(request: Any, result: Any) -> Any:
    params = request.get("params") or []
    config = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
    if "before" not in config:
        return None  # the first page is served: the second one comes back empty
    return ([],)


def _empty_first_page(request: Any, result: Any) -> Any:
    params = request.get("params") or []
    config = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
    return None if "before" in config or not result else ([],)


def _first_reward(change: Callable[[dict[str, Any]], None]) -> Callable[[Any, Any], Any]:
    def apply(request: Any, result: Any) -> Any:
        if not isinstance(result, list):
            return None
        for item in result:
            if isinstance(item, dict):
                changed = [dict(i) if isinstance(i, dict) else i for i in result]
                change(changed[result.index(item)])
                return (changed,)
        return None

    return apply


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(item: dict[str, Any]) -> None:
        item[field] = value

    return change


def _shift_epoch(item: dict[str, Any]) -> None:
    item["epoch"] = int(item["epoch"]) + 1


def _block_reward_lamports(value: int) -> Callable[[Any, Any], Any]:
    def apply(request: Any, result: Any) -> Any:
        if not isinstance(result, dict) or not result.get("rewards"):
            return None
        rewards = [dict(r) for r in result["rewards"]]
        rewards[0]["lamports"] = value
        return ({**result, "rewards": rewards},)

    return apply


def _kobe_validators(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    """Change the first Jito-running record of a published ``/api/v1/validators`` answer."""

    def rewrite(route: str, request: Any, response: Any) -> Any:
        if route != "/api/v1/validators" or not isinstance(response, dict):
            return None
        records = response.get("validators") or []
        for index, record in enumerate(records):
            if record.get("running_jito"):
                changed = [dict(r) for r in records]
                change(changed[index])
                return {**response, "validators": changed}
        return None

    return rewrite


def _drop(field: str) -> Callable[[dict[str, Any]], None]:
    def change(item: dict[str, Any]) -> None:
        item.pop(field, None)

    return change


def _rpc_error(method: str, code: int, message: str) -> Rewrite:
    def rewrite(route: str, request: Any, response: Any) -> Any:
        if route != method or not isinstance(response, dict):
            return None
        return {
            "jsonrpc": "2.0",
            "id": response.get("id"),
            "error": {"code": code, "message": message},
        }

    return rewrite


FAULTS: dict[str, Rewrite] = {
    "empty_vote_accounts": _rpc_result("getVoteAccounts", _empty_vote_accounts),
    "block_null": _rpc_result("getBlock", _null),
    "block_without_rewards": _rpc_result("getBlock", _block_without_rewards),
    "block_time_null": _rpc_result("getBlockTime", _null),
    "empty_signatures_page": _rpc_result("getSignaturesForAddress", _empty_page_after_first),
    "empty_first_signatures_page": _rpc_result("getSignaturesForAddress", _empty_first_page),
    "empty_program_accounts": _rpc_result("getProgramAccounts", lambda req, res: ([],)),
    "kobe_null_mev_rewards": _kobe_validators(_set("mev_rewards", None)),
    "kobe_missing_mev_rewards": _kobe_validators(_drop("mev_rewards")),
    "kobe_null_mev_commission": _kobe_validators(_set("mev_commission_bps", None)),
    "kobe_mev_10e40": _kobe_validators(_set("mev_rewards", 10**40)),
    "reward_above_u64": _rpc_result("getInflationReward", _first_reward(_set("amount", 2**64 + 5))),
    "reward_epoch_mismatch": _rpc_result("getInflationReward", _first_reward(_shift_epoch)),
    "block_reward_10e40": _rpc_result("getBlock", _block_reward_lamports(10**40)),
    "rpc_error_unretried": _rpc_error("getLeaderSchedule", -32602, "Invalid params: hostile"),
    "rpc_error_code_not_a_number": _rpc_error("getBlock", cast(int, "oops"), "bad code"),
}


@dataclass
class _Counter:
    hits: int = 0


class HostileProxy:
    """Forward to ``upstream`` (a simulator); rewrite answers with ``rewrite`` while ``active``.

    ``times``: how many answers to rewrite (None: every matching one). ``hits``: how many were."""

    def __init__(self, upstream: Any, rewrite: Rewrite | None = None, times: int | None = 1):
        self.upstream = upstream
        self.rewrite = rewrite
        self.times = times
        self.active = True
        self._count = _Counter()
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def hits(self) -> int:
        return self._count.hits

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> HostileProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                proxy._handle(self, "GET")

            def do_POST(self) -> None:
                proxy._handle(self, "POST")

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._httpd = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self._client.close()

    def __enter__(self) -> HostileProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def rpc_url(self) -> str:
        return f"{self.base_url}/rpc"

    @property
    def kobe_url(self) -> str:
        return f"{self.base_url}/kobe"

    # -- forwarding -----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, verb: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        upstream = httpx.Request(
            verb,
            self.upstream.base_url + handler.path,
            content=body or None,
            headers={"Content-Type": "application/json"} if body else None,
        )
        answer = self._client.send(upstream)
        content = answer.content
        if answer.status_code == 200 and self.rewrite is not None:
            content = self._maybe_rewrite(handler.path, body, content)
        handler.send_response(answer.status_code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(content)))
        for name in ("Retry-After",):
            if name in answer.headers:
                handler.send_header(name, answer.headers[name])
        handler.end_headers()
        try:
            handler.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            handler.close_connection = True

    def _maybe_rewrite(self, path: str, body: bytes, content: bytes) -> bytes:
        try:
            response = json.loads(content)
        except ValueError:
            return content
        if path.startswith("/rpc"):
            request = json.loads(body) if body else {}
            route = str(request.get("method", "")) if isinstance(request, dict) else ""
        else:
            route = path.split("/kobe", 1)[1].split("?", 1)[0]
            request = json.loads(body) if body else path
        with self._lock:
            if not self.active or (self.times is not None and self._count.hits >= self.times):
                return content
            assert self.rewrite is not None
            changed = self.rewrite(route, request, response)
            if changed is None:
                return content
            self._count.hits += 1
        return json.dumps(changed, separators=(",", ":")).encode()
