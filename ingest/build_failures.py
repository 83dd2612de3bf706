"""What a failed `dbt build` tells the user: each failing node with dbt's own message, and for a
test on a seed its first failing rows with the seed's file and CSV line.

Read from dbt's artifacts of the build (``run_results.json``, ``manifest.json``); the failing rows
from the relation dbt stored them in (seed tests set ``store_failures``); the CSV line by reading
the seed file again and matching the row's seed columns. When the artifacts are missing (dbt failed
before running anything: a parse or profile error), dbt's output is shown from its first error on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ingest.core.warehouse import Target
from ingest.env import REPO_ROOT

FAILED = {"error", "fail", "runtime error"}
MAX_NODES = 20
MAX_ROWS = 3
MAX_MESSAGE_LINES = 8

# columns dbt's generic tests return, mapped to the test argument that names the seed column
_ALIASES = {
    "unique_field": "column_name",
    "value_field": "column_name",
    "from_field": "column_name",
    "lower_bound": "lower_bound_column",
    "upper_bound": "upper_bound_column",
}


@dataclass(frozen=True)
class SeedLine:
    line: int  # 1-based line of the CSV file (the header is line 1)
    values: Mapping[str, str]


def read_seed_lines(path: Path) -> list[SeedLine]:
    """The data rows of a seed CSV with their line numbers (a BOM is accepted)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return []
        names = [h.strip() for h in header]
        out = []
        start = reader.line_num + 1
        for row in reader:
            out.append(SeedLine(start, dict(zip(names, (c.strip() for c in row), strict=False))))
            start = reader.line_num + 1
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return str(value).strip()


def _same(cell: str, value: Any) -> bool:
    text = _text(value)
    if cell == text:
        return True
    try:
        return Decimal(cell) == Decimal(text)
    except (InvalidOperation, ValueError):
        return False


def _seed_columns(
    row: Mapping[str, Any], header: Sequence[str], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The failing row's values that are seed columns (dbt's aliases resolved)."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        column = name if name in header else None
        alias = _ALIASES.get(name)
        if column is None and alias and isinstance(kwargs.get(alias), str):
            column = str(kwargs[alias]).strip()
        if column is not None and column in header:
            out[column] = value
    return out


def describe_rows(
    seed_file: str, rows: Sequence[Mapping[str, Any]], kwargs: Mapping[str, Any]
) -> list[str]:
    """One line per failing row: ``seeds/x.csv:LINE: col=value ... (other=value)``."""
    path = REPO_ROOT / seed_file
    lines = read_seed_lines(path) if path.is_file() else []
    header = list(lines[0].values) if lines else []
    out = []
    for row in rows:
        keys = _seed_columns(row, header, kwargs)
        extra = {k: v for k, v in row.items() if k not in keys and k not in _ALIASES}
        found = [
            s.line
            for s in lines
            if keys and all(_same(s.values.get(c, ""), v) for c, v in keys.items())
        ]
        where = (
            f"{seed_file}:{found[0]}"
            if len(found) == 1
            else f"{seed_file}:{','.join(str(n) for n in found[:5])}"
            if found
            else seed_file
        )
        shown = " ".join(f"{k}={_text(v)!s}" for k, v in keys.items()) or "(no seed column)"
        more = " ".join(f"{k}={_text(v)}" for k, v in extra.items())
        out.append(f"{where}: {shown}" + (f" ({more})" if more else ""))
    return out


def _stored_rows(target: Target, relation: str, limit: int) -> list[dict[str, Any]]:
    from ingest.core.warehouse import query

    names, rows = query(target, f"select * from {relation} limit {int(limit)}")
    return [dict(zip(names, r, strict=True)) for r in rows]


def _seed_of(node: Mapping[str, Any], nodes: Mapping[str, Any]) -> Mapping[str, Any] | None:
    attached = node.get("attached_node")
    candidates = [attached] if attached else list(node.get("depends_on", {}).get("nodes", []))
    seeds = [nodes[c] for c in candidates if c in nodes and nodes[c].get("resource_type") == "seed"]
    return seeds[0] if len(seeds) == 1 or (attached and seeds) else None


def failure_report(target: Target, target_path: Path, output: Sequence[str], since: float) -> str:
    """The lines that explain a failed build (see the module docstring)."""
    results_path = target_path / "run_results.json"
    manifest_path = target_path / "manifest.json"
    try:
        fresh = results_path.stat().st_mtime >= since - 1
        results = json.loads(results_path.read_text(encoding="utf-8")) if fresh else None
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if fresh else None
    except (OSError, ValueError):
        results = manifest = None
    if not results or not manifest:
        return _output_tail(output)
    nodes: dict[str, Any] = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    failed = [r for r in results.get("results", []) if str(r.get("status")) in FAILED]
    if not failed:
        return _output_tail(output)
    skipped = sum(1 for r in results.get("results", []) if r.get("status") == "skipped")
    report: list[str] = []
    for result in failed[:MAX_NODES]:
        node = nodes.get(result.get("unique_id", ""), {})
        kind = node.get("resource_type", "node")
        name = node.get("name", result.get("unique_id", "?"))
        where = node.get("original_file_path", "")
        message = str(result.get("message") or "").strip().splitlines() or ["(no message)"]
        report.append(f"{str(result['status']).upper()} {kind} {name} ({where}): {message[0]}")
        report += [f"    {line}" for line in message[1:MAX_MESSAGE_LINES] if line.strip()]
        seed = _seed_of(node, nodes) if kind == "test" else None
        relation = result.get("relation_name")
        if kind == "test" and relation and result.get("failures"):
            kwargs = dict(node.get("test_metadata", {}).get("kwargs", {}))
            try:
                rows = _stored_rows(target, str(relation), MAX_ROWS)
            except Exception as exc:  # the report must never hide the failure itself
                report.append(f"    (failing rows not readable from {relation}: {exc})")
                continue
            if seed is not None:
                texts = describe_rows(str(seed.get("original_file_path", "")), rows, kwargs)
            else:  # a test over several seeds or models: the stored row as it is
                texts = [" ".join(f"{k}={_text(v)}" for k, v in row.items()) for row in rows]
            for text in texts:
                report.append(f"    {text if len(text) <= 300 else text[:297] + '...'}")
            count = int(result.get("failures") or 0)
            if count > len(rows):
                report.append(f"    ... {count - len(rows)} more: select * from {relation}")
    if len(failed) > MAX_NODES:
        report.append(f"... and {len(failed) - MAX_NODES} more failures (see dbt's log)")
    if skipped:
        report.append(f"({skipped} node(s) skipped because of these failures)")
    return "\n".join(report)


def _output_tail(output: Sequence[str]) -> str:
    """dbt's output from its first error on (every detail line kept), at most 60 lines."""
    markers = ("Completed with", "Encountered an error", "Error", "error:")
    start = next(
        (i for i, line in enumerate(output) if any(m in line for m in markers)),
        max(0, len(output) - 40),
    )
    kept = [line for line in output[start:] if line.strip()]
    return "\n".join(kept[:60])
