"""Shared async HTTP machinery for every provider client.

One :class:`ProviderHttpClient` per provider and run. It owns:

- an ``httpx.AsyncClient`` with the provider's timeout;
- bounded concurrency (``asyncio.Semaphore(max_concurrency)``) and a rate limiter
  (``rate_limit_per_second``, requests evenly spaced);
- retries with exponential backoff and a *deterministic* jitter (derived from the request id and the
  attempt number, no randomness), honouring ``Retry-After`` on 429/503; retried: 429, 5xx, timeouts,
  connection errors, malformed or truncated JSON bodies, and whatever the caller's ``interpret``
  callback declares retryable (:class:`RetryableResponse`);
- a final :class:`ProviderError` naming provider, method and params (never the API key);
- the lineage of every response (:class:`ResponseRecord`): provider, method, canonical params,
  ``request_id = sha256("provider|method|params")``, ``response_sha256`` (of the body bytes),
  HTTP status, and the body itself; and an archive hook (``ingest.core.archive.ResponseArchive``).

Bodies are parsed with ``json.loads(text, parse_int=Decimal, parse_float=Decimal)``: no Python int
beyond 64 bits and no float ever leaves this module.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from ingest.config import ProviderConfig, redact_text
from ingest.errors import AuroraError

T = TypeVar("T")

HttpMethod = Literal["GET", "POST"]

# HTTP statuses worth another attempt. 408/425 are transient too.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the canonical form of request params (Decimal-safe)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise TypeError(f"non-integral Decimal {value} in request params")
    raise TypeError(f"cannot serialise {type(value).__name__} in request params")


def request_id_for(provider: str, method: str, params_json: str) -> str:
    """``sha256("provider|method|params")`` in lowercase hex (RAW_TABLES.md)."""
    return hashlib.sha256(f"{provider}|{method}|{params_json}".encode()).hexdigest()


def parse_json_exact(text: str | bytes) -> Any:
    """Parse JSON keeping every number exact (Decimal), never float nor an unbounded int."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text, parse_int=Decimal, parse_float=Decimal)


class ProviderError(AuroraError):
    """A provider call failed for good. The message names provider, method and params."""

    def __init__(
        self,
        provider: str,
        method: str,
        params_json: str,
        reason: str,
        *,
        attempts: int = 1,
        http_status: int | None = None,
    ) -> None:
        self.provider = provider
        self.method = method
        self.params_json = params_json
        self.reason = reason
        self.attempts = attempts
        self.http_status = http_status
        shown = params_json if len(params_json) <= 400 else params_json[:400] + "...(truncated)"
        super().__init__(
            f"provider {provider!r} method {method!r} params {shown} failed after "
            f"{attempts} attempt(s): {reason}"
        )


class RetryableResponse(Exception):
    """Raised by an ``interpret`` callback: the response is a transient failure, try again. A
    malformed answer (a missing or null field the API promises, a value out of its bound, an answer
    to another question than the one asked) is one: the message names the field."""


def first_error(exc: ValidationError, root: str = "") -> str:
    """The first error of a pydantic validation as ``field: what is wrong (got value)``, the field
    written from ``root`` (``result[0].amount``)."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = root
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    got = first.get("input")
    shown = "" if isinstance(got, dict | list) else f" (got {_short(got)})"
    return f"{where or '(top level)'}: {first['msg']}{shown}"


def _short(value: Any) -> str:
    if isinstance(value, Decimal):
        text = str(value) if value.is_finite() and value.adjusted() < 40 else f"{value:.3E}"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class ResponseRecord:
    """Lineage of one response: what was asked, what came back (RAW_TABLES.md common columns)."""

    provider: str
    method: str
    params_json: str
    request_id: str
    response_sha256: str
    http_status: int
    body: bytes
    http_method: HttpMethod
    path: str
    wire_key: str
    attempts: int


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A parsed value and the response it came from."""

    value: T
    record: ResponseRecord


