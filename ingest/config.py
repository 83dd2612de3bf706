"""Load and validate config/chains.yaml and config/providers.yaml.

A bad file raises :class:`ConfigError` whose message names the file, the key and what was expected.
Provider fields can be overridden from the environment: ``AURORA_PROVIDER_<ID>_<FIELD>`` (upper case),
for example ``AURORA_PROVIDER_SOLANA_RPC_URL``. Secrets (API keys) are never stored in these files:
``api_key_env`` names the environment variable that holds a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.env import REPO_ROOT, Settings, settings
from ingest.errors import ConfigError

CONFIG_DIR = REPO_ROOT / "config"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChainConfig(_Strict):
    native_asset: str = Field(min_length=1)
    decimals: int = Field(ge=0, le=30)
    period_kind: Literal["epoch", "utc_day"]
    start_epoch: int = Field(default=0, ge=0)
    # a UTC-day chain (Ethereum): the first day incremental ingestion loads (None: the genesis day)
    start_day: date | None = None
    facts: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("facts")
    @classmethod
    def _non_empty_provider_lists(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for fact, providers in value.items():
            if not providers:
                raise ValueError(f"fact {fact!r} needs at least one provider")
            if len(set(providers)) != len(providers):
                raise ValueError(f"fact {fact!r} lists a provider twice")
        return value


class ProviderConfig(_Strict):
    # the client that speaks to it: each chain package names its kinds (solana_json_rpc, jito_kobe)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    chain: str
    url: str = Field(pattern=r"^https?://")
    api_key_env: str | None = None
    key_in: Literal["header", "query_param"] = "header"
    key_name: str = "Authorization"
    rate_limit_per_second: float = Field(default=8, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=256)
    timeout_seconds: float = Field(default=30, gt=0)
    max_retries: int = Field(default=6, ge=0, le=50)
    batch_size: int = Field(default=100, ge=1, le=10_000)

    def api_key(self) -> str | None:
        """The API key from the environment, or None. Never log the returned value."""
        return settings().secret(self.api_key_env) if self.api_key_env else None


class ChainsFile(_Strict):
    chains: dict[str, ChainConfig]


class ProvidersFile(_Strict):
    providers: dict[str, ProviderConfig]


class AuroraConfig(_Strict):
    chains: dict[str, ChainConfig]
    providers: dict[str, ProviderConfig]

    def provider(self, provider_id: str) -> ProviderConfig:
        try:
            return self.providers[provider_id]
        except KeyError:
            known = ", ".join(sorted(self.providers))
            raise ConfigError(
                f"providers.yaml: no provider {provider_id!r} (known: {known})"
            ) from None

    def providers_for(self, chain: str, fact: str) -> list[str]:
        """Providers of one fact of a chain, most preferred first."""
        return list(self.chains[chain].facts.get(fact, []))


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def _explain(path: Path, exc: ValidationError) -> ConfigError:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        got_text = "" if isinstance(got, Mapping) else f" (got {got!r})"
        lines.append(f"  {key}: {err['msg']}{got_text}")
    return ConfigError(f"{path}: invalid configuration\n" + "\n".join(lines))


def _env_overrides(provider_id: str, raw: Mapping[str, Any], env: Settings) -> dict[str, Any]:
    merged = dict(raw)
    for name in ProviderConfig.model_fields:
        value = env.provider_override(provider_id, name)
        if value is not None:
            merged[name] = value
    return merged


def load_config(
    config_dir: Path | None = None, env: Mapping[str, str] | Settings | None = None
) -> AuroraConfig:
    """Read both files, apply environment overrides and check cross-references. ``env``: the
    environment to read overrides from (settings, or variables), by default the process's."""
    env = env if isinstance(env, Settings) else settings(env)
    config_dir = config_dir or env.config_dir or CONFIG_DIR
    chains_path = config_dir / "chains.yaml"
    providers_path = config_dir / "providers.yaml"

    chains_raw = _read_yaml(chains_path)
    try:
        chains = ChainsFile.model_validate(chains_raw)
    except ValidationError as exc:
        raise _explain(chains_path, exc) from None

    providers_raw = _read_yaml(providers_path)
    if isinstance(providers_raw, dict) and isinstance(providers_raw.get("providers"), dict):
        providers_raw = {
            "providers": {
                pid: _env_overrides(pid, body, env) if isinstance(body, Mapping) else body
                for pid, body in providers_raw["providers"].items()
            }
        }
    try:
        providers = ProvidersFile.model_validate(providers_raw)
    except ValidationError as exc:
        raise _explain(providers_path, exc) from None

    chain_overrides: dict[str, ChainConfig] = {}
    for chain_id, chain in chains.chains.items():
        start = env.start_epoch(chain_id)
        if start:
            if not start.isdigit():
                raise ConfigError(
                    f"AURORA_{chain_id.upper()}_START_EPOCH: expected a whole number, got {start!r}"
                )
            chain = chain.model_copy(update={"start_epoch": int(start)})
        start_day = env.start_day(chain_id)
        if start_day:
            try:
                day = date.fromisoformat(start_day)
            except ValueError:
                raise ConfigError(
                    f"AURORA_{chain_id.upper()}_START_DAY: expected a date YYYY-MM-DD, "
                    f"got {start_day!r}"
                ) from None
            chain = chain.model_copy(update={"start_day": day})
        chain_overrides[chain_id] = chain
        for fact, provider_ids in chain.facts.items():
            for pid in provider_ids:
                if pid not in providers.providers:
                    raise ConfigError(
                        f"{chains_path}: chains.{chain_id}.facts.{fact}: unknown provider {pid!r}, "
                        f"expected one of {sorted(providers.providers)} (defined in {providers_path})"
                    )
    for pid, provider in providers.providers.items():
        if provider.chain not in chains.chains:
            raise ConfigError(
                f"{providers_path}: providers.{pid}.chain: unknown chain {provider.chain!r}, "
                f"expected one of {sorted(chains.chains)}"
            )
    return AuroraConfig(chains=chain_overrides, providers=providers.providers)


