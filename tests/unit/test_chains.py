"""The chain packages and the configuration agree: every configured chain Aurora ingests has a
package, and every configured provider a client of its kind."""

from __future__ import annotations

from ingest.chains import CHAINS
from ingest.config import load_config


def test_every_chain_package_is_a_configured_chain() -> None:
    config = load_config(env={})
    assert set(CHAINS) <= set(config.chains)
    for name, chain in CHAINS.items():
        assert chain.name == name
        assert chain.tables, name


def test_every_configured_provider_of_an_ingested_chain_has_a_client() -> None:
    config = load_config(env={})
    for provider_id, provider in config.providers.items():
        chain = CHAINS.get(provider.chain)
        assert chain is not None, f"{provider_id}: no package for chain {provider.chain!r}"
        assert provider.kind in chain.probes, f"{provider_id}: no client of kind {provider.kind!r}"
