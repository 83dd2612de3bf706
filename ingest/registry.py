"""The chain registry in the warehouse: the ``raw_registry`` tables, replaced from config/ on each
load (chains.yaml, providers.yaml; secrets excluded). Declared once, like the raw tables of a chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ingest.config import AuroraConfig, registry_rows
from ingest.core.destination import dlt_pipeline, finish_pending
from ingest.core.rawschema import TableSpec, table_spec
from ingest.core.warehouse import Target

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
    rows of ``config`` (secrets excluded). Returns the row count per table."""
    import dlt

    rows = registry_rows(config)
    pipeline = dlt_pipeline(target, PIPELINE_NAME, DATASET, pipelines_dir)
    finish_pending(pipeline, target)

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
    return {name: len(rows[name]) for name in TABLES}
