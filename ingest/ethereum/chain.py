"""Ethereum, as the rest of Aurora sees it: one :class:`~ingest.core.chain.Chain` record.

Its periods are closed UTC days (``--days 2026-03-01..2026-03-03``); its providers a beacon node,
an execution client and MEV-boost relays, each probed with one cheap request before `aurora run`.
"""

from __future__ import annotations

from datetime import date

from ingest.core.chain import Chain
from ingest.core.http import ProviderHttpClient
from ingest.core.periods import DAYS
from ingest.ethereum.beacon import PROVIDER_KIND as BEACON_KIND
from ingest.ethereum.beacon import BeaconClient
from ingest.ethereum.execution import PROVIDER_KIND as EXECUTION_KIND
from ingest.ethereum.execution import ExecutionClient
from ingest.ethereum.pipeline import ingest_ethereum
from ingest.ethereum.relay import PROVIDER_KIND as RELAY_KIND
from ingest.ethereum.relay import RelayClient
from ingest.ethereum.schema import CHAIN, DATASET, DOC, TABLES


async def _beacon_answers(http: ProviderHttpClient) -> object:
    return await BeaconClient(http).genesis()


async def _execution_answers(http: ProviderHttpClient) -> object:
    return await ExecutionClient(http).chain_id()


async def _relay_answers(http: ProviderHttpClient) -> object:
    return await RelayClient(http).latest_deliveries(limit=1)


ETHEREUM: Chain[date] = Chain(
    name=CHAIN,
    dataset=DATASET,
    tables=TABLES,
    ingest=ingest_ethereum,
    periods=DAYS,
    probes={
        BEACON_KIND: _beacon_answers,
        EXECUTION_KIND: _execution_answers,
        RELAY_KIND: _relay_answers,
    },
    doc=DOC,
)
