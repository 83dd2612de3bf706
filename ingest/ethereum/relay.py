"""MEV-boost relay data API: ``GET /relay/v1/data/bidtraces/proposer_payload_delivered?slot=S``.

The answer lists the payloads the relay says it delivered for slot S (usually none or one; after
a reorg there can be several). Each entry is checked to be for the slot asked; addresses come back
lowercased (relays send EIP-55 checksums). ``value`` is the relay's *claim* in wei, kept exact.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ingest.core.http import Fetched, ProviderHttpClient, ResponseRecord
from ingest.ethereum.errors import EthereumPayloadError, payload_error
from ingest.ethereum.payloads import BidTrace, parse_bid_traces

PROVIDER_KIND = "mev_relay"  # providers.yaml `kind` of the providers this client speaks to
PROPOSER_PAYLOAD_DELIVERED = "/relay/v1/data/bidtraces/proposer_payload_delivered"


class RelayClient:
    """Typed relay data API calls over a :class:`ProviderHttpClient` (one relay per client)."""

    def __init__(self, http: ProviderHttpClient) -> None:
        self.http = http
        self.provider_id = http.provider_id

    async def proposer_payload_delivered(self, slot: int) -> Fetched[list[BidTrace]]:
        provider = self.provider_id
        route = PROPOSER_PAYLOAD_DELIVERED

        def interpret(body: Any, record: ResponseRecord) -> list[BidTrace]:
            try:
                traces = parse_bid_traces(body)
            except ValidationError as exc:
                raise payload_error(provider, route, record.params_json, exc) from None
            for position, trace in enumerate(traces):
                if trace.slot != slot:
                    raise EthereumPayloadError(
                        provider,
                        route,
                        record.params_json,
                        f"[{position}].slot",
                        f"{trace.slot}, but slot {slot} was asked",
                    )
            return traces

        return await self.http.request(
            method=route,
            params={"slot": slot},
            http_method="GET",
            path=route,
            query={"slot": str(slot)},
            interpret=interpret,
        )

    async def latest_deliveries(self, limit: int = 1) -> Fetched[list[BidTrace]]:
        """The relay's ``limit`` latest deliveries (no slot): a cheap call that shows it answers."""
        provider = self.provider_id
        route = PROPOSER_PAYLOAD_DELIVERED

        def interpret(body: Any, record: ResponseRecord) -> list[BidTrace]:
            try:
                return parse_bid_traces(body)
            except ValidationError as exc:
                raise payload_error(provider, route, record.params_json, exc) from None

        return await self.http.request(
            method=route,
            params={"limit": limit},
            http_method="GET",
            path=route,
            query={"limit": str(limit)},
            interpret=interpret,
        )
