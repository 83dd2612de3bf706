"""Ethereum: its provider clients (beacon.py: a beacon node's REST API, execution.py: an execution
client's JSON-RPC, relay.py: MEV-boost relays' data API) over exact payload models (payloads.py),
its slots, epochs and UTC days (timing.py), typed failures (errors.py), its raw tables (schema.py),
what a day's ingestion fetches (fetch.py) and loads (source.py), and its ingest entry point
(pipeline.py). Built on ingest/core like ingest/solana; not yet listed in ingest/chains.py (the
run, the demo and the warehouse models do not use it yet)."""
