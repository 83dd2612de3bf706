"""Rows of one load, per raw table, and the lineage each row carries (any chain).

:class:`RawRows` collects plain dict rows while a chunk is fetched and turns each table into an
arrow table of its :class:`~ingest.core.rawschema.TableSpec`: one row per primary key, sorted.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingest.core.http import ResponseRecord
from ingest.core.rawschema import TableSpec
from ingest.errors import IngestError


class RawRows:
    """Rows collected for one load, per table of ``tables``; deduplicated on the primary key when
    converted."""

    def __init__(self, tables: Mapping[str, TableSpec]) -> None:
        self.specs = tables
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))

    def to_arrow(self, table: str) -> pa.Table:
        """Rows of ``table`` as an arrow table, one row per primary key (the row with the smallest
        ``request_id`` wins: deterministic), sorted by primary key. Every row must carry every
        column of the table (a missing one is a programming error, reported by name)."""
        spec = self.specs[table]
        schema = spec.arrow_schema
        rows = self.rows.get(table, [])
        if not rows:
            return schema.empty_table()
        missing = [name for name in schema.names if name not in rows[0]]
        if missing:
            raise KeyError(f"{table}: rows lack column(s) {missing}")
        values = operator.itemgetter(*schema.names)
        columns = zip(*[values(row) for row in rows], strict=True)
        arrays = [_column(table, f, col, rows) for col, f in zip(columns, schema, strict=True)]
        data = pa.Table.from_arrays(arrays, schema=schema)
        for name in spec.primary_key:
            if data.column(name).null_count:
                raise ValueError(f"{table}: primary key column {name} is null in some row")
        sort_keys = [(name, "ascending") for name in spec.primary_key]
        if "request_id" in schema.names and "request_id" not in spec.primary_key:
            sort_keys.append(("request_id", "ascending"))
        data = data.take(pc.sort_indices(data, sort_keys=sort_keys))
        if data.num_rows > 1:
            same = None  # row i+1 has the same primary key as row i
            for name in spec.primary_key:
                column = data.column(name)
                equal = pc.equal(column.slice(1), column.slice(0, data.num_rows - 1))
                same = equal if same is None else pc.and_(same, equal)
            assert same is not None
            keep = pa.concat_arrays([pa.array([True]), pc.invert(same).combine_chunks()])
            data = data.filter(keep)
        return data

    def tables(self) -> list[str]:
        """The tables that have rows, in declaration order."""
        return [name for name in self.specs if self.rows.get(name)]

    def to_arrow_tables(self) -> dict[str, pa.Table]:
        return {name: self.to_arrow(name) for name in self.tables()}


class RowValueError(IngestError):
    """A value that does not fit its raw column: names the table, column and the request."""


def _column(
    table: str, field: pa.Field, values: tuple[Any, ...], rows: list[dict[str, Any]]
) -> pa.Array:
    """One column as an arrow array; a value that does not fit (a provider's 10^40 where a u64 was
    promised, a slot beyond 2^63) fails naming the table, column, row and its request, never as a
    bare arrow error."""
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError):
        pass
    for index, value in enumerate(values):
        try:
            pa.array([value], type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError) as exc:
            row = rows[index]
            source = (
                f"provider {row.get('provider')!r} method {row.get('method')!r} "
                f"request {row.get('request_id')}"
                if row.get("request_id")
                else "no provider request"
            )
            raise RowValueError(
                f"{table}.{field.name}: value {value!r} does not fit {field.type} ({source}): {exc}"
            ) from None
    raise RowValueError(f"{table}.{field.name}: values do not fit {field.type}")


def lineage(record: ResponseRecord, run_id: str) -> dict[str, Any]:
    """The lineage columns of a row that came from ``record``."""
    return {
        "provider": record.provider,
        "method": record.method,
        "request_id": record.request_id,
        "response_sha256": record.response_sha256,
        "ingestion_run_id": run_id,
    }


def payload_row(record: ResponseRecord, run_id: str) -> dict[str, Any]:
    """The ``staging_payloads`` row of a response."""
    return {
        **lineage(record, run_id),
        "request_params": record.params_json,
        "http_status": record.http_status,
        # Bodies are UTF-8 JSON; an undecodable byte would be replaced, never silently dropped.
        "body": record.body.decode("utf-8", "replace"),
    }


def aurora_version() -> str:
    """The installed Aurora version, recorded with every ingestion run."""
    try:
        from importlib.metadata import version

        return version("aurora")
    except Exception:  # not installed: running from a checkout
        return "0.0.0+checkout"
