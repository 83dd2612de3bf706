"""dlt's side of the warehouse, for any chain: destinations, pipelines and loads.

- :func:`dlt_pipeline`: the dlt pipeline of one dataset on a target, in a working folder of its own
  per warehouse (:func:`pipelines_dir`);
- :func:`finish_pending`: complete (or drop) the packages a failed run left behind;
- :func:`load`: one dlt load of a source, returning its load id.

Every raw row carries ``_dlt_load_id``: arrow tables get it through dlt's
``NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID``, exported before the first load
(``ingest.env.configure_process``). DuckDB and dlt must not share a process with dbt (file lock): the
CLI runs dbt as a subprocess.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ingest.core.warehouse import Target, duckdb_path
from ingest.env import REPO_ROOT, configure_process, settings
from ingest.errors import IngestError


def dlt_destination(target: Target) -> Any:
    """A dlt destination object for the target (imported lazily: dlt is slow to import)."""
    import dlt

    if target == "duckdb":
        path = duckdb_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(credentials=str(path))
    return dlt.destinations.postgres(credentials=settings().postgres.dsn())


def pipelines_dir(target: Target) -> Path:
    """dlt's local working folder, one per warehouse (a DuckDB file or a PostgreSQL database):
    dlt keeps schema and state there, which must never leak from one warehouse to another.
    AURORA_DLT_PIPELINES_DIR overrides the parent folder."""
    if target == "duckdb":
        identity = str(duckdb_path())
    else:
        pg = settings().postgres
        identity = f"{pg.host}:{pg.port}/{pg.database}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    parent = settings().dlt_pipelines_dir or REPO_ROOT / "data" / "dlt_pipelines"
    path = parent / f"{target}-{digest}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def dlt_pipeline(target: Target, name: str, dataset: str, folder: Path | None = None) -> Any:
    """The dlt pipeline ``name`` loading into ``dataset`` on ``target``; ``folder``: dlt's working
    folder (default: :func:`pipelines_dir` of the target)."""
    import dlt

    configure_process()
    folder = Path(folder) if folder is not None else pipelines_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(folder),
        destination=dlt_destination(target),
        dataset_name=dataset,
    )


def loader_format(target: Target) -> str | None:
    """The load file format: parquet into DuckDB (arrow tables stay columnar), dlt's default else."""
    return "parquet" if target == "duckdb" else None


def finish_pending(pipeline: Any, target: Target) -> None:
    """Complete the packages a failed previous run left behind (merge: no duplicates); if they
    cannot be completed, drop them: the periods they held are not loaded and will be fetched again."""
    if not pipeline.has_pending_data:
        return
    try:
        pipeline.normalize(loader_file_format=loader_format(target))
        pipeline.load()
    except Exception:
        pipeline.abort_packages()


def load(pipeline: Any, target: Target, source: Any) -> str:
    """One dlt load of ``source``; returns its load id. Raises on any failed job."""
    info = pipeline.run(source, loader_file_format=loader_format(target))
    info.raise_on_failed_jobs()
    ids = list(info.loads_ids)
    if len(ids) != 1:
        raise IngestError(f"expected one dlt load, got {ids}")
    return str(ids[0])
