"""dlt's side of the warehouse, for any chain: destinations, pipelines and loads.

- :func:`dlt_pipeline`: the dlt pipeline of one dataset on a target, in a working folder of its own
  per warehouse (:func:`pipelines_dir`);
- :func:`finish_pending`: complete (or drop) the packages a failed run left behind;
- :func:`load`: one dlt load of a source, returning its load id;
- :func:`read_dataset`: read what completed loads put in a dataset, through dlt's sql client.

Every raw row carries ``_dlt_load_id``: arrow tables get it through dlt's
``NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID``, exported before the first load
(``ingest.env.configure_process``). DuckDB and dlt must not share a process with dbt (file lock): the
CLI runs dbt as a subprocess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
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
    return dlt.destinations.postgres(credentials=settings().postgres_for("loader").dsn())


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


# ------------------------------------------------------------------------------ reading back
class DatasetReader:
    """Queries on a pipeline's dataset over one connection of dlt's sql client.

    Which tables exist is looked up once, in the warehouse's information_schema: a query on a table
    that no load has created yet answers no rows, and any other failure of a query is an error.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self.tables = _existing_tables(client)

    def completed_rows(
        self, table: str, columns: str, where: str = "true", *params: Any
    ) -> list[tuple[Any, ...]]:
        """``select <columns> from <table> t where <where>`` over the rows of completed loads only
        (``_dlt_loads.status = 0``); ``params`` fill the ``%s`` of ``where``."""
        if not {table, "_dlt_loads"} <= self.tables:
            return []
        q = self._client.make_qualified_table_name
        sql = (
            f"select {columns} from {q(table)} t where ({where}) "
            f"and t._dlt_load_id in (select load_id from {q('_dlt_loads')} where status = 0)"
        )
        return [tuple(row) for row in self._client.execute_sql(sql, *params) or []]


@contextmanager
def read_dataset(pipeline: Any) -> Iterator[DatasetReader]:
    """A :class:`DatasetReader` on the dataset of ``pipeline`` (open while the block runs)."""
    with pipeline.sql_client() as client:
        yield DatasetReader(client)


def _existing_tables(client: Any) -> set[str]:
    if not client.has_dataset():
        return set()
    schema = client.make_qualified_table_name_path(None, quote=False)[-1]
    rows = client.execute_sql(
        "select table_name from information_schema.tables where table_schema = %s", schema
    )
    return {str(name) for (name,) in rows or []}
