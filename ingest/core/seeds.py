"""The seed files finance edits: the operator's validators (read strictly, any chain), and the
checks every seed file passes before dbt loads it (:func:`check_seed_files`).

dbt's seed loader casts each CSV cell to the column type the seed YAML pins, and a cast rounds:
``185100708.5`` in a money column would become ``185100709`` without a word. So before `dbt build`
every cell of an integer column (the money type, integer, bigint) must be a whole number, written
as digits; and a file must not be empty (0 bytes: dbt's CSV reader fails naming no file). Each
problem names the file, the line and the column. A file with its header only is checked by dbt
(tests/singular/assert_seed_files_not_empty.sql), unless the dbt var ``allow_empty_seeds`` lists
it. Files are read as UTF-8 with or without a byte-order mark, as dbt reads them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import SeedError

COLUMNS = ("chain", "validator_id", "identity_pubkey", "validator_name")


@dataclass(frozen=True)
class OperatorValidator:
    validator_id: str  # the chain's validator id (Solana: the vote account)
    identity_pubkey: str
    validator_name: str


def read_operator_validators(seeds_dir: Path, chain: str = "solana") -> list[OperatorValidator]:
    """The operator's validators of ``chain`` from ``seeds_dir/validators.csv``, sorted by id."""
    path = Path(seeds_dir) / "validators.csv"
    if not path.is_file():
        raise SeedError(f"{path}: file not found (columns: {', '.join(COLUMNS)})")
    with path.open(newline="", encoding="utf-8-sig") as fh:  # a BOM is accepted, as dbt does
        reader = csv.DictReader(fh)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise SeedError(f"{path}: missing column(s) {sorted(missing)}")
        out: list[OperatorValidator] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            if (row.get("chain") or "").strip() != chain:
                continue
            validator_id = (row.get("validator_id") or "").strip()
            if not validator_id:
                raise SeedError(f"{path}:{line}: empty validator_id")
            if validator_id in seen:
                raise SeedError(f"{path}:{line}: validator {validator_id} listed twice")
            seen.add(validator_id)
            out.append(
                OperatorValidator(
                    validator_id=validator_id,
                    identity_pubkey=(row.get("identity_pubkey") or "").strip(),
                    validator_name=(row.get("validator_name") or "").strip(),
                )
            )
    return sorted(out, key=lambda v: v.validator_id)


# -------------------------------------------------------------------------- every seed file
_WHOLE = re.compile(r"-?[0-9]+")
_INTEGER_TYPES = {"integer", "int", "bigint", "smallint", "hugeint", "int4", "int8"}
MAX_PROBLEMS = 20


def _is_integral(column_type: str) -> bool:
    kind = " ".join(column_type.lower().split())
    if "var('money')" in kind or 'var("money")' in kind:
        return True
    if kind in _INTEGER_TYPES:
        return True
    match = re.fullmatch(r"(numeric|decimal)\(\s*\d+\s*,\s*0\s*\)", kind)
    return match is not None


def _seed_paths(project_root: Path) -> list[Path]:
    project = yaml.safe_load((project_root / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    paths = [project_root / str(p) for p in project.get("seed-paths") or ["seeds"]]
    # test fixtures (tests/fixtures/seeds) are built only by their own tests, on purpose broken
    return [p for p in paths if p.is_dir() and "tests" not in p.relative_to(project_root).parts]


def _column_types(folder: Path) -> dict[str, dict[str, str]]:
    """seed name -> column -> the type its YAML pins, from every YAML file of the folder."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")]):
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for seed in data.get("seeds") or []:
            types = ((seed or {}).get("config") or {}).get("column_types") or {}
            out[str(seed.get("name"))] = {str(k): str(v) for k, v in types.items()}
    return out


def seed_problems(project_root: Path) -> Iterator[str]:
    """Each problem of the seed files, as ``seeds/x.csv:LINE: column: what is wrong``."""
    for folder in _seed_paths(project_root):
        types = _column_types(folder)
        for path in sorted(folder.rglob("*.csv")):
            name = path.relative_to(project_root)
            if path.stat().st_size == 0:
                yield f"{name}: the file is empty (0 bytes): a seed needs at least its header line"
                continue
            integral = {c for c, t in types.get(path.stem, {}).items() if _is_integral(t)}
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                header = [h.strip() for h in next(reader, [])]
                if not any(header):
                    yield f"{name}:1: the header line is empty"
                    continue
                checked = [(i, c) for i, c in enumerate(header) if c in integral]
                line = reader.line_num + 1
                for row in reader:
                    for index, column in checked:
                        cell = row[index].strip() if index < len(row) else ""
                        if cell and not _WHOLE.fullmatch(cell):
                            yield (
                                f"{name}:{line}: {column}: {cell!r} is not a whole number "
                                f"({types[path.stem][column]}: an integer in the smallest unit; "
                                "a fraction is never rounded)"
                            )
                    line = reader.line_num + 1


def check_seed_files(project_root: Path) -> None:
    """Raise :class:`SeedError` listing the problems of the seed files (see the module docstring)."""
    problems = []
    for problem in seed_problems(project_root):
        problems.append(problem)
        if len(problems) > MAX_PROBLEMS:
            break
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = " (and more)" if len(problems) > MAX_PROBLEMS else ""
        raise SeedError(
            f"the seed files have {len(shown)} problem(s){more}:\n  " + "\n  ".join(shown)
        )
