"""HTTP server speaking Solana JSON-RPC and the Jito Kobe API for a simulated :class:`Network`.

One ``ThreadingHTTPServer`` on loopback serves both providers:
- ``POST {base}/rpc``: JSON-RPC 2.0 (single requests and batch arrays), real response shapes;
- ``{base}/kobe/api/v1/...``: the Kobe endpoints (``POST /validators``, ``GET /validator_rewards``,
  ``GET /validators/{vote}``).

Faults (HTTP 429 with ``Retry-After``, 5xx, delayed answers, malformed JSON bodies, bodies cut
off mid-transfer (the full ``Content-Length`` is announced, half is sent, the connection closes), a
``down`` switch) are drawn deterministically from ``FaultConfig.seed`` and a per-request counter.
With ``disagreements`` the server plays a second provider whose answers differ from the network in
exactly ``count`` places, listed by :meth:`SimulatorServer.disagreement_log`.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from random import Random
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from ingest.simulator.network import (
    STAKE_PROGRAM_ID,
    InflationReward,
    Network,
    VoteTx,
    b58encode,
    failed_vote_err,
    is_pubkey,
)

JSONRPC = "2.0"
SIG_LIMIT_MAX = 1000
_STAKE_MEMCMP = {12: "staker", 44: "withdrawer", 124: "voter"}


@dataclass
class FaultConfig:
    """Fault injection. Rates are probabilities per HTTP request (0 .. 1, summing to <= 1).

    Draws are deterministic: request number n (counted from server start or the last
    ``reset_faults``) draws from ``Random(f"{seed}:{n}")``.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_timeout: float = 0.0
    rate_malformed: float = 0.0
    rate_truncated: float = 0.0
    timeout_delay_s: float = 2.0
    retry_after_s: int = 1  # HTTP Retry-After is an integer number of seconds
    down: bool = False  # every request answers 503

    def draw(self, n: int) -> str | None:
        """The fault of request number ``n`` (``None``: answer normally)."""
        u = Random(f"{self.seed}:{n}").random()
        for kind, rate in (
            ("429", self.rate_429),
            ("5xx", self.rate_5xx),
            ("timeout", self.rate_timeout),
            ("malformed", self.rate_malformed),
            ("truncated", self.rate_truncated),
        ):
            if u < rate:
                return kind
            u -= rate
        return None


@dataclass(frozen=True)
class Disagreements:
    """Make the server a second provider that differs from the truth in ``count`` places."""

    seed: int
    count: int