_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def redact_url(url: str, secrets: Iterable[str | None] = ()) -> str:
    """A URL fit to store or print: the query and fragment dropped (an ``api-key`` parameter),
    userinfo replaced by ``***@`` (``https://user:key@host``), and each path segment that holds
    one of ``secrets`` (the configured API key) replaced by ``***`` (``/v2/<key>``)."""
    keys = [k for k in secrets if k]
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    segments = []
    for segment in parts.path.split("/"):
        segments.append("***" if any(key in segment for key in keys) else segment)
    return urlunsplit((parts.scheme, netloc, "/".join(segments), "", ""))


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret replaced by ``***`` and the userinfo of any URL in it hidden."""
    for key in secrets:
        if key:
            text = text.replace(key, "***")
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)


def registry_rows(config: AuroraConfig) -> dict[str, list[dict[str, Any]]]:
    """The registry tables (chains, providers, chain_provider_mappings) as rows, secrets excluded."""
    chains = [
        {
            "chain": cid,
            "native_asset": c.native_asset,
            "decimals": c.decimals,
            "period_kind": c.period_kind,
        }
        for cid, c in sorted(config.chains.items())
    ]
    providers = [
        {
            "provider": pid,
            "kind": p.kind,
            "chain": p.chain,
            "base_url": redact_url(p.url, [p.api_key()]),
            "rate_limit_per_second": str(p.rate_limit_per_second),
            "max_concurrency": p.max_concurrency,
        }
        for pid, p in sorted(config.providers.items())
    ]
    mappings = [
        {"chain": cid, "fact": fact, "provider": pid, "precedence": i + 1}
        for cid, c in sorted(config.chains.items())
        for fact, pids in sorted(c.facts.items())
        for i, pid in enumerate(pids)
    ]
    return {"chains": chains, "providers": providers, "chain_provider_mappings": mappings}
