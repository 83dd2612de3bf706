"""The build fingerprint and the no-op build: a seed edit, a model edit or a new load makes the
warehouse stale; an unchanged one is not built again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ingest import build_status, orchestrate
from ingest.env import REPO_ROOT


@pytest.fixture
def fake_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with dbt_project.yml, seeds, a model and config, as REPO_ROOT."""
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "models").mkdir()
    (root / "config").mkdir()
    (root / "dbt_project.yml").write_text("name: t\nseed-paths: [seeds]\nmodel-paths: [models]\n")
    (root / "seeds" / "prices.csv").write_text("price_date,price_micro_usd\n2026-01-01,1\n")
    (root / "models" / "m.sql").write_text("select 1 as x\n")
    for name in ("chains.yaml", "providers.yaml"):
        shutil.copyfile(REPO_ROOT / "config" / name, root / "config" / name)
    monkeypatch.setattr(build_status, "REPO_ROOT", root)
    monkeypatch.setenv("AURORA_CONFIG_DIR", str(root / "config"))
    return root


def _succeeded() -> None:
    fingerprint = build_status.current_fingerprint("duckdb")
    build_id = build_status.record_start("duckdb", fingerprint, command="aurora build")
    build_status.record_end("duckdb", build_id, "succeeded", "PASS=1")


@pytest.mark.parametrize(
    ("edit", "part"),
    [
        (
            lambda root: (root / "seeds" / "prices.csv").write_text("price_date,price_micro_usd\n"),
            "the seeds",
        ),
        (lambda root: (root / "models" / "m.sql").write_text("select 2 as x\n"), "the dbt project"),
        (
            lambda root: (root / "config" / "chains.yaml").write_text("chains: {}\n"),
            "the configuration",
        ),
    ],
)
def test_an_edit_makes_the_warehouse_stale(
    fake_project: Path, duckdb_target_env: dict[str, str], edit: Any, part: str
) -> None:
    _succeeded()
    assert build_status.freshness("duckdb").is_current
    edit(fake_project)
    state = build_status.freshness("duckdb")
    assert state.state == "stale" and f"stale: {part} changed since the last build" in state.message
    with pytest.raises(build_status.StaleWarehouse, match="refusing to export statements"):
        build_status.require_current("duckdb", "export statements")


def test_an_unchanged_warehouse_is_not_built_again(
    duckdb_target_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_build_step(target: str, console: Any, **kwargs: Any) -> str:
        calls.append(kwargs)
        return "PASS=1"

    printed: list[str] = []

    class Console:
        def print(self, text: str) -> None:
            printed.append(text)

    monkeypatch.setattr(orchestrate, "build_step", fake_build_step)
    orchestrate.build("duckdb", Console())  # nothing recorded yet: builds
    assert len(calls) == 1
    _succeeded()  # what build_step records after dbt succeeds
    orchestrate.build("duckdb", Console())  # the registry is unchanged: no new load, no build
    assert len(calls) == 1
    fingerprint = build_status.current_fingerprint("duckdb")
    assert printed[-1].startswith(f"warehouse up to date (fingerprint {fingerprint.short})")
    orchestrate.build("duckdb", Console(), force=True)
    orchestrate.build("duckdb", Console(), full_refresh=True)
    assert len(calls) == 3 and calls[-1]["full_refresh"] is True


def test_a_rerun_with_nothing_new_skips_dbt(
    duckdb_target_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aurora demo` / `aurora run` (run_all): dbt runs when the warehouse is not current, and is
    skipped on a rerun that loaded nothing new; the results print either way."""
    from contextlib import nullcontext

    calls: list[str] = []
    printed: list[str] = []

    class Console:
        def print(self, text: str) -> None:
            printed.append(text)

    def fake_build_step(target: str, console: Any, **kwargs: Any) -> str:
        calls.append("build")
        return "PASS=1"

    monkeypatch.setattr(orchestrate, "build_step", fake_build_step)
    monkeypatch.setattr(orchestrate, "load_registry_step", lambda target, config: None)
    monkeypatch.setattr(orchestrate, "print_step", lambda target, console: calls.append("print"))
    orchestrate.run_all("duckdb", Console(), nullcontext(object()), chains=[])  # type: ignore[arg-type]
    assert calls == ["build", "print"]
    _succeeded()  # what build_step records after dbt succeeds
    orchestrate.run_all("duckdb", Console(), nullcontext(object()), chains=[])  # type: ignore[arg-type]
    assert calls == ["build", "print", "print"]
    fingerprint = build_status.current_fingerprint("duckdb")
    assert any(
        line.startswith(f"warehouse up to date (fingerprint {fingerprint.short})")
        for line in printed
    )


def test_tests_are_scoped_only_when_nothing_but_new_loads_came(
    fake_project: Path, duckdb_target_env: dict[str, str]
) -> None:
    """`aurora build` passes `aurora_tests_since` (macros/test_scope.sql) only after a complete
    successful build with the same seeds, configuration and models; else every row is checked."""
    import duckdb

    from ingest.core.warehouse import duckdb_path

    assert orchestrate.tests_since("duckdb") is None  # no build recorded
    _succeeded()
    assert orchestrate.tests_since("duckdb") is None  # current: nothing to build
    con = duckdb.connect(str(duckdb_path()))
    con.execute(
        "create schema raw_test; create table raw_test._dlt_loads (load_id text, status int)"
    )
    con.execute("insert into raw_test._dlt_loads values ('1', 0)")
    con.close()
    last = build_status.builds("duckdb")[-1]
    assert orchestrate.tests_since("duckdb") == last.started_at.isoformat(sep=" ")
    (fake_project / "models" / "m.sql").write_text("select 2 as x\n")  # and a model edit
    assert orchestrate.tests_since("duckdb") is None
