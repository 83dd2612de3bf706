"""`aurora docs`: the dbt docs site generated offline as one static page.

`dbt docs generate --static` writes target_<t>/static_index.html with the manifest and catalog
inlined and no external script; anonymous usage tracking is off (dbt_project.yml flags and the
environment), so the page makes no network call. The page is copied to data/docs/index.html.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ingest.build import dbt_target_path, run_dbt
from ingest.core.warehouse import Target
from ingest.env import REPO_ROOT
from ingest.errors import BuildError

DOCS_DIR = REPO_ROOT / "data" / "docs"


def build_docs(target: Target, out_dir: Path | None = None) -> Path:
    """Generate the static docs page for the target; return its path."""
    result = run_dbt(["docs", "generate", "--static"], target, capture=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout or "").splitlines()[-30:])
        raise BuildError(f"dbt docs generate failed on {target}:\n{tail}")
    source = REPO_ROOT / dbt_target_path(target) / "static_index.html"
    if not source.is_file():
        raise FileNotFoundError(f"dbt did not write {source}")
    out_dir = out_dir or DOCS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / "index.html"
    shutil.copyfile(source, dest)
    return dest


def embedded_manifest(page: Path) -> dict[str, Any]:
    """The manifest that `dbt docs generate --static` inlined into the page (`{manifest:{...}`)."""
    text = page.read_text(encoding="utf-8")
    marker = "var n={manifest:"
    start = text.find(marker)
    if start < 0:
        raise ValueError(f"{page}: no embedded manifest found")
    manifest, _ = json.JSONDecoder().raw_decode(text, start + len(marker))
    if not isinstance(manifest, dict):
        raise ValueError(f"{page}: the embedded manifest is not an object")
    return manifest
