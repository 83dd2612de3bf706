"""Solana, as the rest of Aurora sees it: one :class:`~ingest.core.chain.Chain` record."""

from __future__ import annotations

from ingest.core.chain import Chain
from ingest.core.http import ProviderHttpClient
from ingest.core.periods import EPOCHS
from ingest.solana.kobe import PROVIDER_KIND as KOBE_KIND
from ingest.solana.kobe import JitoKobeClient
from ingest.solana.pipeline import DEFAULT_CHUNK_EPOCHS, DEFAULT_MAX_CHUNK_ROWS, ingest_solana
from ingest.solana.rpc import PROVIDER_KIND as RPC_KIND
from ingest.solana.rpc import SolanaRpcClient
from ingest.solana.schema import CHAIN, DATASET, DOC, TABLES


async def _rpc_answers(http: ProviderHttpClient) -> object:
    return await SolanaRpcClient(http).get_health()


async def _kobe_answers(http: ProviderHttpClient) -> object:
    return await JitoKobeClient(http).validators(0)


SOLANA: Chain[int] = Chain(
    name=CHAIN,
    dataset=DATASET,
    tables=TABLES,
    ingest=ingest_solana,
    periods=EPOCHS,
    probes={RPC_KIND: _rpc_answers, KOBE_KIND: _kobe_answers},
    doc=DOC.format(chunk_epochs=DEFAULT_CHUNK_EPOCHS, chunk_rows=DEFAULT_MAX_CHUNK_ROWS),
)