class ResponseSink(Protocol):
    """Receives every accepted response (the archive implements it)."""

    def write(self, record: ResponseRecord, provider_kind: str) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff schedule: ``min(max_delay, base * 2**attempt)`` scaled by a deterministic jitter
    in [0.5, 1.0) derived from the request id; ``Retry-After`` wins when the server sends one
    (capped at ``max_retry_after``). ``max_retries`` (attempts after the first) comes from the
    provider config unless set here."""

    base_delay: float = 0.25
    max_delay: float = 10.0
    max_retry_after: float = 60.0
    max_retries: int | None = None

    def delay(self, request_id: str, attempt: int) -> float:
        raw = min(self.max_delay, self.base_delay * float(1 << min(attempt, 30)))
        digest = hashlib.sha256(f"{request_id}|{attempt}".encode()).digest()
        fraction = int.from_bytes(digest[:4], "big") / 2**32
        return raw * (0.5 + 0.5 * fraction)


class RateLimiter:
    """Evenly spaced requests: at most ``rate`` per second, no burst. Deterministic."""

    def __init__(self, rate_per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._interval = 1.0 / rate_per_second
        self._next = 0.0
        self._clock = clock
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        wait = slot - now
        if wait > 0:
            await asyncio.sleep(wait)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(Decimal(value))  # a delay in seconds, not money
    except ArithmeticError:
        seconds = -1.0
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        current = time.time() if now is None else now
        seconds = when.timestamp() - current
    return max(0.0, seconds)


@dataclass
class ClientStats:
    requests: int = 0  # accepted responses
    attempts: int = 0  # HTTP attempts, retries included
    retries: int = 0
    by_method: dict[str, int] = field(default_factory=dict)


class ProviderHttpClient:
    """Async HTTP client for one provider (see module docstring)."""

    def __init__(
        self,
        provider_id: str,
        config: ProviderConfig,
        *,
        retry: RetryPolicy | None = None,
        sink: ResponseSink | None = None,
        on_response: Callable[[ResponseRecord], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.provider_id = provider_id
        self.config = config
        self.retry = retry or RetryPolicy()
        self.max_retries = (
            self.retry.max_retries if self.retry.max_retries is not None else config.max_retries
        )
        self._sink = sink
        self.on_response = on_response
        self._sleep = sleep or asyncio.sleep
        self._semaphore = asyncio.Semaphore(config.max_concurrency)
        self._limiter = RateLimiter(config.rate_limit_per_second)
        self._api_key = config.api_key()
        headers = {"Accept": "application/json", "User-Agent": "aurora-ingest/0.1"}
        if self._api_key and config.key_in == "header":
            headers[config.key_name] = self._api_key
        self._base_url = config.url.rstrip("/")
        # credentials embedded in the URL itself (userinfo): never shown in an error
        userinfo = urlsplit(config.url).netloc.rpartition("@")[0]
        self._url_secrets = [part for part in userinfo.split(":") if part]
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_seconds),
            headers=headers,
            transport=transport,
            limits=httpx.Limits(
                max_connections=config.max_concurrency,
                max_keepalive_connections=config.max_concurrency,
            ),
            follow_redirects=False,
        )
        self.stats = ClientStats()

    async def __aenter__(self) -> ProviderHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def redact(self, text: str) -> str:
        """Remove the API key, and the userinfo of any URL, from text that may be shown or logged."""
        return redact_text(text, [self._api_key, *self._url_secrets])

    def _url(self, path: str) -> str:
        return self._base_url + path if path else self._base_url

    async def request(
        self,
        *,
        method: str,
        params: Any,
        http_method: HttpMethod,
        path: str = "",
        json_body: Any = None,
        query: Mapping[str, str] | None = None,
        interpret: Callable[[Any, ResponseRecord], T],
        answers: frozenset[int] = frozenset(),
    ) -> Fetched[T]:
        """Send one logical request (retrying as needed) and interpret its body.

        ``method`` and ``params`` name the request in lineage and errors (JSON-RPC method and
        params, or HTTP path and query/body). ``interpret`` receives the parsed JSON body (numbers
        as Decimal) and the record; it returns the value, raises :class:`RetryableResponse` to try
        again, or raises anything else to stop (that exception propagates unchanged).
        ``answers``: error statuses that are answers to this request (a beacon node's 404 for a
        slot without a block): parsed, interpreted, archived and counted like a 2xx
        (``record.http_status`` tells them apart), never raised as :class:`ProviderError`.
        """
        params_json = canonical_json(params)
        request_id = request_id_for(self.provider_id, method, params_json)
        if http_method == "POST":
            wire_key = canonical_json(json_body)
            content: bytes | None = wire_key.encode()
        else:
            wire_key = canonical_json(sorted((query or {}).items()))
            content = None
        send_query: dict[str, str] = dict(query or {})
        if self._api_key and self.config.key_in == "query_param":
            send_query[self.config.key_name] = self._api_key
        url = self._url(path)
        last_reason = "no attempt made"
        last_status: int | None = None
        attempts = 0
        for attempt in range(self.max_retries + 1):
            attempts = attempt + 1
            retry_after: float | None = None
            async with self._semaphore:
                await self._limiter.acquire()
                self.stats.attempts += 1
                try:
                    response = await self._client.request(
                        http_method,
                        url,
                        params=send_query or None,
                        content=content,
                        headers={"Content-Type": "application/json"} if content else None,
                    )
                    body = await response.aread()
                except httpx.TimeoutException as exc:
                    last_reason = (
                        f"timeout after {self.config.timeout_seconds}s ({type(exc).__name__})"
                    )
                    last_status = None
                    body = None
                    response = None
                except httpx.TransportError as exc:
                    last_reason = f"connection error: {type(exc).__name__}: {self.redact(str(exc))}"
                    last_status = None
                    body = None
                    response = None
            if response is not None and body is not None:
                status = response.status_code
                last_status = status
                if status in RETRYABLE_STATUSES:
                    last_reason = f"HTTP {status}"
                    if status in RETRY_AFTER_STATUSES:
                        retry_after = parse_retry_after(response.headers.get("Retry-After"))
                elif status >= 300 and status not in answers:  # redirects are not followed
                    snippet = self.redact(body[:200].decode("utf-8", "replace"))
                    raise ProviderError(
                        self.provider_id,
                        method,
                        params_json,
                        f"HTTP {status}: {snippet}",
                        attempts=attempts,
                        http_status=status,
                    )
                else:
                    record = ResponseRecord(
                        provider=self.provider_id,
                        method=method,
                        params_json=params_json,
                        request_id=request_id,
                        response_sha256=hashlib.sha256(body).hexdigest(),
                        http_status=status,
                        body=body,
                        http_method=http_method,
                        path=path,
                        wire_key=wire_key,
                        attempts=attempts,
                    )
                    try:
                        parsed = parse_json_exact(body)
                    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                        last_reason = f"malformed JSON body ({len(body)} bytes): {exc}"
                    else:
                        try:
                            value = interpret(parsed, record)
                        except RetryableResponse as exc:
                            last_reason = self.redact(str(exc))
                        except AuroraError:
                            raise
                        except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
                            # an answer of a shape the client did not foresee: never a traceback
                            last_reason = self.redact(
                                f"unexpected answer: {type(exc).__name__}: {exc}"
                            )
                        else:
                            self._accept(record, method)
                            return Fetched(value, record)
            if attempt < self.max_retries:
                self.stats.retries += 1
                delay = self.retry.delay(request_id, attempt)
                if retry_after is not None:
                    delay = min(retry_after, self.retry.max_retry_after)
                await self._sleep(delay)
        raise ProviderError(
            self.provider_id,
            method,
            params_json,
            self.redact(last_reason),
            attempts=attempts,
            http_status=last_status,
        )

    def _accept(self, record: ResponseRecord, method: str) -> None:
        self.stats.requests += 1
        self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
        if self._sink is not None:
            self._sink.write(record, self.config.kind)
        if self.on_response is not None:
            self.on_response(record)
