"""Before `aurora run` starts a long pipeline: can each configured provider be reached at all?

Each provider is asked one cheap request through its own client: the probe its chain gives for the
provider's kind (Solana JSON-RPC ``getHealth``, Jito Kobe ``validators``; Ethereum beacon
``/eth/v1/beacon/genesis``, execution ``eth_chainId``, a relay's latest delivery), with a short
timeout; a transient failure (a timeout, a dropped connection, HTTP 5xx) is retried twice with a
short backoff, so one hiccup does not stop a run. It fails fast, with one line per provider that
names the provider and its URL (query, userinfo and any path segment holding the key redacted),
instead of a stack trace deep inside ingestion. A provider that answers "too many requests" (HTTP
429) is reachable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from ingest.chains import CHAINS
from ingest.config import AuroraConfig, ProviderConfig, redact_url
from ingest.core.http import ProviderError, ProviderHttpClient, RetryPolicy
from ingest.errors import PreflightError

PREFLIGHT_RETRY = RetryPolicy(base_delay=0.5, max_delay=2.0, max_retry_after=2.0, max_retries=2)


def _redacted(provider: ProviderConfig) -> str:
    return redact_url(provider.url, [provider.api_key()])


async def _probe(provider_id: str, provider: ProviderConfig, timeout: float) -> str | None:
    """None when the provider answers; otherwise why not."""
    chain = CHAINS.get(provider.chain)
    probe = chain.probes.get(provider.kind) if chain is not None else None
    if probe is None:
        return f"Aurora has no client for a {provider.kind!r} provider of chain {provider.chain!r}"
    quick = provider.model_copy(update={"timeout_seconds": timeout})
    async with ProviderHttpClient(provider_id, quick, retry=PREFLIGHT_RETRY) as http:
        try:
            await probe(http)
        except ProviderError as exc:
            return None if exc.http_status == 429 else exc.reason
    return None


async def _problems(config: AuroraConfig, provider_ids: list[str], timeout: float) -> list[str]:
    reasons = await asyncio.gather(
        *(_probe(pid, config.providers[pid], timeout) for pid in provider_ids)
    )
    return [
        f"{pid} at {_redacted(config.providers[pid])}: {reason}"
        for pid, reason in zip(provider_ids, reasons, strict=True)
        if reason
    ]


def preflight(
    config: AuroraConfig, providers: Iterable[str] | None = None, timeout: float = 5.0
) -> None:
    """Raise PreflightError naming every provider (``providers``, default: every configured one)
    that does not answer."""
    ids = sorted(config.providers) if providers is None else list(providers)
    if not ids:
        return
    problems = asyncio.run(_problems(config, ids, timeout))
    if problems:
        raise PreflightError(
            "cannot reach the configured providers (no network, or a wrong URL or key; "
            "see config/providers.yaml and its AURORA_PROVIDER_* overrides):\n  "
            + "\n  ".join(problems)
        )
