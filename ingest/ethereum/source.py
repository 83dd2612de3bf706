"""The dlt source of the Ethereum raw tables: one dlt resource per table of ethereum/schema.py.

As for Solana (ingest/solana/source.py): each resource yields its table of a day as one
``pyarrow.Table`` (one row per primary key, ``RawRows.to_arrow``), merged on the table's primary
key (delete-insert) with the spec's explicit column hints; a load selects only the resources of
the tables that have rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

import pyarrow as pa

from ingest.core.rawschema import TableSpec
from ingest.ethereum.schema import SOURCE_NAME, TABLES

MERGE: dict[str, Any] = {"disposition": "merge", "strategy": "delete-insert", "deduplicated": True}


def _resource(spec: TableSpec, chunk: Mapping[str, pa.Table]) -> Any:
    import dlt

    @dlt.resource(
        name=spec.name,
        table_name=spec.name,
        primary_key=list(spec.primary_key),
        write_disposition=cast(Any, MERGE),
        columns=cast(Any, spec.dlt_columns),
    )
    def rows() -> Iterator[pa.Table]:
        table = chunk.get(spec.name)
        if table is not None:
            yield table

    return rows


def ethereum_raw_source(chunk: Mapping[str, pa.Table]) -> Any:
    """The source of one day's load: ``chunk`` maps table names to their rows."""
    import dlt

    @dlt.source(name=SOURCE_NAME, max_table_nesting=0)
    def ethereum_raw() -> list[Any]:
        return [_resource(spec, chunk) for spec in TABLES.values()]

    return ethereum_raw().with_resources(*[name for name in TABLES if name in chunk])
