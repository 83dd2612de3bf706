"""The money layer (macros/money.sql, macros/time.sql) on DuckDB and PostgreSQL.

The singular test tests/singular/assert_money_macros_exact.sql compares every macro's result with
the exact expected text. Here it must pass on both engines, and fail once a macro is replaced by the
naive operator (a mutation test: a test that cannot fail proves nothing).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import REPO_ROOT, Warehouse, warehouse

TEST_NAME = "assert_money_macros_exact"

# (macro, {engine: naive body}): each one is a mistake methodology §1 warns about.
MUTATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "float division": (
        "int_div",
        {
            "duckdb": "(({{ numerator }}) / ({{ denominator }}))",
            "postgres": "(cast({{ numerator }} as double precision) / ({{ denominator }}))",
        },
    ),
    "floor instead of truncation": (
        "int_div",
        {
            "duckdb": "floor(({{ numerator }}) / ({{ denominator }}))",
            "postgres": "floor(cast({{ numerator }} as numeric) / ({{ denominator }}))",
        },
    ),
    "bare numeric money type": (
        "money_type",
        {"duckdb": "numeric", "postgres": "double precision"},
    ),
    "engine rounding instead of half-even": (
        "div_half_even",
        {
            "duckdb": "round(({{ numerator }}) / ({{ denominator }}))",
            "postgres": "round(cast({{ numerator }} as numeric) / ({{ denominator }}))",
        },
    ),
    "hash without hex encoding": (
        "sha256_hex",
        {"duckdb": "cast(md5({{ expr }}) as varchar)", "postgres": "md5({{ expr }})"},
    ),
}


def _copy_project(dest: Path) -> Path:
    """The project's macros, generic tests and the macro test, without any model."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "dbt_project.yml", dest / "dbt_project.yml")
    shutil.copytree(REPO_ROOT / "macros", dest / "macros")
    shutil.copytree(REPO_ROOT / "tests" / "generic", dest / "tests" / "generic")
    (dest / "tests" / "singular").mkdir(parents=True)
    shutil.copyfile(
        REPO_ROOT / "tests" / "singular" / f"{TEST_NAME}.sql",
        dest / "tests" / "singular" / f"{TEST_NAME}.sql",
    )
    for folder in ("dbt_project", "seeds", "tests/fixtures/models", "tests/fixtures/seeds"):
        (dest / folder).mkdir(parents=True, exist_ok=True)
    return dest


def _mutate(project: Path, macro: str, engine: str, body: str) -> None:
    """Replace the body of the engine's variant of `macro` (or its only body) with `body`."""
    for path in (project / "macros").glob("*.sql"):
        text = path.read_text()
        prefix = "duckdb" if engine == "duckdb" else "default"
        for name in (f"{prefix}__{macro}", macro):
            pattern = re.compile(
                r"({%-?\s*macro\s+"
                + re.escape(name)
                + r"\((?P<args>[^)]*)\)\s*-?%})(.*?)({%-?\s*endmacro\s*-?%})",
                re.S,
            )
            match = pattern.search(text)
            if match and "adapter.dispatch" not in match.group(3):
                path.write_text(
                    text[: match.start(3)] + "\n    " + body + "\n" + text[match.end(3) :]
                )
                return
    raise AssertionError(f"macro {macro} not found for {engine}")


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_money_macros_exact(target: str, tmp_path: Path) -> None:
    with warehouse(target, tmp_path) as wh:
        project = _copy_project(tmp_path / "project")
        wh = Warehouse(wh.target, wh.env, wh.target_path, project_dir=project, log_path=wh.log_path)
        wh.dbt("test", "--select", TEST_NAME)
        assert wh.run_results()[TEST_NAME]["status"] == "pass"


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_naive_macro_fails_the_test(target: str, mutation: str, tmp_path: Path) -> None:
    macro, bodies = MUTATIONS[mutation]
    with warehouse(target, tmp_path) as wh:
        project = _copy_project(tmp_path / "project")
        _mutate(project, macro, target, bodies[target])
        wh = Warehouse(wh.target, wh.env, wh.target_path, project_dir=project, log_path=wh.log_path)
        result = wh.dbt("test", "--select", TEST_NAME, check=False)
        assert result.returncode != 0, f"the macro test passed with {mutation} on {target}"
        assert wh.run_results()[TEST_NAME]["status"] in {"fail", "error"}
