"""Ethereum: its provider clients (beacon.py: a beacon node's REST API, execution.py: an execution
client's JSON-RPC, relay.py: MEV-boost relays' data API) over exact payload models (payloads.py),
its slots, epochs and UTC days (timing.py), typed failures (errors.py), its raw tables (schema.py),
what a day's ingestion fetches (fetch.py) and loads (source.py), and its ingest entry point
(pipeline.py); chain.py describes it to the rest of Aurora (listed in ingest/chains.py). Built on
ingest/core like ingest/solana. The warehouse models do not use its raw tables yet."""
