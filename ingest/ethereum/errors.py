"""Typed failures of the Ethereum clients. Each names the provider, the endpoint and its params."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ingest.core.http import ProviderError, ResponseRecord


class EthereumPayloadError(ProviderError):
    """An answer that does not follow the API or contradicts its request (wrong epoch or slot,
    an index that was not asked for, a block hash that differs between beacon and execution...).

    Not retried: the provider answered, and what it said is wrong. ``field`` is the offending
    field's path in the body (``data.total_rewards[2].validator_index``).
    """

    def __init__(
        self, provider: str, method: str, params_json: str, field: str, detail: str
    ) -> None:
        self.field = field
        self.detail = detail
        super().__init__(provider, method, params_json, f"field {field}: {detail}")


class RewardsNotAvailable(ProviderError):
    """A rewards endpoint answered 404 for data it should have: the node no longer holds (or never
    held) the historical state. A full node prunes it; an archive node keeps it."""

    def __init__(
        self,
        provider: str,
        method: str,
        params_json: str,
        *,
        epoch: int | None,
        slot: int | None = None,
        message: str = "",
    ) -> None:
        self.epoch = epoch
        self.slot = slot
        if slot is None:
            where = f"epoch {epoch}"
        else:
            where = f"slot {slot}" + ("" if epoch is None else f" (epoch {epoch})")
        super().__init__(
            provider,
            method,
            params_json,
            f"rewards for {where} are not available from this node (HTTP 404"
            + (f": {message}" if message else "")
            + "); its historical states are pruned or not yet built: point the provider at an "
            "archive beacon node (one that keeps historical states) to ingest this epoch",
            http_status=404,
        )


class ExecutionRpcError(ProviderError):
    """A JSON-RPC error answer of an execution client (not a transient one)."""

    def __init__(
        self, provider: str, method: str, params_json: str, code: int, message: str
    ) -> None:
        self.code = code
        super().__init__(provider, method, params_json, f"JSON-RPC error {code}: {message}")


@dataclass(frozen=True)
class NoBlock:
    """HTTP 404 "block not found" for a slot: the slot has no canonical block (a missed proposal).

    A result, not an error: it is recorded, not retried. ``record``: the 404 answer (its body is
    the payload of the row that records the missed slot).
    """

    slot: int
    message: str
    record: ResponseRecord | None = field(default=None, compare=False, repr=False)


def error_body_message(body: Any) -> str | None:
    """The ``message`` of a beacon API error body ``{"code": 404, "message": ...}``; None when the
    body is not one (an HTML page from a proxy or a wrong URL, say)."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return None


def field_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """``("data", "total_rewards", 2, "head")`` -> ``data.total_rewards[2].head``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(body)"


def payload_error(
    provider: str, method: str, params_json: str, exc: ValidationError, prefix: str = ""
) -> EthereumPayloadError:
    """The first pydantic error of ``exc`` as an :class:`EthereumPayloadError`."""
    errors = exc.errors()
    if not errors:
        return EthereumPayloadError(provider, method, params_json, prefix or "(body)", str(exc))
    first = errors[0]
    loc = tuple(p for p in first["loc"] if p not in ("function-after", "function-before"))
    detail = first["msg"]
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more error(s))"
    return EthereumPayloadError(provider, method, params_json, field_path(loc, prefix), detail)


class Violation(Exception):
    """Raised by an answer check: ``field`` of the answer contradicts the request (internal; the
    clients turn it into an :class:`EthereumPayloadError` naming provider, endpoint and params)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


def not_found_message(exc: ProviderError) -> str:
    """The ``message`` of a beacon/relay error body ``{"code": 404, "message": ...}`` (as far as the
    error kept it), else the reason text."""
    reason = exc.reason
    prefix = f"HTTP {exc.http_status}: "
    text = reason[len(prefix) :] if reason.startswith(prefix) else reason
    marker = '"message":'
    at = text.find(marker)
    if at < 0:
        return text.strip()
    rest = text[at + len(marker) :].strip()
    if rest.startswith('"'):
        end = rest.find('"', 1)
        return rest[1:end] if end > 0 else rest[1:]
    return rest
