"""Solana: its provider clients (rpc.py: Solana JSON-RPC, kobe.py: Jito Kobe), its raw tables
(schema.py), what a run fetches (fetch.py) and loads (source.py) given what is loaded (state.py),
its ingest entry point (pipeline.py), and its Chain record (chain.py). A second chain is a sibling
package built the same way on ingest/core."""
