"""The dlt source of the Solana raw tables: one merge resource per table of a chunk's load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import pyarrow as pa

from ingest.solana.schema import SOURCE_NAME, TABLES


def solana_raw_source(tables: Mapping[str, pa.Table]) -> Any:
    """A dlt source with one merge resource per non-empty raw table (explicit column hints)."""
    import dlt

    @dlt.source(name=SOURCE_NAME, max_table_nesting=0)
    def _source() -> Iterable[Any]:
        for name, table in tables.items():
            spec = TABLES[name]
            yield dlt.resource(
                [table],
                name=name,
                table_name=name,
                primary_key=list(spec.primary_key),
                # rows are deduplicated on the primary key before the load (RawRows.to_arrow)
                write_disposition={
                    "disposition": "merge",
                    "strategy": "delete-insert",
                    "deduplicated": True,
                },
                columns=cast(Any, spec.dlt_columns),
            )

    return _source()