@dataclass(frozen=True)
class Disagreement:
    method: str  # "getBlock", "getInflationReward" or "kobe:/api/v1/validators"
    key: tuple[tuple[str, Any], ...]
    field: str
    true_value: int
    served_value: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "key": dict(self.key),
            "field": self.field,
            "true_value": self.true_value,
            "served_value": self.served_value,
        }


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_json(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            err["data"] = self.data
        return err


@dataclass
class _Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    declared_length: int | None = None  # a truncated body announces its full length


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _invalid_params(detail: str) -> RpcError:
    return RpcError(-32602, f"Invalid params: {detail}")


def _int_param(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid_params(f"{name} must be a non-negative integer")
    return int(value)


def _config(params: list[Any], index: int) -> dict[str, Any]:
    if len(params) > index and params[index] is not None:
        cfg = params[index]
        if not isinstance(cfg, dict):
            raise _invalid_params(f"expected a configuration object at position {index}")
        return cfg
    return {}


def _reward_json(r: InflationReward | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "epoch": r.epoch,
        "effectiveSlot": r.effective_slot,
        "amount": r.amount,
        "postBalance": r.post_balance,
        "commission": r.commission,
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: SimulatorServer) -> None:
        super().__init__(address, _Handler)
        self.sim = sim


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms ACK stalls

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


class SimulatorServer:
    """Serve a :class:`Network` over HTTP on loopback. Use as a context manager."""

    def __init__(
        self,
        network: Network,
        faults: FaultConfig | None = None,
        tip_slot: int | None = None,
        kobe_withhold_epochs: int = 0,
        disagreements: Disagreements | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.network = network
        self._faults = replace(faults) if faults is not None else FaultConfig()
        self._tip = network.default_tip_slot
        if tip_slot is not None:
            self.set_tip_slot(tip_slot)
        self._withhold = kobe_withhold_epochs
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._counter = 0
        self._requests: Counter[str] = Counter()
        self._fault_counts: Counter[str] = Counter()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._disagreements: list[Disagreement] = []
        self._dis_block: dict[int, Disagreement] = {}
        self._dis_inflation: dict[tuple[int, str], Disagreement] = {}
        self._dis_kobe: dict[tuple[int, str], Disagreement] = {}
        if disagreements is not None:
            self._plan_disagreements(disagreements)
        self._rpc_methods = {
            "getBlock": self._get_block,
            "getBlockHeight": self._get_block_height,
            "getBlockProduction": self._get_block_production,
            "getBlockTime": self._get_block_time,
            "getBlocks": self._get_blocks,
            "getBlocksWithLimit": self._get_blocks_with_limit,
            "getEpochInfo": self._get_epoch_info,
            "getEpochSchedule": self._get_epoch_schedule,
            "getFirstAvailableBlock": lambda params: 0,
            "getGenesisHash": lambda params: self.network.genesis_hash,
            "getHealth": lambda params: "ok",
            "getInflationReward": self._get_inflation_reward,
            "getLeaderSchedule": self._get_leader_schedule,
            "getProgramAccounts": self._get_program_accounts,
            "getSignaturesForAddress": self._get_signatures_for_address,
            "getSlot": lambda params: self._tip,
            "getVersion": lambda params: {"solana-core": "2.2.0-aurora-sim", "feature-set": 0},
            "getVoteAccounts": self._get_vote_accounts,
        }

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SimulatorServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), self)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"aurora-simulator-{self._port}",
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

    def __enter__(self) -> SimulatorServer:
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
    def rpc_url(self) -> str:
        return f"{self.base_url}/rpc"

    @property
    def kobe_url(self) -> str:
        return f"{self.base_url}/kobe"

    # ---------------------------------------------------------------- runtime controls

    @property
    def tip_slot(self) -> int:
        return self._tip

    def set_tip_slot(self, slot: int) -> None:
        if not 0 <= slot <= self.network.last_slot:
            raise ValueError(
                f"tip slot {slot} outside the generated range 0..{self.network.last_slot}"
            )
        self._tip = slot

    def set_down(self, down: bool) -> None:
        self._faults.down = down

    def publish_kobe(self) -> None:
        """Stop withholding Kobe data for the latest closed epochs."""
        self._withhold = 0

    def reset_faults(self, faults: FaultConfig) -> None:
        with self._lock:
            self._faults = replace(faults)
            self._counter = 0

    @property
    def faults(self) -> FaultConfig:
        return self._faults

    @property
    def request_log(self) -> dict[str, int]:
        """Requests received, by JSON-RPC method (or ``kobe:<path>``), faulted ones included."""
        with self._lock:
            return dict(self._requests)

    @property
    def fault_log(self) -> dict[str, int]:
        """Faults injected, by kind (``429``, ``5xx``, ``timeout``, ``malformed``, ...)."""
        with self._lock:
            return dict(self._fault_counts)

    def disagreement_log(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self._disagreements]

    # ---------------------------------------------------------------- dispatch

    def handle(self, verb: str, raw_path: str, body: bytes) -> _Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        payload: Any = None
        parse_error = False
        if path in ("/rpc", "/"):
            try:
                payload = json.loads(body) if body else None
            except ValueError:
                parse_error = True
            labels = self._rpc_labels(payload, parse_error)
        elif path.startswith("/kobe/"):
            labels = [f"kobe:{path[len('/kobe') :]}"]
        else:
            labels = [f"other:{path}"]
        with self._lock:
            self._requests.update(labels)
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
                _dumps({"error": "Too many requests"}),
                headers=[("Retry-After", str(faults.retry_after_s))],
            )
        if fault == "5xx":
            self._count_fault(fault)
            status = (500, 502, 503)[Random(f"{faults.seed}:{n}:status").randrange(3)]
            return _Response(status, b"upstream error (simulated)", content_type="text/plain")
        if fault == "timeout":
            self._count_fault(fault)
            time.sleep(faults.timeout_delay_s)
        if path in ("/rpc", "/"):
            resp = self._rpc_response(verb, payload, parse_error)
        elif path.startswith("/kobe/"):
            resp = self._kobe_response(verb, path[len("/kobe") :], parts.query, body)
        else:
            resp = _Response(404, _dumps({"error": f"no route {path}"}))
        if fault == "malformed":
            self._count_fault(fault)
            resp.body = b'{"jsonrpc":"2.0","result":{"oops" <html>bad gateway</html>'
        elif fault == "truncated":
            self._count_fault(fault)
            resp.declared_length = len(resp.body)
            resp.body = resp.body[: len(resp.body) // 2]
        return resp

    def _count_fault(self, kind: str) -> None:
        with self._lock:
            self._fault_counts[kind] += 1

    @staticmethod
    def _rpc_labels(payload: Any, parse_error: bool) -> list[str]:
        if parse_error:
            return ["<parse error>"]
        items = payload if isinstance(payload, list) else [payload]
        labels = []
        for item in items:
            method = item.get("method") if isinstance(item, dict) else None
            labels.append(method if isinstance(method, str) else "<invalid>")
        return labels or ["<invalid>"]

    # ---------------------------------------------------------------- JSON-RPC

    def _rpc_response(self, verb: str, payload: Any, parse_error: bool) -> _Response:
        if verb != "POST":
            return _Response(405, b"JSON-RPC needs POST", content_type="text/plain")
        if parse_error:
            err = RpcError(-32700, "Parse error")
            return _Response(200, _dumps({"jsonrpc": JSONRPC, "error": err.as_json(), "id": None}))
        if isinstance(payload, list):
            if not payload:
                err = RpcError(-32600, "Invalid request")
                return _Response(
                    200, _dumps({"jsonrpc": JSONRPC, "error": err.as_json(), "id": None})
                )
            return _Response(200, _dumps([self._rpc_call(item) for item in payload]))
        return _Response(200, _dumps(self._rpc_call(payload)))

    def _rpc_call(self, request: Any) -> dict[str, Any]:
        req_id = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise RpcError(-32600, "Invalid request")
            method = self._rpc_methods.get(request["method"])
            if method is None:
                raise RpcError(-32601, "Method not found")
            params = request.get("params", [])
            if params is None:
                params = []
            if not isinstance(params, list):
                raise _invalid_params("params must be an array")
            result = method(params)
        except RpcError as exc:
            return {"jsonrpc": JSONRPC, "error": exc.as_json(), "id": req_id}
        return {"jsonrpc": JSONRPC, "result": result, "id": req_id}

    # slots and blocks ----------------------------------------------------------

    def _tip_epoch(self) -> int:
        return self.network.schedule.epoch_of(self._tip)

    def _check_block_slot(self, params: list[Any]) -> int:
        if not params:
            raise _invalid_params("missing slot")
        slot = _int_param(params[0], "slot")
        if slot > self._tip or not self.network.in_range(slot):
            raise RpcError(-32004, f"Block not available for slot {slot}")
        if not self.network.is_produced(slot):
            raise RpcError(
                -32007,
                f"Slot {slot} was skipped, or missing due to ledger jump to recent snapshot",
            )
        return slot

    def _get_block_time(self, params: list[Any]) -> int | None:
        slot = self._check_block_slot(params)
        return self.network.block_time(slot)

    def _get_block(self, params: list[Any]) -> dict[str, Any]:
        slot = self._check_block_slot(params)
        if len(params) > 1 and isinstance(params[1], str):
            cfg: dict[str, Any] = {"encoding": params[1]}
        else:
            cfg = _config(params, 1)
        details = cfg.get("transactionDetails", "full")
        if details not in ("none", "signatures"):
            raise _invalid_params(
                'the simulator serves transactionDetails "none" or "signatures" only'
            )
        net = self.network
        block: dict[str, Any] = {
            "blockHeight": net.block_height(slot),
            "blockTime": net.block_time(slot),
            "blockhash": net.blockhash(slot),
            "parentSlot": net.parent_slot(slot),
            "previousBlockhash": net.previous_blockhash(slot),
        }
        if details == "signatures":
            block["signatures"] = self._signatures_in_slot(slot)
        if cfg.get("rewards", True):
            leader = net.slot_leader(slot)
            fee = net.fee_reward(slot)
            dis = self._dis_block.get(slot)
            rewards: list[dict[str, Any]] = [
                {
                    "pubkey": leader.identity_pubkey,
                    "lamports": dis.served_value if dis is not None else fee,
                    "postBalance": net.identity_post_balance(slot),
                    "rewardType": "Fee",
                    "commission": None,
                }
            ]
            rewards.extend(net.epoch_boundary_rewards(slot))
            block["rewards"] = rewards
            role = net.block_reward_role(slot)
            if role is not None and role[1] < 0:
                block["numRewardPartitions"] = len(net.partition_slots(role[0]))
        return block

    def _get_blocks(self, params: list[Any]) -> list[int]:
        if not params:
            raise _invalid_params("missing start slot")
        start = _int_param(params[0], "start_slot")
        end = self._tip
        if len(params) > 1 and not isinstance(params[1], dict) and params[1] is not None:
            end = min(end, _int_param(params[1], "end_slot"))
        if end - start > 500_000:
            raise _invalid_params("Slot range too large; max 500000")
        last = min(end, self.network.last_slot)
        return [s for s in range(start, last + 1) if self.network.is_produced(s)]

    def _get_blocks_with_limit(self, params: list[Any]) -> list[int]:
        if len(params) < 2:
            raise _invalid_params("expected [start_slot, limit]")
        start = _int_param(params[0], "start_slot")
        limit = _int_param(params[1], "limit")
        if limit > 500_000:
            raise _invalid_params("Limit too large; max 500000")
        out: list[int] = []
        slot = start
        last = min(self._tip, self.network.last_slot)
        while slot <= last and len(out) < limit:
            if self.network.is_produced(slot):
                out.append(slot)
            slot += 1
        return out

    def _signatures_in_slot(self, slot: int) -> list[str]:
        epoch = self.network.schedule.epoch_of(slot)
        sigs: list[str] = []
        for v in self.network.validators:
            sigs.extend(t.signature for t in self.network.votes(v.index, epoch) if t.slot == slot)
        return sigs

    def _get_block_height(self, params: list[Any]) -> int:
        return self.network.height_at(self._tip)

    def _get_epoch_schedule(self, params: list[Any]) -> dict[str, Any]:
        s = self.network.schedule
        return {
            "firstNormalEpoch": s.first_normal_epoch,
            "firstNormalSlot": s.first_normal_slot,
            "leaderScheduleSlotOffset": s.leader_schedule_slot_offset,
            "slotsPerEpoch": s.slots_per_epoch,
            "warmup": s.warmup,
        }

    def _get_epoch_info(self, params: list[Any]) -> dict[str, Any]:
        tip = self._tip
        spe = self.network.slots_per_epoch
        height = self.network.height_at(tip)
        return {
            "absoluteSlot": tip,
            "blockHeight": height,
            "epoch": tip // spe,
            "slotIndex": tip % spe,
            "slotsInEpoch": spe,
            "transactionCount": height * 1_024 + 17,
        }

    def _get_leader_schedule(self, params: list[Any]) -> dict[str, list[int]] | None:
        slot: int | None = None
        cfg: dict[str, Any] = {}
        if params and isinstance(params[0], dict):
            cfg = params[0]
        else:
            if params and params[0] is not None:
                slot = _int_param(params[0], "slot")
            cfg = _config(params, 1)
        net = self.network
        epoch = net.schedule.epoch_of(slot) if slot is not None else self._tip_epoch()
        if epoch > min(self._tip_epoch() + 1, net.n_epochs):
            return None
        schedule = net.leader_schedule(epoch)
        identity = cfg.get("identity")
        if identity is not None:
            return {identity: schedule[identity]} if identity in schedule else {}
        return schedule

    def _get_block_production(self, params: list[Any]) -> dict[str, Any]:
        cfg = _config(params, 0)
        net = self.network
        tip = self._tip
        rng = cfg.get("range") or {}
        first = _int_param(
            rng.get("firstSlot", net.schedule.first_slot(self._tip_epoch())), "firstSlot"
        )
        last = _int_param(rng.get("lastSlot", tip), "lastSlot")
        if last > tip:
            raise _invalid_params(f"lastSlot, {last}, cannot be greater than current slot, {tip}")
        identity = cfg.get("identity")
        by_identity: dict[str, list[int]] = {}
        for slot in range(first, last + 1):
            ident = net.slot_leader(slot).identity_pubkey
            if identity is not None and ident != identity:
                continue
            counts = by_identity.setdefault(ident, [0, 0])
            counts[0] += 1
            counts[1] += 1 if net.is_produced(slot) else 0
        return {
            "context": {"apiVersion": "2.2.0", "slot": tip},
            "value": {"byIdentity": by_identity, "range": {"firstSlot": first, "lastSlot": last}},
        }

    # rewards -----------------------------------------------------------------------

    def _get_inflation_reward(self, params: list[Any]) -> list[dict[str, Any] | None]:
        if not params or not isinstance(params[0], list):
            raise _invalid_params("expected an array of addresses")
        addresses = params[0]
        for a in addresses:
            if not isinstance(a, str) or not is_pubkey(a):
                raise _invalid_params(f"invalid address {a!r}")
        cfg = _config(params, 1)
        net = self.network
        tip = self._tip
        tip_epoch = self._tip_epoch()
        epoch = cfg.get("epoch")
        epoch = tip_epoch - 1 if epoch is None else _int_param(epoch, "epoch")
        if epoch < 0 or epoch >= tip_epoch or epoch >= net.n_epochs:
            first = net.schedule.first_slot(max(epoch, 0) + 1)
            raise RpcError(-32004, f"Block not available for slot {first}")
        if tip < net.first_produced_slot(epoch + 1):
            first = net.schedule.first_slot(epoch + 1)
            raise RpcError(-32004, f"Block not available for slot {first}")
        complete = net.rewards_complete_slot(epoch)
        if tip < complete:
            raise RpcError(
                -32017,
                f"Epoch rewards period still active at slot {tip}",
                {
                    "currentBlockHeight": net.height_at(tip),
                    "rewardsCompleteBlockHeight": net.height_at(complete - 1) + 1,
                    "slot": tip,
                },
            )
        out: list[dict[str, Any] | None] = []
        for address in addresses:
            reward: InflationReward | None = None
            validator = net.validator_by_vote(address)
            if validator is not None:
                reward = net.vote_reward(validator.index, epoch)
            else:
                account = net.stake_account(address)
                if account is not None:
                    reward = net.stake_reward(account.index, epoch)
            item = _reward_json(reward)
            dis = self._dis_inflation.get((epoch, address))
            if item is not None and dis is not None:
                item["amount"] = dis.served_value
            out.append(item)
        return out

    # accounts -----------------------------------------------------------------------

    def _get_vote_accounts(self, params: list[Any]) -> dict[str, Any]:
        cfg = _config(params, 0)
        wanted = cfg.get("votePubkey")
        net = self.network
        tip = self._tip
        tip_epoch = self._tip_epoch()
        current = []
        for v in net.validators:
            if wanted is not None and v.vote_pubkey != wanted:
                continue
            credits = []
            for e in range(max(0, tip_epoch - 4), tip_epoch + 1):
                c, prev = net.epoch_credits(v.index, e)
                credits.append([e, c, prev])
            current.append(
                {
                    "activatedStake": net.activated_stake(v.index, tip_epoch),
                    "commission": v.commission_pct[tip_epoch],
                    "epochCredits": credits,
                    "epochVoteAccount": True,
                    "lastVote": tip,
                    "nodePubkey": v.identity_pubkey,
                    "rootSlot": max(0, tip - 32),
                    "votePubkey": v.vote_pubkey,
                }
            )
        return {"current": current, "delinquent": []}

    def _get_program_accounts(self, params: list[Any]) -> Any:
        if not params or not isinstance(params[0], str):
            raise _invalid_params("expected a program id")
        cfg = _config(params, 1)
        if params[0] != STAKE_PROGRAM_ID:
            accounts_json: list[dict[str, Any]] = []
        else:
            if cfg.get("encoding") != "jsonParsed":
                raise _invalid_params('the simulator serves encoding "jsonParsed" only')
            matches: dict[str, str] = {}
            size_ok = True
            for flt in cfg.get("filters") or []:
                if not isinstance(flt, dict):
                    raise _invalid_params("a filter must be an object")
                if "dataSize" in flt:
                    size_ok = size_ok and flt["dataSize"] == 200
                elif "memcmp" in flt:
                    memcmp = flt["memcmp"]
                    attr = _STAKE_MEMCMP.get(memcmp.get("offset"))
                    if attr is None or memcmp.get("encoding", "base58") != "base58":
                        raise _invalid_params(
                            "the simulator supports base58 memcmp at offsets 12, 44 and 124 only"
                        )
                    matches[attr] = memcmp.get("bytes")
                else:
                    raise _invalid_params(f"unsupported filter {flt!r}")
            tip = self._tip
            net = self.network
            accounts_json = []
            if size_ok:
                for a in net.program_accounts(tip):
                    if all(getattr(a, attr) == value for attr, value in matches.items()):
                        accounts_json.append(net.program_account_json(a, tip))
        if cfg.get("withContext"):
            return {"context": {"apiVersion": "2.2.0", "slot": self._tip}, "value": accounts_json}
        return accounts_json

    def _get_signatures_for_address(self, params: list[Any]) -> list[dict[str, Any]]:
        if not params or not isinstance(params[0], str) or not is_pubkey(params[0]):
            raise _invalid_params("expected a base58 address")
        cfg = _config(params, 1)
        limit = _int_param(cfg.get("limit", SIG_LIMIT_MAX), "limit")
        if limit < 1 or limit > SIG_LIMIT_MAX:
            raise _invalid_params(f"Invalid limit; max {SIG_LIMIT_MAX}")
        validator = self.network.validator_by_vote(params[0])
        if validator is None:
            return []
        txs, index = self.network.signatures_newest_first(validator.index)
        start = bisect.bisect_left(txs, -self._tip, key=lambda t: -t.slot)
        before = cfg.get("before")
        if before is not None:
            pos = index.get(before)
            if pos is None:
                return []
            start = max(start, pos + 1)
        stop = len(txs)
        until = cfg.get("until")
        if until is not None and until in index:
            stop = index[until]
        selected: list[VoteTx] = txs[start : min(stop, start + limit)]
        net = self.network
        return [
            {
                "blockTime": net.block_time(t.slot),
                "confirmationStatus": "finalized",
                "err": failed_vote_err() if t.failed else None,
                "memo": None,
                "signature": t.signature,
                "slot": t.slot,
            }
            for t in selected
        ]

    # ---------------------------------------------------------------- Kobe

    def _kobe_published(self, epoch: int) -> bool:
        tip_epoch = self._tip_epoch()
        closed = 0 <= epoch < min(tip_epoch, self.network.n_epochs)
        return closed and epoch < tip_epoch - self._withhold

    def _kobe_response(self, verb: str, path: str, query: str, body: bytes) -> _Response:
        qs = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            if path == "/api/v1/validators" and verb in ("GET", "POST"):
                req: dict[str, Any] = {}
                if verb == "POST" and body:
                    parsed = json.loads(body)
                    if not isinstance(parsed, dict):
                        raise ValueError("body must be a JSON object")
                    req = parsed
                raw_epoch = req.get("epoch", qs.get("epoch"))
                epoch = self._tip_epoch() - 1 if raw_epoch is None else int(raw_epoch)
                return _Response(200, _dumps({"validators": self._kobe_validators(epoch)}))
            if path == "/api/v1/validator_rewards" and verb == "GET":
                return _Response(200, _dumps(self._kobe_validator_rewards(qs)))
            if path.startswith("/api/v1/validators/") and verb == "GET":
                vote = path[len("/api/v1/validators/") :]
                return _Response(200, _dumps(self._kobe_validator_history(vote)))
        except (ValueError, TypeError) as exc:
            return _Response(400, _dumps({"error": f"bad request: {exc}"}))
        return _Response(404, _dumps({"error": f"no route {verb} {path}"}))

    def _kobe_validators(self, epoch: int) -> list[dict[str, Any]]:
        if not self._kobe_published(epoch):
            return []
        net = self.network
        out = []
        for v in net.validators:
            m = net.mev(v.index, epoch)
            mev_rewards = m.mev_rewards
            dis = self._dis_kobe.get((epoch, v.vote_pubkey))
            if dis is not None:
                mev_rewards = dis.served_value
            out.append(
                {
                    "identity_account": v.identity_pubkey,
                    "vote_account": v.vote_pubkey,
                    "mev_commission_bps": m.mev_commission_bps,
                    "mev_rewards": mev_rewards,
                    "priority_fee_commission_bps": m.priority_fee_commission_bps,
                    "priority_fee_rewards": m.priority_fee_rewards,
                    "active_stake": m.active_stake,
                    "running_jito": m.running_jito,
                    "running_bam": False,
                    "jito_directed_stake_target": None,
                    "jito_directed_stake_lamports": None,
                }
            )
        return out

    def _kobe_validator_rewards(self, qs: dict[str, str]) -> dict[str, Any]:
        net = self.network
        epoch = int(qs["epoch"]) if "epoch" in qs else self._tip_epoch() - 1
        limit = int(qs.get("limit", "100"))
        page = max(1, int(qs.get("page", "1")))
        if limit < 1 or limit > 10_000:
            raise ValueError("limit must be within 1..10000")
        wanted = qs.get("vote_account")
        rows: list[dict[str, Any]] = []
        if self._kobe_published(epoch):
            for v in sorted(net.validators, key=lambda v: v.vote_pubkey):
                if wanted is not None and v.vote_pubkey != wanted:
                    continue
                m = net.mev(v.index, epoch)
                if not m.running_jito:
                    continue
                rows.append(
                    {
                        "vote_account": v.vote_pubkey,
                        "mev_revenue": m.mev_rewards,
                        "mev_commission": m.mev_commission_bps,
                        "priority_fee_revenue": m.priority_fee_rewards,
                        "priority_fee_commission": m.priority_fee_commission_bps,
                        "num_stakers": m.num_stakers,
                        "epoch": epoch,
                        "claim_status_account": self._claim_status_account(v.index, epoch),
                    }
                )
        start = (page - 1) * limit
        return {"rewards": rows[start : start + limit], "total_count": len(rows)}

    def _claim_status_account(self, validator_index: int, epoch: int) -> str:
        rng = Random(f"{self.network.seed}:claim:{validator_index}:{epoch}")
        return b58encode(rng.getrandbits(256).to_bytes(32, "big"))

    def _kobe_validator_history(self, vote: str) -> list[dict[str, Any]]:
        v = self.network.validator_by_vote(vote)
        if v is None:
            return []
        out = []
        for epoch in range(min(self._tip_epoch(), self.network.n_epochs) - 1, -1, -1):
            if not self._kobe_published(epoch):
                continue
            m = self.network.mev(v.index, epoch)
            out.append(
                {
                    "epoch": epoch,
                    "mev_commission_bps": m.mev_commission_bps,
                    "mev_rewards": m.mev_rewards,
                    "priority_fee_commission_bps": m.priority_fee_commission_bps,
                    "priority_fee_rewards": m.priority_fee_rewards,
                }
            )
        return out

    # ---------------------------------------------------------------- disagreements

    def _plan_disagreements(self, spec: Disagreements) -> None:
        """Pick ``spec.count`` distinct places among the operator's facts of closed epochs."""
        net = self.network
        rng = Random(f"aurora-sim-disagree:{net.seed}:{spec.seed}")
        ops = net.operator_validators
        epochs = list(net.closed_epochs)
        block_slots = [
            s
            for v in ops
            for e in epochs
            for s in net.leader_slots(v.index, e)
            if net.is_produced(s)
        ]
        kobe_keys = [
            (e, v.index) for v in ops for e in epochs if net.mev(v.index, e).mev_rewards > 0
        ]
        op_accounts = [a for v in ops for a in net.accounts_of(v.index)]
        kinds = ["getBlock", "getInflationReward", "kobe"]
        chosen: list[Disagreement] = []
        attempts = 0
        while len(chosen) < spec.count and attempts < 100 * (spec.count + 1):
            kind = kinds[attempts % len(kinds)]  # cycle through the kinds
            attempts += 1
            if kind == "getBlock" and block_slots:
                slot = rng.choice(block_slots)
                if slot in self._dis_block:
                    continue
                true = net.fee_reward(slot)
                d = Disagreement(
                    "getBlock",
                    (
                        ("slot", slot),
                        ("pubkey", net.slot_leader(slot).identity_pubkey),
                        ("rewardType", "Fee"),
                    ),
                    "lamports",
                    true,
                    true + 1,
                )
                self._dis_block[slot] = d
            elif kind == "getInflationReward" and op_accounts:
                epoch = rng.choice(epochs)
                if rng.randrange(5) == 0:
                    v = rng.choice(ops)
                    address, reward = v.vote_pubkey, net.vote_reward(v.index, epoch)
                else:
                    a = rng.choice(op_accounts)
                    address, reward = a.pubkey, net.stake_reward(a.index, epoch)
                if reward is None or (epoch, address) in self._dis_inflation:
                    continue
                d = Disagreement(
                    "getInflationReward",
                    (("epoch", epoch), ("address", address)),
                    "amount",
                    reward.amount,
                    reward.amount + 7,
                )
                self._dis_inflation[(epoch, address)] = d
            elif kind == "kobe" and kobe_keys:
                epoch, vi = rng.choice(kobe_keys)
                vote = net.validators[vi].vote_pubkey
                if (epoch, vote) in self._dis_kobe:
                    continue
                true = net.mev(vi, epoch).mev_rewards
                d = Disagreement(
                    "kobe:/api/v1/validators",
                    (("epoch", epoch), ("vote_account", vote)),
                    "mev_rewards",
                    true,
                    true + 1_000 + rng.randrange(1_000),
                )
                self._dis_kobe[(epoch, vote)] = d
            else:
                continue
            chosen.append(d)
        if len(chosen) < spec.count:
            raise ValueError(f"could not place {spec.count} disagreements in this network")
        self._disagreements = sorted(chosen, key=lambda d: (d.method, d.key))
