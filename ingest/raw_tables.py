"""ingest/RAW_TABLES.md, rendered from the table declarations (each chain's schema.py, registry.py).

    python -m ingest.raw_tables           write ingest/RAW_TABLES.md
    python -m ingest.raw_tables --check   exit 1 when the committed file differs from the rendering

The document is never edited by hand: tests/unit/test_raw_tables.py fails when it differs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ingest import registry
from ingest.chains import CHAINS
from ingest.core.rawschema import COLUMN_TYPES, LINEAGE_COLUMNS, LINEAGE_DOC, markdown_table
from ingest.env import REPO_ROOT

PATH = REPO_ROOT / "ingest" / "RAW_TABLES.md"

_INTRO = """\
# Raw tables: the contract between ingestion (Python, dlt) and staging (dbt)

<!-- Rendered from the table declarations (ingest/<chain>/schema.py, ingest/registry.py) by
`python -m ingest.raw_tables`. Do not edit by hand: tests/unit/test_raw_tables.py fails when this
file and the declarations differ. -->

Ingestion loads provider responses as delivered. Each chain's raw tables live in a dlt dataset
(a schema of the warehouse) of their own, whichever provider delivered them; the registry loaded
from `config/*.yaml` lives in `{registry}`.

Rules every raw table of a chain follows:
- Column names are snake_case (dlt's naming convention turns `blockTime` into `block_time`).
- Every row carries the common columns, first: {lineage}; and dlt's `_dlt_load_id`.
  `staging_payloads` holds the body of each response, keyed by `response_sha256`.
- Amounts are `decimal(38,0)`: ingestion parses JSON with `parse_int=Decimal` and hints precision
  and scale explicitly; never a float. An amount may be negative where the chain says so.
- Rows become visible a load at a time: staging keeps only rows whose `_dlt_load_id` is a
  completed load (`_dlt_loads.status = 0`). How a chain cuts its periods into loads is said in its
  section.
- Write disposition `merge` (delete-insert) on the primary key: re-ingesting the same period
  replaces rows, never duplicates them. Primary-key columns are NOT NULL; the others may be null.
- Column types: {types}.
"""

_REGISTRY = """\
## The registry: `{dataset}`

Replaced whole from config/ on each load (write disposition `replace`), secrets excluded; these
tables carry no lineage columns.
"""


def render() -> str:
    """The whole document."""
    lineage = ", ".join(f"`{name}` ({LINEAGE_DOC[name]})" for name, _ in LINEAGE_COLUMNS)
    types = ", ".join(f"`{t.sql}`" for t in COLUMN_TYPES.values())
    parts = [_INTRO.format(registry=registry.DATASET, lineage=lineage, types=types)]
    for chain in CHAINS.values():
        parts.append(f"## {chain.name.capitalize()}: `{chain.dataset}`\n")
        if chain.doc:
            parts.append(chain.doc)
        parts.append(markdown_table(chain.tables.values()))
    parts.append(_REGISTRY.format(dataset=registry.DATASET))
    parts.append(markdown_table(registry.TABLES.values(), lineage=False))
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.raw_tables", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--output", type=Path, default=PATH, help=f"default: {PATH}")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(
                f"{args.output} differs from the table declarations: run python -m ingest.raw_tables"
            )
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
