"""Deterministic Solana provider simulator (JSON-RPC + Jito Kobe) and its ground truth.

Modules:
- :mod:`ingest.simulator.network`: the synthetic network (``Scenario``, ``build_network``).
- :mod:`ingest.simulator.truth`: ground truth computed from the network alone.
- :mod:`ingest.simulator.server`: the HTTP server speaking the providers' wire formats.
- :mod:`ingest.simulator.cli`: ``serve_main`` (wired as ``aurora simulate serve``).

This ``__init__`` imports nothing on purpose: importing the truth module must load only the network.
"""
