"""Deterministic Ethereum provider simulator (beacon API, execution JSON-RPC, MEV relays) and its
ground truth.

Modules:
- :mod:`ingest.simulator.ethereum.network`: the synthetic chain (``Scenario``, ``build_network``).
- :mod:`ingest.simulator.ethereum.truth`: the Ethereum P&L figures (methodology §8),
  computed from the network alone.
- :mod:`ingest.simulator.ethereum.server`: the HTTP server speaking the three wire formats.
- :mod:`ingest.simulator.ethereum.keccak`: Keccak-256, for the EIP-55 addresses relays send.

This ``__init__`` imports nothing on purpose: importing the truth module must load only the network.
"""
