"""Secrets never reach the registry tables nor an error: URLs are stored and printed redacted."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ingest.config import load_config, redact_text, redact_url, registry_rows
from ingest.core.http import ProviderError, ProviderHttpClient, RetryPolicy
from ingest.env import settings


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        ("https://rpc.example/?api-key=K", "K", "https://rpc.example/"),
        ("https://user:pass@rpc.example:8443/rpc", None, "https://***@rpc.example:8443/rpc"),
        ("https://token@rpc.example/", None, "https://***@rpc.example/"),
        (
            "https://x.solana-mainnet.quiknode.pro/ab12cd34/",
            "ab12cd34",
            "https://x.solana-mainnet.quiknode.pro/***/",
        ),
        (
            "https://sol.g.alchemy.com/v2/ab12cd34#frag",
            "ab12cd34",
            "https://sol.g.alchemy.com/v2/***",
        ),
        ("https://rpc.example/v2/other", "ab12cd34", "https://rpc.example/v2/other"),
    ],
)
def test_redact_url(url: str, key: str | None, expected: str) -> None:
    assert redact_url(url, [key]) == expected


def test_redact_text_hides_keys_and_userinfo() -> None:
    text = "GET https://u:p@host/v2/SECRET failed: SECRET rejected"
    assert redact_text(text, ["SECRET"]) == "GET https://***@host/v2/*** failed: *** rejected"


def test_registry_stores_urls_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURORA_SOLANA_RPC_API_KEY", "KEY-777")  # keys are read from the process
    env = {"AURORA_PROVIDER_SOLANA_RPC_URL": "https://op:pw@rpc.example/v2/KEY-777?api-key=KEY-777"}
    rows = registry_rows(load_config(env=settings().overlay(env)))
    urls = {r["provider"]: r["base_url"] for r in rows["providers"]}
    assert urls["solana_rpc"] == "https://***@rpc.example/v2/***"
    assert "KEY-777" not in repr(rows) and "pw" not in repr(rows)


def test_http_errors_never_print_url_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURORA_SOLANA_RPC_API_KEY", "KEY-9")
    env = {"AURORA_PROVIDER_SOLANA_RPC_URL": "http://op:pw-secret@127.0.0.1:9/rpc/KEY-9?x=1"}
    config = load_config(env=settings().overlay(env))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    async def call() -> None:
        provider = config.provider("solana_rpc")
        async with ProviderHttpClient(
            "solana_rpc",
            provider,
            retry=RetryPolicy(max_retries=0),
            transport=httpx.MockTransport(refuse),
        ) as http:
            await http.request(
                method="getHealth",
                params=[],
                http_method="POST",
                json_body={},
                interpret=lambda body, record: body,
            )

    with pytest.raises(ProviderError) as failure:
        asyncio.run(call())
    message = str(failure.value)
    assert "pw-secret" not in message and "KEY-9" not in message, message
    assert "***" in message
