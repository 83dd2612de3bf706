"""The dlt source of the Solana raw tables: one dlt resource per table of solana/schema.py.

Each resource yields its table of a chunk as one ``pyarrow.Table`` (rows already deduplicated on
the primary key by ``RawRows.to_arrow``), merged on the table's primary key (delete-insert) with
the spec's explicit column hints. A load selects only the resources of the tables that have rows
in the chunk: a Kobe-only re-ingest, say, touches the Kobe tables and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

import pyarrow as pa

from ingest.core.rawschema import TableSpec
from ingest.solana.schema import SOURCE_NAME, TABLES

# merge on the primary key; rows are unique per key before the load (RawRows.to_arrow)
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


def solana_raw_source(chunk: Mapping[str, pa.Table]) -> Any:
    """The source of one chunk's load: ``chunk`` maps table names to their rows; the resources of
    the other tables are not selected."""
    import dlt

    @dlt.source(name=SOURCE_NAME, max_table_nesting=0)
    def solana_raw() -> list[Any]:
        return [_resource(spec, chunk) for spec in TABLES.values()]

    return solana_raw().with_resources(*[name for name in TABLES if name in chunk])
