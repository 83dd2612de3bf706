"""Aurora's errors: one family, each with a message for the user and an exit code.

Whatever a user can cause or fix (a configuration file, the seeds, a provider, the warehouse, dbt, an
archive) raises an :class:`AuroraError`. The `aurora` command prints ``aurora: error: <message>`` for
it, with no stack trace, and exits with its :attr:`~AuroraError.exit_code`; any other exception is a
bug and keeps its trace. The message's first line says what went wrong; lines after it, when there
are any, give the detail (the invalid keys, dbt's failures, the providers that did not answer).

Errors tied to one layer live beside it and derive from this family: ``ProviderError``
(ingest/core/http.py), and the Solana JSON-RPC ``RpcError`` and ``EpochNotClosed``
(ingest/solana/rpc.py).
"""

from __future__ import annotations


class AuroraError(Exception):
    """An error the user can act on: printed as ``aurora: error: <message>``, exit :attr:`exit_code`."""

    exit_code: int = 2

    @property
    def message(self) -> str:
        return str(self)


class CliError(AuroraError):
    """The command line asks for something that cannot be done (a bad --epochs or --days, say)."""


class ConfigError(AuroraError):
    """A configuration file or environment variable is missing, unreadable or invalid."""


class SeedError(AuroraError):
    """seeds/validators.csv is missing or malformed."""


class IngestError(AuroraError):
    """Ingestion cannot proceed (bad request, nothing to ingest from, a failed load)."""


class WarehouseError(AuroraError):
    """The warehouse cannot be reached, or holds nothing to read yet."""


class BuildError(AuroraError):
    """dbt failed; the message holds dbt's summary of what failed."""


class PreflightError(AuroraError):
    """A configured provider cannot be reached before a run."""


class ArchiveError(AuroraError):
    """A response archive is missing or unreadable."""


__all__ = [
    "ArchiveError",
    "AuroraError",
    "BuildError",
    "CliError",
    "ConfigError",
    "IngestError",
    "PreflightError",
    "SeedError",
    "WarehouseError",
]
