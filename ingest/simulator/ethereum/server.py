"""HTTP server speaking a beacon node's REST API, an execution client's JSON-RPC and MEV-boost
relays' data API for a simulated Ethereum :class:`Network`.

One ``ThreadingHTTPServer`` on loopback serves all three:
- ``{base}/beacon/eth/...``: the beacon endpoints Ethereum P&L needs (numbers as decimal strings,
  errors as ``{"code": N, "message": ...}`` with the real statuses: 404 for a slot without a
  block or data not available, 400 for a bad request, 414 for more than 64 ids);
- ``POST {base}/execution``: JSON-RPC 2.0 (``eth_getBlockByNumber``, ``eth_getBlockReceipts``,
  ``eth_blockNumber``, ``eth_chainId``; single requests and batches; hex quantities);
- ``{base}/relays/{name}/relay/v1/data/bidtraces/proposer_payload_delivered``: one relay per
  name (decimal strings, EIP-55 fee recipients; the second relay adds a non-spec
  ``optimistic_submission`` field, as some relays do).

The head (``head_slot``) bounds what is served: later blocks are 404 / null, attestation rewards
need the head two epochs past the epoch, relays report only slots up to the head.
``prune_before_epoch`` makes the node answer 404 "not available" for rewards of older epochs (a
pruned full node). Faults (429 with ``Retry-After``, 5xx, delays, malformed and truncated bodies,
a ``down`` switch) are drawn like the Solana simulator's: from ``FaultConfig.seed`` and a
per-request counter, so a sequential client meets the same faults every run.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from random import Random
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from ingest.simulator.ethereum.keccak import checksum_address
from ingest.simulator.ethereum.network import (
    CONSENSUS_VERSION,
    FAR_FUTURE_EPOCH,
    GENESIS_FORK_VERSION,
    MAX_EFFECTIVE_BALANCE,
    MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
    BeaconBlock,
    ExecutionBlock,
    Network,
    RelayDelivery,
    Transaction,
    hex_of,
)
from ingest.simulator.server import FaultConfig

CHAIN_ID = 0xA0A0
MAX_IDS_PER_GET = 64
RELAY_LIMIT_MAX = 200
_EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
_EMPTY_BLOOM = "0x" + "00" * 256

__all__ = ["EthereumSimulatorServer", "FaultConfig"]


@dataclass
class _Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    declared_length: int | None = None  # a truncated body announces its full length


class ApiError(Exception):
    """A beacon or relay error answer: ``{"code": status, "message": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _q(number: int) -> str:
    return hex(number)


def _s(number: int) -> str:
    return str(number)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: EthereumSimulatorServer) -> None:
        super().__init__(address, _Handler)
        self.sim = sim


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        sim = cast(_HTTPServer, self.server).sim
        resp = sim.handle(verb, self.path, body)
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            declared = len(resp.body) if resp.declared_length is None else resp.declared_length
            self.send_header("Content-Length", str(declared))
            for name, value in resp.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(resp.body)
            if declared != len(resp.body):  # cut the transfer short, as a dropped connection
                self.wfile.flush()
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout fault)
            self.close_connection = True


_BEACON_ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/eth/v1/beacon/genesis", "_genesis"),
    ("GET", "/eth/v1/config/spec", "_spec"),
    ("GET", "/eth/v1/beacon/states/{state_id}/finality_checkpoints", "_finality"),
    ("GET", "/eth/v1/validator/duties/proposer/{epoch}", "_proposer_duties"),
    ("POST", "/eth/v1/beacon/rewards/attestations/{epoch}", "_attestation_rewards"),
    ("GET", "/eth/v1/beacon/rewards/blocks/{block_id}", "_block_rewards"),
    ("POST", "/eth/v1/beacon/rewards/sync_committee/{block_id}", "_sync_rewards"),
    ("GET", "/eth/v1/beacon/states/{state_id}/sync_committees", "_sync_committees"),
    ("GET", "/eth/v1/beacon/states/{state_id}/validators", "_validators"),
    ("GET", "/eth/v2/beacon/blocks/{block_id}", "_block"),
]


def _route_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_BEACON_PATTERNS = [(verb, tpl, _route_pattern(tpl), name) for verb, tpl, name in _BEACON_ROUTES]
_RELAY_PATH = "/relay/v1/data/bidtraces/proposer_payload_delivered"


