"""Ethereum ingestion: payload models and clients of the beacon API, execution JSON-RPC and relays.

Modules:
- :mod:`ingest.ethereum.payloads`: exact field types (uint64/int64 gwei as decimal strings, wei as
  hex quantities or decimal strings, lowercase addresses) and the pydantic models of every answer.
- :mod:`ingest.ethereum.timing`: slots, epochs and UTC days from genesis and the chain spec.
- :mod:`ingest.ethereum.errors`: typed failures (payload violations, rewards not available).
- :mod:`ingest.ethereum.beacon`, :mod:`ingest.ethereum.execution`, :mod:`ingest.ethereum.relay`:
  the clients, each over the shared provider HTTP client.
"""
