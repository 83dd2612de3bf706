"""The chain registry in the warehouse: the ``raw_registry`` tables, replaced from config/ on each
load (chains.yaml, providers.yaml; secrets excluded). Declared once, like the raw tables of a chain.

A load whose rows equal what the warehouse holds is skipped: no new dlt load, so the build
fingerprint (ingest/build_status.py) does not change when the configuration did not. On DuckDB that
check reads the file directly, without importing dlt (the no-op `aurora build`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ingest.config import AuroraConfig, registry_rows
from ingest.core.destination import dlt_pipeline, finish_pending, read_dataset
from ingest.core.lock import warehouse_lock
from ingest.core.rawschema import TableSpec, table_spec
from ingest.core.warehouse import Target, duckdb_path, query

DATASET = "raw_registry"
PIPELINE_NAME = "aurora_registry"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        table_spec(
            "chains",
            [],
            [
                ("chain", "text"),
                ("native_asset", "text"),
                ("decimals", "bigint"),
                ("period_kind", "text", "`epoch` or `utc_day`"),
            ],
            source="config/chains.yaml",
            lineage=False,
            nullable=False,
        ),
        table_spec(
            "providers",
            [],
            [
                ("provider", "text"),
                ("kind", "text"),
                ("chain", "text"),
                ("base_url", "text", "without secrets"),
                ("rate_limit_per_second", "text"),
                ("max_concurrency", "bigint"),
            ],
            source="config/providers.yaml",
            lineage=False,
            nullable=False,
        ),
        table_spec(
            "chain_provider_mappings",
            [],
            [
                ("chain", "text"),
                ("fact", "text"),
                ("provider", "text"),
                ("precedence", "bigint", "1 = preferred"),
            ],
            source="config/chains.yaml `facts`",
            lineage=False,
            nullable=False,
        ),
    ]
}


def load_registry(
    target: Target, config: AuroraConfig, pipelines_dir: Path | None = None
) -> dict[str, int]:
    """Replace the ``raw_registry`` tables (chains, providers, chain_provider_mappings) with the
    rows of ``config`` (secrets excluded), unless they hold those rows already. Returns the row
    count per table."""

    rows = registry_rows(config)
    with warehouse_lock(target, "aurora registry"):
        if _held_rows(target) == _as_sets(rows):  # the no-op path: dlt is not even imported
            return {name: len(rows[name]) for name in TABLES}
        pipeline = dlt_pipeline(target, PIPELINE_NAME, DATASET, pipelines_dir)
        finish_pending(pipeline, target)
        if _loaded_rows(pipeline) == _as_sets(rows):
            return {name: len(rows[name]) for name in TABLES}
        _load(pipeline, rows)
    return {name: len(rows[name]) for name in TABLES}


def _as_sets(rows: dict[str, list[dict[str, Any]]]) -> dict[str, set[tuple[str, ...]]]:
    return {
        name: {tuple(str(row[c]) for c, _ in spec.columns) for row in rows[name]}
        for name, spec in TABLES.items()
    }


def _held_rows(target: Target) -> dict[str, set[tuple[str, ...]]] | None:
    """On DuckDB, the registry rows of completed loads read straight from the file (None when a
    table is missing, and on PostgreSQL, where :func:`_loaded_rows` reads them through dlt)."""
    if target != "duckdb" or not duckdb_path().exists():
        return None
    _, found = query(
        target,
        f"select table_name from information_schema.tables where table_schema = '{DATASET}'",
    )
    if not {*TABLES, "_dlt_loads"} <= {str(name) for (name,) in found}:
        return None
    out: dict[str, set[tuple[str, ...]]] = {}
    for name, spec in TABLES.items():
        columns = ", ".join(f"t.{c}" for c, _ in spec.columns)
        _, held = query(
            target,
            f"select {columns} from {DATASET}.{name} t where t._dlt_load_id in "
            f"(select load_id from {DATASET}._dlt_loads where status = 0)",
        )
        out[name] = {tuple(str(v) for v in row) for row in held}
    return out


def _loaded_rows(pipeline: Any) -> dict[str, set[tuple[str, ...]]] | None:
    """The registry rows of the last completed load (None when a table was never loaded)."""
    out: dict[str, set[tuple[str, ...]]] = {}
    with read_dataset(pipeline) as ds:
        for name, spec in TABLES.items():
            if name not in ds.tables:
                return None
            columns = ", ".join(f"t.{c}" for c, _ in spec.columns)
            out[name] = {tuple(str(v) for v in row) for row in ds.completed_rows(name, columns)}
    return out


def _load(pipeline: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    import dlt

    @dlt.source(name="registry", max_table_nesting=0)
    def registry() -> Any:
        for name, spec in TABLES.items():
            yield dlt.resource(
                rows[name],
                name=name,
                write_disposition="replace",
                columns=cast(Any, spec.dlt_columns),
            )

    info = pipeline.run(registry())
    info.raise_on_failed_jobs()