class EthereumSimulatorServer:
    """Serve a simulated Ethereum :class:`Network` over HTTP on loopback (a context manager)."""

    def __init__(
        self,
        network: Network,
        faults: FaultConfig | None = None,
        head_slot: int | None = None,
        prune_before_epoch: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.network = network
        self._faults = replace(faults) if faults is not None else FaultConfig()
        self._head = network.last_slot
        if head_slot is not None:
            self.set_head_slot(head_slot)
        self._prune_before = prune_before_epoch
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._counter = 0
        self._requests: Counter[str] = Counter()
        self._fault_counts: Counter[str] = Counter()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._blocks_by_root = {b.root: b for b in network.blocks.values()}
        self._rpc_methods: dict[str, Callable[[list[Any]], Any]] = {
            "eth_getBlockByNumber": self._rpc_block,
            "eth_getBlockReceipts": self._rpc_receipts,
            "eth_blockNumber": lambda params: _q(self._latest_block().execution.number),
            "eth_chainId": lambda params: _q(CHAIN_ID),
        }

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> EthereumSimulatorServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), self)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"aurora-eth-simulator-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> EthereumSimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def beacon_url(self) -> str:
        return f"{self.base_url}/beacon"

    @property
    def execution_url(self) -> str:
        return f"{self.base_url}/execution"

    def relay_url(self, name: str) -> str:
        if name not in self.network.relays:
            raise KeyError(f"no relay {name!r} (known: {', '.join(self.network.relays)})")
        return f"{self.base_url}/relays/{name}"

    # ---------------------------------------------------------------- runtime controls
    @property
    def head_slot(self) -> int:
        return self._head

    @property
    def head_epoch(self) -> int:
        return self.network.epoch_of(self._head)

    def set_head_slot(self, slot: int) -> None:
        if not 1 <= slot <= self.network.last_slot:
            raise ValueError(f"head slot {slot} outside 1..{self.network.last_slot}")
        self._head = slot

    def set_prune_before_epoch(self, epoch: int) -> None:
        self._prune_before = epoch

    def set_down(self, down: bool) -> None:
        self._faults.down = down

    def reset_faults(self, faults: FaultConfig) -> None:
        with self._lock:
            self._faults = replace(faults)
            self._counter = 0

    @property
    def faults(self) -> FaultConfig:
        return self._faults

    @property
    def request_log(self) -> dict[str, int]:
        """Requests received by route (``beacon:<template>``, ``execution:<method>``,
        ``<relay>:<path>``), faulted ones included."""
        with self._lock:
            return dict(self._requests)

    @property
    def fault_log(self) -> dict[str, int]:
        with self._lock:
            return dict(self._fault_counts)

    # ---------------------------------------------------------------- dispatch
    def handle(self, verb: str, raw_path: str, body: bytes) -> _Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        label = self._label(path, body)
        with self._lock:
            self._requests[label] += 1
            n = self._counter
            self._counter += 1
            faults = self._faults
        if faults.down:
            self._count_fault("down")
            return _Response(
                503, b"service unavailable (simulator down)", content_type="text/plain"
            )
        fault = faults.draw(n)
        if fault == "429":
            self._count_fault(fault)
            return _Response(
                429,
                _dumps({"code": 429, "message": "Too many requests"}),
                headers=[("Retry-After", str(faults.retry_after_s))],
            )
        if fault == "5xx":
            self._count_fault(fault)
            status = (500, 502, 503)[Random(f"{faults.seed}:{n}:status").randrange(3)]
            return _Response(status, b"upstream error (simulated)", content_type="text/plain")
        if fault == "timeout":
            self._count_fault(fault)
            time.sleep(faults.timeout_delay_s)
        resp = self._route(verb, path, parts.query, body)
        if fault == "malformed":
            self._count_fault(fault)
            resp.body = b'{"data":{"oops" <html>bad gateway</html>'
        elif fault == "truncated":
            self._count_fault(fault)
            resp.declared_length = len(resp.body)
            resp.body = resp.body[: len(resp.body) // 2]
        return resp

    def _count_fault(self, kind: str) -> None:
        with self._lock:
            self._fault_counts[kind] += 1

    def _label(self, path: str, body: bytes) -> str:
        if path.startswith("/beacon/"):
            sub = path[len("/beacon") :]
            for _verb, template, pattern, _name in _BEACON_PATTERNS:
                if pattern.match(sub):
                    return f"beacon:{template}"
            return f"beacon:{sub}"
        if path == "/execution":
            try:
                payload = json.loads(body) if body else None
            except ValueError:
                return "execution:<parse error>"
            items = payload if isinstance(payload, list) else [payload]
            methods = sorted(
                {str(i.get("method")) for i in items if isinstance(i, dict)} or {"<invalid>"}
            )
            return "execution:" + ",".join(methods)
        if path.startswith("/relays/"):
            name, _, rest = path[len("/relays/") :].partition("/")
            return f"{name}:/{rest}"
        return f"other:{path}"

    def _route(self, verb: str, path: str, query: str, body: bytes) -> _Response:
        try:
            if path.startswith("/beacon/"):
                return self._beacon(verb, path[len("/beacon") :], query, body)
            if path == "/execution":
                return self._execution(verb, body)
            if path.startswith("/relays/"):
                name, _, rest = path[len("/relays/") :].partition("/")
                return self._relay(verb, name, "/" + rest, query)
            raise ApiError(404, f"NOT_FOUND: no route {path}")
        except ApiError as exc:
            return _Response(exc.status, _dumps({"code": exc.status, "message": exc.message}))

    # ---------------------------------------------------------------- beacon
    def _beacon(self, verb: str, path: str, query: str, body: bytes) -> _Response:
        for route_verb, _template, pattern, name in _BEACON_PATTERNS:
            match = pattern.match(path)
            if match is None:
                continue
            if verb != route_verb:
                raise ApiError(405, f"Method {verb} not allowed")
            handler = getattr(self, name)
            qs = {k: v for k, v in parse_qs(query, keep_blank_values=True).items()}
            result = handler(**match.groupdict(), query=qs, body=body)
            if isinstance(result, _Response):
                return result
            return _Response(200, _dumps(result))
        raise ApiError(404, f"NOT_FOUND: no route {path}")

    def _finalized_epoch(self) -> int:
        return self.network.finalized_epoch(self.head_epoch)

    def _is_finalized_slot(self, slot: int) -> bool:
        return slot <= self.network.first_slot(self._finalized_epoch())

    def _envelope(self, data: Any, *, finalized: bool) -> dict[str, Any]:
        return {"execution_optimistic": False, "finalized": finalized, "data": data}

    def _state_slot(self, state_id: str) -> int:
        net = self.network
        if state_id == "head":
            return self._head
        if state_id == "genesis":
            return 0
        if state_id == "finalized":
            return net.first_slot(self._finalized_epoch())
        if state_id == "justified":
            return net.first_slot(min(self._finalized_epoch() + 1, self.head_epoch))
        if state_id.isdigit():
            slot = int(state_id)
            if slot > self._head:
                raise ApiError(404, f"NOT_FOUND: state at slot {slot}")
            return slot
        raise ApiError(400, f"BAD_REQUEST: invalid state ID: {state_id}")

    def _block_slot(self, block_id: str) -> int:
        """The slot of a block id, or an ApiError 404 when the slot has no (served) block."""
        net = self.network
        if block_id in ("head", "finalized"):
            limit = self._head if block_id == "head" else net.first_slot(self._finalized_epoch())
            return max((s for s in net.blocks if s <= limit), default=0)
        if block_id == "genesis":
            raise ApiError(404, "NOT_FOUND: beacon block at slot 0")
        if block_id.startswith("0x"):
            block = self._blocks_by_root.get(block_id.lower())
            if block is None or block.slot > self._head:
                raise ApiError(404, f"NOT_FOUND: beacon block with root {block_id}")
            return block.slot
        if not block_id.isdigit():
            raise ApiError(400, f"BAD_REQUEST: invalid block ID: {block_id}")
        slot = int(block_id)
        if slot > self._head or slot not in net.blocks:
            raise ApiError(404, f"NOT_FOUND: beacon block at slot {slot}")
        return slot

    def _check_not_pruned(self, epoch: int, what: str) -> None:
        if epoch < self._prune_before:
            raise ApiError(
                404,
                f"NOT_FOUND: {what}: historical state not available (pruned before epoch "
                f"{self._prune_before})",
            )

    @staticmethod
    def _epoch_param(text: str) -> int:
        if not text.isdigit():
            raise ApiError(400, f"BAD_REQUEST: invalid epoch: {text}")
        return int(text)

    def _body_ids(self, body: bytes) -> list[int] | None:
        """A JSON array of validator indices or pubkeys (strings); None for no body or []."""
        if not body.strip():
            return None
        try:
            items = json.loads(body)
        except ValueError:
            raise ApiError(400, "BAD_REQUEST: request body is not valid JSON") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ApiError(400, "BAD_REQUEST: expected an array of validator ids (strings)")
        if not items:
            return None
        out = []
        for item in items:
            index = self.network.validator_by_id(item)
            if index is None:
                raise ApiError(400, f"BAD_REQUEST: unknown validator id {item}")
            out.append(index)
        return sorted(set(out))

    def _genesis(self, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        net = self.network
        return {
            "data": {
                "genesis_time": _s(net.genesis_time),
                "genesis_validators_root": net.genesis_validators_root,
                "genesis_fork_version": GENESIS_FORK_VERSION,
            }
        }

    def _spec(self, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        net = self.network
        sc = net.scenario
        return {
            "data": {
                "CONFIG_NAME": "aurora-simulator",
                "PRESET_BASE": "minimal",
                "SECONDS_PER_SLOT": _s(sc.seconds_per_slot),
                "SLOT_DURATION_MS": _s(sc.seconds_per_slot * 1000),
                "SLOTS_PER_EPOCH": _s(sc.slots_per_epoch),
                "EPOCHS_PER_SYNC_COMMITTEE_PERIOD": _s(sc.epochs_per_sync_committee_period),
                "SYNC_COMMITTEE_SIZE": _s(sc.sync_committee_size),
                "SYNC_COMMITTEE_SUBNET_COUNT": _s(sc.sync_subnet_count),
                "MAX_EFFECTIVE_BALANCE": _s(MAX_EFFECTIVE_BALANCE),
                "EFFECTIVE_BALANCE_INCREMENT": "1000000000",
                "MIN_VALIDATOR_WITHDRAWABILITY_DELAY": _s(MIN_VALIDATOR_WITHDRAWABILITY_DELAY),
                "INACTIVITY_SCORE_BIAS": "4",
                "INACTIVITY_PENALTY_QUOTIENT_BELLATRIX": "16777216",
                "GENESIS_FORK_VERSION": GENESIS_FORK_VERSION,
                "ALTAIR_FORK_EPOCH": "0",
                "BELLATRIX_FORK_EPOCH": "0",
                "CAPELLA_FORK_EPOCH": "0",
                "DENEB_FORK_EPOCH": "0",
                "ELECTRA_FORK_EPOCH": _s(FAR_FUTURE_EPOCH),
            }
        }

    def _finality(self, state_id: str, query: dict[str, list[str]], body: bytes) -> dict[str, Any]:
        slot = self._state_slot(state_id)
        epoch = self.network.epoch_of(slot)
        finalized = self.network.finalized_epoch(epoch)
        justified = min(finalized + 1, epoch)
        seed = self.network.seed

        def checkpoint(e: int) -> dict[str, str]:
            return {"epoch": _s(e), "root": hex_of(seed, "checkpoint", e)}

        return self._envelope(
            {
                "previous_justified": checkpoint(finalized),
                "current_justified": checkpoint(justified),
                "finalized": checkpoint(finalized),
            },
            finalized=self._is_finalized_slot(slot),
        )

    def _proposer_duties(
        self, epoch: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        e = self._epoch_param(epoch)
        net = self.network
        if e > self.head_epoch + 1 or e >= net.n_epochs:
            raise ApiError(
                400,
                f"BAD_REQUEST: request epoch {e} is more than one epoch ahead of the current "
                f"epoch {self.head_epoch}",
            )
        duties = []
        for slot in range(net.first_slot(e), net.first_slot(e + 1)):
            proposer = net.proposers[slot]
            if proposer is None:
                continue
            duties.append(
                {
                    "pubkey": net.validators[proposer].pubkey,
                    "validator_index": _s(proposer),
                    "slot": _s(slot),
                }
            )
        return {
            "dependent_root": hex_of(net.seed, "dependent-root", e),
            "execution_optimistic": False,
            "data": duties,
        }

    def _attestation_rewards(
        self, epoch: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        e = self._epoch_param(epoch)
        if e + 2 > self.head_epoch or e >= self.network.n_epochs:
            raise ApiError(404, "NOT_FOUND: Epoch not known or required data not available")
        self._check_not_pruned(e, f"attestation rewards of epoch {e}")
        ids = self._body_ids(body)
        rewards = self.network.attestations[e]
        wanted = sorted(rewards) if ids is None else [i for i in ids if i in rewards]
        total = [
            {
                "validator_index": _s(i),
                "head": _s(rewards[i].head),
                "target": _s(rewards[i].target),
                "source": _s(rewards[i].source),
                "inactivity": _s(rewards[i].inactivity),
            }
            for i in wanted
        ]
        ideal = [{k: _s(v) for k, v in entry.items()} for entry in self.network.ideal_rewards()]
        return self._envelope(
            {"ideal_rewards": ideal, "total_rewards": total},
            finalized=e + 1 <= self._finalized_epoch(),
        )

    def _block_rewards(
        self, block_id: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        slot = self._block_slot(block_id)
        self._check_not_pruned(self.network.epoch_of(slot), f"block rewards of slot {slot}")
        block = self.network.blocks[slot]
        r = block.rewards
        return self._envelope(
            {
                "proposer_index": _s(block.proposer_index),
                "total": _s(r.total),
                "attestations": _s(r.attestations),
                "sync_aggregate": _s(r.sync_aggregate),
                "proposer_slashings": _s(r.proposer_slashings),
                "attester_slashings": _s(r.attester_slashings),
            },
            finalized=self._is_finalized_slot(slot),
        )

    def _sync_rewards(
        self, block_id: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        slot = self._block_slot(block_id)
        self._check_not_pruned(
            self.network.epoch_of(slot), f"sync committee rewards of slot {slot}"
        )
        ids = self._body_ids(body)
        rewards = self.network.sync_rewards[slot]
        committee = self.network.sync_committees[
            self.network.sync_period(self.network.epoch_of(slot))
        ]
        wanted = set(committee) if ids is None else set(ids)
        data = [
            {"validator_index": _s(i), "reward": _s(rewards[i])} for i in committee if i in wanted
        ]
        return self._envelope(data, finalized=self._is_finalized_slot(slot))

    def _sync_committees(
        self, state_id: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        slot = self._state_slot(state_id)
        net = self.network
        state_epoch = net.epoch_of(slot)
        epoch = state_epoch
        if "epoch" in query:
            epoch = self._epoch_param(query["epoch"][-1])
        period = net.sync_period(epoch)
        state_period = net.sync_period(state_epoch)
        if period not in (state_period, state_period + 1):
            raise ApiError(
                400,
                f"BAD_REQUEST: epoch {epoch} is outside the sync committee periods known to the "
                f"state at slot {slot} (periods {state_period} and {state_period + 1})",
            )
        members = net.sync_committees[period]
        size = len(members) // net.scenario.sync_subnet_count
        return self._envelope(
            {
                "validators": [_s(i) for i in members],
                "validator_aggregates": [
                    [_s(i) for i in members[k : k + size]] for k in range(0, len(members), size)
                ],
            },
            finalized=self._is_finalized_slot(slot),
        )

    def _validators(
        self, state_id: str, query: dict[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        slot = self._state_slot(state_id)
        net = self.network
        raw_ids = [part for value in query.get("id", []) for part in value.split(",") if part]
        if len(raw_ids) > MAX_IDS_PER_GET:
            raise ApiError(414, f"URI_TOO_LONG: at most {MAX_IDS_PER_GET} validator ids")
        statuses = {s for value in query.get("status", []) for s in value.split(",") if s}
        if raw_ids:
            indices = sorted({i for i in map(net.validator_by_id, raw_ids) if i is not None})
        else:
            indices = list(range(len(net.validators)))
        data = []
        for index in indices:
            status = net.status(index, slot)
            if status is None or (statuses and status not in statuses):
                continue
            v = net.validators[index]
            eligibility, activation, exit_epoch, withdrawable = net.registry_epochs(index, slot)
            data.append(
                {
                    "index": _s(index),
                    "balance": _s(net.balance(index, slot)),
                    "status": status,
                    "validator": {
                        "pubkey": v.pubkey,
                        "withdrawal_credentials": v.withdrawal_credentials,
                        "effective_balance": _s(net.effective_balance(index, slot)),
                        "slashed": net.is_slashed(index, slot),
                        "activation_eligibility_epoch": _s(eligibility),
                        "activation_epoch": _s(activation),
                        "exit_epoch": _s(exit_epoch),
                        "withdrawable_epoch": _s(withdrawable),
                    },
                }
            )
        return self._envelope(data, finalized=self._is_finalized_slot(slot))

    def _block(self, block_id: str, query: dict[str, list[str]], body: bytes) -> _Response:
        slot = self._block_slot(block_id)
        block = self.network.blocks[slot]
        body_json = self._block_json(block)
        answer = {
            "version": CONSENSUS_VERSION,
            "execution_optimistic": False,
            "finalized": self._is_finalized_slot(slot),
            "data": body_json,
        }
        return _Response(
            200, _dumps(answer), headers=[("Eth-Consensus-Version", CONSENSUS_VERSION)]
        )

    def _block_json(self, block: BeaconBlock) -> dict[str, Any]:
        net = self.network
        seed = net.seed
        ex = block.execution
        slashings = []
        if block.slashing_of is not None:
            offender = block.slashing_of
            headers = []
            for k in (1, 2):  # two different headers signed for one slot: the offence
                headers.append(
                    {
                        "message": {
                            "slot": _s(block.slot - 3),
                            "proposer_index": _s(offender),
                            "parent_root": hex_of(seed, "slashing-parent", block.slot),
                            "state_root": hex_of(seed, "slashing-state", block.slot, k),
                            "body_root": hex_of(seed, "slashing-body", block.slot, k),
                        },
                        "signature": hex_of(seed, "slashing-signature", block.slot, k, n_bytes=96),
                    }
                )
            slashings.append({"signed_header_1": headers[0], "signed_header_2": headers[1]})
        members = net.sync_committees[net.sync_period(net.epoch_of(block.slot))]
        bits = 0
        for position, member in enumerate(members):
            if net.sync_rewards[block.slot][member] > 0:
                bits |= 1 << position
        n_bytes = max(1, (len(members) + 7) // 8)
        payload = {
            "parent_hash": ex.parent_hash,
            "fee_recipient": ex.fee_recipient,
            "state_root": ex.state_root,
            "receipts_root": ex.receipts_root,
            "logs_bloom": _EMPTY_BLOOM,
            "prev_randao": ex.prev_randao,
            "block_number": _s(ex.number),
            "gas_limit": _s(ex.gas_limit),
            "gas_used": _s(ex.gas_used),
            "timestamp": _s(ex.timestamp),
            "extra_data": ex.extra_data,
            "base_fee_per_gas": _s(ex.base_fee_per_gas),
            "block_hash": ex.hash,
            "transactions": [self._raw_tx(tx) for tx in ex.transactions],
            "withdrawals": [
                {
                    "index": _s(w.index),
                    "validator_index": _s(w.validator_index),
                    "address": w.address,
                    "amount": _s(w.amount),
                }
                for w in ex.withdrawals
            ],
            "blob_gas_used": _s(ex.blob_gas_used),
            "excess_blob_gas": _s(ex.excess_blob_gas),
        }
        return {
            "message": {
                "slot": _s(block.slot),
                "proposer_index": _s(block.proposer_index),
                "parent_root": block.parent_root,
                "state_root": block.state_root,
                "body": {
                    "randao_reveal": hex_of(seed, "randao", block.slot, n_bytes=96),
                    "eth1_data": {
                        "deposit_root": hex_of(seed, "deposit-root"),
                        "deposit_count": _s(len(net.validators)),
                        "block_hash": hex_of(seed, "eth1-block"),
                    },
                    "graffiti": "0x" + b"aurora-simulator".hex().ljust(64, "0"),
                    "proposer_slashings": slashings,
                    "attester_slashings": [],
                    "attestations": [],
                    "deposits": [],
                    "voluntary_exits": [],
                    "sync_aggregate": {
                        "sync_committee_bits": "0x" + bits.to_bytes(n_bytes, "little").hex(),
                        "sync_committee_signature": hex_of(
                            seed, "sync-sig", block.slot, n_bytes=96
                        ),
                    },
                    "execution_payload": payload,
                    "bls_to_execution_changes": [],
                    "blob_kzg_commitments": [],
                },
            },
            "signature": hex_of(seed, "block-signature", block.slot, n_bytes=96),
        }

    def _raw_tx(self, tx: Transaction) -> str:
        """Opaque bytes standing for the signed transaction (not real RLP: nothing decodes it)."""
        prefix = "" if tx.tx_type == 0 else f"{tx.tx_type:02x}"
        return "0x" + prefix + hex_of(self.network.seed, "raw-tx", tx.hash, n_bytes=48)[2:]

    # ---------------------------------------------------------------- execution
    def _execution(self, verb: str, body: bytes) -> _Response:
        if verb != "POST":
            return _Response(405, b"JSON-RPC needs POST", content_type="text/plain")
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            err = {"code": -32700, "message": "parse error"}
            return _Response(200, _dumps({"jsonrpc": "2.0", "id": None, "error": err}))
        if isinstance(payload, list):
            if not payload:
                err = {"code": -32600, "message": "empty batch"}
                return _Response(200, _dumps({"jsonrpc": "2.0", "id": None, "error": err}))
            return _Response(200, _dumps([self._rpc_call(item) for item in payload]))
        return _Response(200, _dumps(self._rpc_call(payload)))

    def _rpc_call(self, request: Any) -> dict[str, Any]:
        req_id = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise RpcError(-32600, "invalid request")
            method = self._rpc_methods.get(request["method"])
            if method is None:
                raise RpcError(
                    -32601, f"the method {request['method']} does not exist/is not available"
                )
            params = request.get("params") or []
            if not isinstance(params, list):
                raise RpcError(-32602, "invalid params: expected an array")
            result = method(params)
        except RpcError as exc:
            return {
                "jsonrpc": "2.0",
                "id": req_id,
                "error": {"code": exc.code, "message": exc.message},
            }
        return {"jsonrpc": "2.0", "id": req_id, "result": result}

    def _latest_block(self, limit_slot: int | None = None) -> BeaconBlock:
        limit = self._head if limit_slot is None else limit_slot
        slot = max((s for s in self.network.blocks if s <= limit), default=None)
        if slot is None:
            raise RpcError(-32000, "no block yet")
        return self.network.blocks[slot]

    def _resolve_number(self, tag: Any) -> BeaconBlock | None:
        net = self.network
        if tag in ("latest", "safe", "pending"):
            return self._latest_block()
        if tag == "finalized":
            return self._latest_block(net.first_slot(self._finalized_epoch()))
        if tag == "earliest":
            return None
        if not isinstance(tag, str) or not re.fullmatch(r"0x(0|[1-9a-f][0-9a-f]*)", tag):
            raise RpcError(
                -32602, f"invalid argument 0: hex string without 0x prefix or bad: {tag!r}"
            )
        block = net.block_by_number(int(tag, 16))
        if block is None or block.slot > self._head:
            return None
        return block

    def _rpc_block(self, params: list[Any]) -> dict[str, Any] | None:
        if len(params) != 2 or not isinstance(params[1], bool):
            raise RpcError(-32602, "invalid params: expected [blockNumber, fullTransactions]")
        block = self._resolve_number(params[0])
        return None if block is None else self._block_rpc_json(block, full=params[1])

    def _rpc_receipts(self, params: list[Any]) -> list[dict[str, Any]] | None:
        if len(params) != 1:
            raise RpcError(-32602, "invalid params: expected [blockNumberOrHash]")
        tag = params[0]
        if isinstance(tag, str) and len(tag) == 66:
            block = self.network.block_by_hash(tag)
            if block is not None and block.slot > self._head:
                block = None
        else:
            block = self._resolve_number(tag)
        if block is None:
            return None
        return self._receipts_json(block.execution, block)

    def _tx_json(self, tx: Transaction, index: int, ex: ExecutionBlock) -> dict[str, Any]:
        seed = self.network.seed
        out: dict[str, Any] = {
            "blockHash": ex.hash,
            "blockNumber": _q(ex.number),
            "blockTimestamp": _q(ex.timestamp),
            "from": tx.sender,
            "gas": _q(tx.gas_limit),
            "gasPrice": _q(tx.effective_gas_price),
        }
        if tx.tx_type != 0:
            assert tx.max_fee_per_gas is not None and tx.max_priority_fee_per_gas is not None
            out["maxFeePerGas"] = _q(tx.max_fee_per_gas)
            out["maxPriorityFeePerGas"] = _q(tx.max_priority_fee_per_gas)
        if tx.tx_type == 3:
            out["maxFeePerBlobGas"] = _q(tx.blob_gas_price or 0)
        out.update(
            {
                "hash": tx.hash,
                "input": tx.input,
                "nonce": _q(tx.nonce),
                "to": tx.to,
                "transactionIndex": _q(index),
                "value": _q(tx.value),
                "type": _q(tx.tx_type),
            }
        )
        if tx.tx_type != 0:
            out["accessList"] = []
        if tx.tx_type == 3:
            out["blobVersionedHashes"] = ["0x01" + hex_of(seed, "blob", tx.hash)[4:]]
        out["chainId"] = _q(CHAIN_ID)
        out["v"] = _q(CHAIN_ID * 2 + 35) if tx.tx_type == 0 else "0x1"
        if tx.tx_type != 0:
            out["yParity"] = "0x1"
        out["r"] = hex_of(seed, "sig-r", tx.hash)
        out["s"] = hex_of(seed, "sig-s", tx.hash)
        return out

    def _block_rpc_json(self, block: BeaconBlock, *, full: bool) -> dict[str, Any]:
        ex = block.execution
        seed = self.network.seed
        txs: list[Any] = (
            [self._tx_json(tx, i, ex) for i, tx in enumerate(ex.transactions)]
            if full
            else [tx.hash for tx in ex.transactions]
        )
        return {
            "baseFeePerGas": _q(ex.base_fee_per_gas),
            "blobGasUsed": _q(ex.blob_gas_used),
            "difficulty": "0x0",
            "excessBlobGas": _q(ex.excess_blob_gas),
            "extraData": ex.extra_data,
            "gasLimit": _q(ex.gas_limit),
            "gasUsed": _q(ex.gas_used),
            "hash": ex.hash,
            "logsBloom": _EMPTY_BLOOM,
            "miner": ex.fee_recipient,
            "mixHash": ex.prev_randao,
            "nonce": "0x0000000000000000",
            "number": _q(ex.number),
            "parentBeaconBlockRoot": block.parent_root,
            "parentHash": ex.parent_hash,
            "receiptsRoot": ex.receipts_root,
            "sha3Uncles": _EMPTY_UNCLES,
            "size": _q(600 + 180 * len(ex.transactions)),
            "stateRoot": ex.state_root,
            "timestamp": _q(ex.timestamp),
            "transactions": txs,
            "transactionsRoot": hex_of(seed, "transactions-root", block.slot),
            "uncles": [],
            "withdrawals": [
                {
                    "index": _q(w.index),
                    "validatorIndex": _q(w.validator_index),
                    "address": w.address,
                    "amount": _q(w.amount),
                }
                for w in ex.withdrawals
            ],
            "withdrawalsRoot": hex_of(seed, "withdrawals-root", block.slot),
        }

    def _receipts_json(self, ex: ExecutionBlock, block: BeaconBlock) -> list[dict[str, Any]]:
        out = []
        cumulative = 0
        seed = self.network.seed
        for i, tx in enumerate(ex.transactions):
            cumulative += tx.gas_used
            receipt: dict[str, Any] = {
                "blockHash": ex.hash,
                "blockNumber": _q(ex.number),
                "contractAddress": (
                    hex_of(seed, "created", tx.hash, n_bytes=20) if tx.to is None else None
                ),
                "cumulativeGasUsed": _q(cumulative),
                "effectiveGasPrice": _q(tx.effective_gas_price),
                "from": tx.sender,
                "gasUsed": _q(tx.gas_used),
                "logs": [],
                "logsBloom": _EMPTY_BLOOM,
                "status": _q(tx.status),
                "to": tx.to,
                "transactionHash": tx.hash,
                "transactionIndex": _q(i),
                "type": _q(tx.tx_type),
            }
            if tx.tx_type == 3:
                receipt["blobGasUsed"] = _q(tx.blob_gas_used or 0)
                receipt["blobGasPrice"] = _q(tx.blob_gas_price or 0)
            out.append(receipt)
        return out

    # ---------------------------------------------------------------- relays
    def _relay(self, verb: str, name: str, path: str, query: str) -> _Response:
        net = self.network
        if name not in net.relays or path.rstrip("/") != _RELAY_PATH:
            raise ApiError(404, "not found")
        if verb != "GET":
            raise ApiError(405, "method not allowed")
        qs = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if "slot" in qs and "cursor" in qs:
            raise ApiError(400, "cannot specify both slot and cursor")
        limit = RELAY_LIMIT_MAX
        if "limit" in qs:
            if not qs["limit"].isdigit():
                raise ApiError(400, "invalid limit argument")
            limit = int(qs["limit"])
            if limit > RELAY_LIMIT_MAX:
                raise ApiError(400, f"maximum limit is {RELAY_LIMIT_MAX}")
        for key in ("slot", "cursor", "block_number"):
            if key in qs and not qs[key].isdigit():
                raise ApiError(400, f"invalid {key} argument")
        deliveries = net.deliveries[name]
        if "slot" in qs:
            slot = int(qs["slot"])
            found = list(deliveries.get(slot, [])) if slot <= self._head else []
        else:
            top = min(self._head, int(qs.get("cursor", self._head)))
            found = [d for s in sorted(deliveries, reverse=True) if s <= top for d in deliveries[s]]
        if "block_hash" in qs:
            found = [d for d in found if d.block_hash == qs["block_hash"].lower()]
        if "block_number" in qs:
            found = [d for d in found if d.block_number == int(qs["block_number"])]
        if "proposer_pubkey" in qs:
            found = [d for d in found if d.proposer_pubkey == qs["proposer_pubkey"].lower()]
        extra = net.relays.index(name) % 2 == 1
        return _Response(200, _dumps([self._trace(d, extra) for d in found[:limit]]))

    @staticmethod
    def _trace(d: RelayDelivery, extra: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "slot": _s(d.slot),
            "parent_hash": d.parent_hash,
            "block_hash": d.block_hash,
            "builder_pubkey": d.builder_pubkey,
            "proposer_pubkey": d.proposer_pubkey,
            "proposer_fee_recipient": checksum_address(d.proposer_fee_recipient),
            "gas_limit": _s(d.gas_limit),
            "gas_used": _s(d.gas_used),
            "value": _s(d.value),
            "block_number": _s(d.block_number),
            "num_tx": _s(d.num_tx),
        }
        if extra:
            out["optimistic_submission"] = False
        return out
