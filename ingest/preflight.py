"""Before `aurora run` starts a long pipeline: can each configured provider be reached at all?

It fails fast, with one line per provider that names the provider and its URL (keys redacted),
instead of a stack trace deep inside ingestion.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from ingest.config import AuroraConfig, ProviderConfig
from ingest.errors import PreflightError


def _redacted(url: str) -> str:
    return url.split("?", 1)[0]


def _probe(provider_id: str, provider: ProviderConfig, timeout: float) -> str | None:
    """None when the provider answers; otherwise why not."""
    headers = {"content-type": "application/json"}
    url = provider.url
    key = provider.api_key()
    if key and provider.key_in == "header":
        headers[provider.key_name] = key
    params = {provider.key_name: key} if key and provider.key_in == "query_param" else None
    try:
        if provider.kind == "solana_json_rpc":
            response = httpx.post(
                url,
                json={"jsonrpc": "2.0", "id": 1, "method": "getEpochInfo", "params": []},
                headers=headers,
                params=params,
                timeout=timeout,
            )
        else:
            response = httpx.post(
                url.rstrip("/") + "/api/v1/validators",
                json={"epoch": 0},
                headers=headers,
                params=params,
                timeout=timeout,
            )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {str(exc) or 'no answer'}"
    if response.status_code >= 500 or response.status_code in (401, 403, 404):
        return f"HTTP {response.status_code}"
    return None


def preflight(
    config: AuroraConfig, providers: Iterable[str] | None = None, timeout: float = 5.0
) -> None:
    """Raise PreflightError naming every configured provider that does not answer."""
    problems = []
    for provider_id in providers or sorted(config.providers):
        provider = config.providers[provider_id]
        reason = _probe(provider_id, provider, timeout)
        if reason:
            problems.append(f"{provider_id} at {_redacted(provider.url)}: {reason}")
    if problems:
        raise PreflightError(
            "cannot reach the configured providers (no network, or a wrong URL or key; "
            "see config/providers.yaml and its AURORA_PROVIDER_* overrides):\n  "
            + "\n  ".join(problems)
        )
