"""Raw-table declarations, for any chain: column types, :class:`TableSpec`, and their documentation.

A chain declares each of its raw tables once, as a :class:`TableSpec` (ingest/solana/schema.py). From
that one declaration come:

- the arrow schema of the rows handed to dlt (the fast path: ``pyarrow.Table``);
- the dlt column hints: explicit types, ``decimal(38,0)`` for amounts (never a float), primary-key
  columns not null;
- the table's row in ingest/RAW_TABLES.md (:func:`markdown_table`).

Each column has a *kind*, one of :data:`COLUMN_TYPES`: ``text``, ``bigint``, ``bool``, ``amount``
(an exact integer amount in the chain's smallest unit) and ``timestamp``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa


@dataclass(frozen=True)
class ColumnType:
    arrow: pa.DataType
    dlt_hint: dict[str, Any]
    sql: str  # as RAW_TABLES.md names it


COLUMN_TYPES: dict[str, ColumnType] = {
    "text": ColumnType(pa.string(), {"data_type": "text"}, "text"),
    "bigint": ColumnType(pa.int64(), {"data_type": "bigint"}, "bigint"),
    "bool": ColumnType(pa.bool_(), {"data_type": "bool"}, "bool"),
    "amount": ColumnType(
        pa.decimal128(38, 0),
        {"data_type": "decimal", "precision": 38, "scale": 0},
        "decimal(38,0)",
    ),
    "timestamp": ColumnType(
        pa.timestamp("us", tz="UTC"), {"data_type": "timestamp"}, "timestamptz"
    ),
}

# The lineage every raw row carries, first in each table (RAW_TABLES.md, "the common columns").
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("provider", "text"),
    ("method", "text"),
    ("request_id", "text"),
    ("response_sha256", "text"),
    ("ingestion_run_id", "text"),
)
LINEAGE_DOC: dict[str, str] = {
    "provider": "the provider id of config/providers.yaml, e.g. `solana_rpc`, `jito_kobe`",
    "method": "the JSON-RPC method or HTTP path",
    "request_id": "SHA-256 of `provider|method|canonical JSON params`",
    "response_sha256": "SHA-256 of the response body bytes as received",
    "ingestion_run_id": "the run that loaded the row",
}

# A declared column: (name, kind) or (name, kind, what it holds).
Column = tuple[str, str] | tuple[str, str, str]


@dataclass(frozen=True)
class TableSpec:
    """One raw table: its columns in order (lineage columns first), primary key and documentation."""

    name: str
    primary_key: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (column, kind)
    source: str = ""  # where the rows come from
    notes: tuple[tuple[str, str], ...] = ()  # (column, what it holds)
    declared: tuple[str, ...] = ()  # the table's own columns (the lineage columns it was given not)
    not_null: tuple[str, ...] = ()  # besides the primary key

    def nullable(self, column: str) -> bool:
        return column not in self.primary_key and column not in self.not_null

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [
                pa.field(col, COLUMN_TYPES[kind].arrow, nullable=self.nullable(col))
                for col, kind in self.columns
            ]
        )

    @property
    def dlt_columns(self) -> dict[str, dict[str, Any]]:
        return {
            col: {**COLUMN_TYPES[kind].dlt_hint, "nullable": self.nullable(col)}
            for col, kind in self.columns
        }


def table_spec(
    name: str,
    primary_key: Sequence[str],
    columns: Sequence[Column],
    *,
    source: str = "",
    lineage: bool = True,
    nullable: bool = True,
) -> TableSpec:
    """A :class:`TableSpec`. ``lineage``: the lineage columns the table does not declare itself come
    first; ``nullable`` False: every column is NOT NULL (not only the primary key)."""
    own = [(col[0], col[1]) for col in columns]
    for col, kind in own:
        if kind not in COLUMN_TYPES:
            raise ValueError(f"{name}.{col}: unknown column kind {kind!r}")
    names = {col for col, _ in own}
    common = [(c, k) for c, k in LINEAGE_COLUMNS if c not in names] if lineage else []
    every = tuple(common + own)
    missing = [key for key in primary_key if key not in dict(every)]
    if missing:
        raise ValueError(f"{name}: primary key column(s) {missing} not among the columns")
    return TableSpec(
        name=name,
        primary_key=tuple(primary_key),
        columns=every,
        source=source,
        notes=tuple((col[0], col[2]) for col in columns if len(col) == 3),
        declared=tuple(col for col, _ in own),
        not_null=() if nullable else tuple(col for col, _ in every),
    )


# Every chain's loads carry the bodies of the responses their rows came from (core/rows.py).
STAGING_PAYLOADS = table_spec(
    "staging_payloads",
    ["response_sha256"],
    [
        ("response_sha256", "text"),
        ("provider", "text"),
        ("method", "text"),
        ("request_params", "text", "JSON"),
        ("request_id", "text"),
        ("http_status", "bigint"),
        ("body", "text", "as received"),
    ],
    source="every response",
)


# ------------------------------------------------------------------------------------ docs
def _describe(spec: TableSpec, column: str) -> str:
    kind = dict(spec.columns)[column]
    note = dict(spec.notes).get(column)
    text = f"`{column}` {COLUMN_TYPES[kind].sql}"
    return f"{text} ({note})" if note else text


def markdown_table(specs: Iterable[TableSpec], *, lineage: bool = True) -> str:
    """RAW_TABLES.md's table of ``specs``: name, primary key, the columns each declares (type and
    note), and where the rows come from. ``lineage``: the tables also carry the lineage columns."""
    heading = "columns (besides the common ones)" if lineage else "columns (all NOT NULL)"
    lines = [f"| table | primary key | {heading} | from |", "|---|---|---|---|"]
    for spec in specs:
        columns = ", ".join(_describe(spec, c) for c in spec.declared)
        key = ", ".join(f"`{c}`" for c in spec.primary_key) or "none"
        lines.append(f"| `{spec.name}` | {key} | {columns} | {spec.source} |")
    return "\n".join(lines) + "\n"
