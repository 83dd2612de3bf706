"""Load the chain/provider registry (config/*.yaml) into the warehouse as raw tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.config import AuroraConfig, registry_rows
from ingest.warehouse import RAW_REGISTRY_DATASET, Target, dlt_destination

_COLUMNS: dict[str, dict[str, dict[str, Any]]] = {
    "chains": {
        "chain": {"data_type": "text", "nullable": False},
        "native_asset": {"data_type": "text", "nullable": False},
        "decimals": {"data_type": "bigint", "nullable": False},
        "period_kind": {"data_type": "text", "nullable": False},
    },
    "providers": {
        "provider": {"data_type": "text", "nullable": False},
        "kind": {"data_type": "text", "nullable": False},
        "chain": {"data_type": "text", "nullable": False},
        "base_url": {"data_type": "text", "nullable": False},
        "rate_limit_per_second": {"data_type": "text", "nullable": False},
        "max_concurrency": {"data_type": "bigint", "nullable": False},
    },
    "chain_provider_mappings": {
        "chain": {"data_type": "text", "nullable": False},
        "fact": {"data_type": "text", "nullable": False},
        "provider": {"data_type": "text", "nullable": False},
        "precedence": {"data_type": "bigint", "nullable": False},
    },
}


def load_registry(target: Target, config: AuroraConfig, pipelines_dir: Path) -> None:
    """Replace the registry tables with the rows of the current configuration."""
    import dlt

    rows = registry_rows(config)
    resources = [
        dlt.resource(  # type: ignore[call-overload]
            rows[name],
            name=name,
            write_disposition="replace",
            columns=_COLUMNS[name],
        )
        for name in ("chains", "providers", "chain_provider_mappings")
    ]
    pipeline = dlt.pipeline(
        pipeline_name=f"aurora_registry_{target}",
        destination=dlt_destination(target),
        dataset_name=RAW_REGISTRY_DATASET,
        pipelines_dir=str(pipelines_dir),
    )
    pipeline.run(resources)
