"""Narrow unit tests of the retry and error logic (an in-memory transport: the only mocked one)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ingest.config import ProviderConfig
from ingest.core.http import (
    ProviderError,
    ProviderHttpClient,
    RetryPolicy,
    canonical_json,
    parse_retry_after,
    request_id_for,
)
from ingest.solana.kobe import JitoKobeClient
from ingest.solana.rpc import (
    EpochNotClosed,
    RpcError,
    SlotSkipped,
    SolanaRpcClient,
)

SECRET = "sk-very-secret-key-123"


def provider(**overrides: Any) -> ProviderConfig:
    values: dict[str, Any] = {
        "kind": "solana_json_rpc",
        "chain": "solana",
        "url": "http://rpc.test/",
        "rate_limit_per_second": 10_000,
        "max_concurrency": 4,
        "max_retries": 4,
    }
    values.update(overrides)
    return ProviderConfig(**values)


class Recorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def rpc_client(
    handler: Callable[[httpx.Request], httpx.Response], **overrides: Any
) -> tuple[SolanaRpcClient, Recorder, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def wrapped(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    rec = Recorder()
    http = ProviderHttpClient(
        "solana_rpc",
        provider(**overrides),
        retry=RetryPolicy(base_delay=0.5, max_delay=8),
        transport=httpx.MockTransport(wrapped),
        sleep=rec.sleep,
    )
    return SolanaRpcClient(http), rec, seen


def ok(request: httpx.Request, result: Any) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, json={"jsonrpc": "2.0", "result": result, "id": body["id"]})


def error(request: httpx.Request, code: int, message: str = "boom") -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(
        200,
        json={"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": body["id"]},
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_request_id_and_canonical_params() -> None:
    params = [5, {"b": 1, "a": [Decimal(2)]}]
    assert canonical_json(params) == '[5,{"a":[2],"b":1}]'
    assert request_id_for("p", "m", "[1]") == request_id_for("p", "m", "[1]")
    assert request_id_for("p", "m", "[1]") != request_id_for("p", "m", "[2]")


def test_retries_429_honouring_retry_after_then_succeeds() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            return httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "slow"})
        return ok(request, 7)

    client, rec, _ = rpc_client(handler)
    fetched = run(client.get_block_time(100))
    assert fetched.value == 7
    assert rec.delays == [3.0, 3.0]
    assert fetched.record.attempts == 3
    assert fetched.record.http_status == 200


def test_backoff_schedule_is_deterministic_and_exponential() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="bad gateway")

    first, rec1, _ = rpc_client(handler)
    second, rec2, _ = rpc_client(handler)
    with pytest.raises(ProviderError):
        run(first.get_block_time(1))
    with pytest.raises(ProviderError):
        run(second.get_block_time(1))
    assert rec1.delays == rec2.delays  # no randomness
    assert len(rec1.delays) == 4
    for attempt, delay in enumerate(rec1.delays):
        raw = min(8.0, 0.5 * 2**attempt)
        assert raw * 0.5 <= delay < raw


@pytest.mark.parametrize(
    "bad",
    [
        httpx.Response(200, content=b'{"jsonrpc":"2.0","result":{"oops" <html>'),
        httpx.Response(200, content=b'{"jsonrpc":"2.0","res'),
        httpx.Response(500, text="upstream"),
        httpx.Response(503, text="unavailable"),
    ],
    ids=["malformed", "truncated", "500", "503"],
)
def test_transient_bodies_are_retried(bad: httpx.Response) -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return bad if calls["n"] == 1 else ok(request, 11)

    client, rec, _ = rpc_client(handler)
    assert run(client.get_block_time(3)).value == 11
    assert len(rec.delays) == 1


def test_connection_errors_and_timeouts_are_retried() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("refused", request=request)
        if calls["n"] == 2:
            raise httpx.ReadTimeout("slow", request=request)
        return ok(request, 12)

    client, rec, _ = rpc_client(handler)
    assert run(client.get_block_time(3)).value == 12
    assert len(rec.delays) == 2


def test_rpc_error_classes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        method = json.loads(request.content)["method"]
        slot = json.loads(request.content)["params"][0]
        if method == "getBlock" and slot == 1:
            return error(request, -32007, "Slot 1 was skipped")
        if method == "getBlock" and slot == 2:
            return error(request, -32009, "Slot 2 missing in long-term storage")
        if method == "getInflationReward":
            return error(request, -32017, "Epoch rewards period still active at slot 9")
        return error(request, -32602, "Invalid params")

    client, rec, _ = rpc_client(handler)
    skipped = run(client.get_block(1)).value
    assert isinstance(skipped, SlotSkipped) and skipped.code == -32007
    assert run(client.get_block(2)).value == SlotSkipped(
        -32009, "Slot 2 missing in long-term storage"
    )
    with pytest.raises(EpochNotClosed) as not_closed:
        run(client.get_inflation_reward(["V1"], 41))
    assert not_closed.value.epoch == 41
    with pytest.raises(RpcError) as invalid:
        run(client.get_block(3))
    assert invalid.value.code == -32602
    assert rec.delays == []  # none of these is retried


@pytest.mark.parametrize("code", [-32004, -32005, -32014, -32019])
def test_retryable_rpc_errors(code: int) -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return error(request, code) if calls["n"] == 1 else ok(request, 1773000000)

    client, rec, _ = rpc_client(handler)
    assert run(client.get_block_time(3)).value == 1773000000
    assert len(rec.delays) == 1


def test_mismatched_response_id_is_retried() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, json={"jsonrpc": "2.0", "result": 1, "id": 999})
        return ok(request, 2)

    client, _, _ = rpc_client(handler)
    assert run(client.get_block_time(3)).value == 2


def test_final_error_names_provider_method_params_never_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_RPC_KEY", SECRET)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api-key"] == SECRET
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client, _, seen = rpc_client(
        handler, api_key_env="TEST_RPC_KEY", key_in="query_param", key_name="api-key"
    )
    with pytest.raises(ProviderError) as failure:
        run(client.get_inflation_reward(["Vote111"], 7))
    message = str(failure.value)
    assert "'solana_rpc'" in message and "'getInflationReward'" in message
    assert '[["Vote111"],{"commitment":"finalized","epoch":7}]' in message
    assert "after 5 attempt(s)" in message
    assert SECRET not in message
    assert "***" in message
    assert len(seen) == 5


def test_api_key_as_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_RPC_KEY", SECRET)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-api-key"] == SECRET
        assert "api-key" not in request.url.params
        return ok(request, 1)

    client, _, _ = rpc_client(handler, api_key_env="TEST_RPC_KEY", key_name="x-api-key")
    fetched = run(client.get_block_time(1))
    assert SECRET not in fetched.record.params_json
    assert SECRET not in fetched.record.wire_key


def test_client_errors_are_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="forbidden")

    client, rec, seen = rpc_client(handler)
    with pytest.raises(ProviderError) as failure:
        run(client.get_block_time(1))
    assert failure.value.http_status == 403
    assert len(seen) == 1 and rec.delays == []


def test_kobe_requests() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/validators":
            assert request.method == "POST" and json.loads(request.content) == {"epoch": 600}
            return httpx.Response(200, json={"validators": []})
        assert request.url.path == "/api/v1/validator_rewards"
        assert dict(request.url.params) == {"epoch": "600", "vote_account": "V"}
        return httpx.Response(200, json={"rewards": [], "total_count": 0})

    rec = Recorder()
    http = ProviderHttpClient(
        "jito_kobe",
        provider(kind="jito_kobe", url="http://kobe.test"),
        transport=httpx.MockTransport(handler),
        sleep=rec.sleep,
    )
    kobe = JitoKobeClient(http)
    validators = run(kobe.validators(600))
    assert not validators.value.is_published
    assert validators.record.method == "/api/v1/validators"
    assert validators.record.params_json == '{"epoch":600}'
    rewards = run(kobe.validator_rewards("V", 600))
    assert rewards.value.rewards == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), (" 2 ", 2.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == 6.0


def test_rate_limiter_spaces_requests() -> None:
    from ingest.core.http import RateLimiter

    async def scenario() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = RateLimiter(50)
        times = []
        for _ in range(6):
            await limiter.acquire()
            times.append(loop.time())
        return times

    times = run(scenario())
    assert times[-1] - times[0] >= 5 / 50 - 0.01
