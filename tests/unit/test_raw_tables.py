"""The raw-table declarations are the one source: ingest/RAW_TABLES.md is their rendering, and the
dbt sources declare exactly their tables, and only columns that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dlt.common.schema.utils import loads_table, pipeline_state_table, version_table

from ingest import registry
from ingest.chains import CHAINS
from ingest.core.rawschema import TableSpec
from ingest.raw_tables import PATH, main, render

REPO_ROOT = Path(__file__).resolve().parents[2]

# Tables dlt keeps in every dataset, with their columns.
DLT_TABLES = {
    table["name"]: set(table["columns"])
    for table in (loads_table(), version_table(), pipeline_state_table(add_dlt_id=True))
}

DATASETS: list[tuple[str, dict[str, TableSpec], set[str]]] = [
    # (dataset, its tables, the columns dlt adds to each row)
    *((chain.dataset, dict(chain.tables), {"_dlt_load_id"}) for chain in CHAINS.values()),
    (registry.DATASET, registry.TABLES, {"_dlt_load_id", "_dlt_id"}),
]
# Ingested, but no dbt model reads them yet: none today (every chain's raw dataset has its dbt
# source); test_not_modelled_datasets_have_no_dbt_source fails when a listed one gets one.
NOT_MODELLED_YET: set[str] = set()
DATASET_PARAMS = [pytest.param(*d, id=d[0]) for d in DATASETS if d[0] not in NOT_MODELLED_YET]


def test_raw_tables_md_is_the_rendering_of_the_declarations() -> None:
    assert PATH.read_text(encoding="utf-8") == render(), "run: python -m ingest.raw_tables"
    assert main(["--check"]) == 0


def test_check_fails_on_a_stale_document(tmp_path: Path) -> None:
    stale = tmp_path / "RAW_TABLES.md"
    stale.write_text(render().replace("decimal(38,0)", "double"), encoding="utf-8")
    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", "--output", str(stale)]) == 0


def _dbt_sources() -> dict[str, list[dict[str, Any]]]:
    """The tables each dbt source declares, by the warehouse schema the source reads."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((REPO_ROOT / "dbt_project").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            schema = source.get("schema", source["name"])
            found.setdefault(schema, []).extend(source.get("tables") or [])
    return found


@pytest.mark.parametrize(("dataset", "tables", "added"), DATASET_PARAMS)
def test_dbt_sources_declare_exactly_the_raw_tables(
    dataset: str, tables: dict[str, TableSpec], added: set[str]
) -> None:
    declared = _dbt_sources().get(dataset)
    assert declared, f"no dbt source reads the schema {dataset}"
    names = [table["name"] for table in declared]
    assert len(names) == len(set(names)), f"{dataset}: a table is declared twice: {names}"
    assert set(names) - set(DLT_TABLES) == set(tables), dataset
    for table in declared:
        name = table["name"]
        known = DLT_TABLES[name] if name in DLT_TABLES else {*tables[name].column_names, *added}
        for column in table.get("columns") or []:
            assert column["name"] in known, f"{dataset}.{name}: no column {column['name']!r}"


def test_not_modelled_datasets_have_no_dbt_source() -> None:
    """Every raw dataset is either checked above or listed as not modelled yet, never both."""
    datasets = {d[0] for d in DATASETS}
    assert datasets >= NOT_MODELLED_YET
    assert not set(_dbt_sources()) & NOT_MODELLED_YET, "a dbt source arrived: drop it from the list"
