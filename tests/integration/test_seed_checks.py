"""What finance edits is checked, and a failure names the file and the line.

In a copy of the project (tests/support.py ``project_copy``), seed files are broken the ways a
careless edit breaks them; `aurora build` of the seeds (and the registry they reference) must fail
naming each problem with its file and CSV line, and dbt's own detail line must reach the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import base_env, project_copy, run_aurora_in

SEEDS_AND_REGISTRY = ["--select", "resource_type:seed", "--select", "registry"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_copy(tmp_path / "project")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = base_env()
    env.update(
        {
            "AURORA_TARGET": "duckdb",
            "AURORA_DUCKDB_PATH": str(tmp_path / "seeds.duckdb"),
            "AURORA_DLT_PIPELINES_DIR": str(tmp_path / "pipelines"),
            "DBT_INDIRECT_SELECTION": "cautious",  # only the tests of the selected nodes
        }
    )
    return env


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` once in line ``line`` (1-based) of a CSV file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], (path, line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def header_only(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")


def test_a_fraction_in_a_money_column_is_refused_before_dbt(
    project: Path, env: dict[str, str]
) -> None:
    prices = project / "seeds" / "prices.csv"
    value = prices.read_text().split("\n")[2].rsplit(",", 1)[1]
    edit_line(prices, 3, value, "185100708.5")
    result = run_aurora_in(project, ["build"], env)
    assert result.returncode == 2, result.stderr[-3000:]
    assert (
        "seeds/prices.csv:3: price_micro_usd: '185100708.5' is not a whole number" in result.stderr
    )
    assert "dbt build (" not in result.stdout and "Traceback" not in result.stderr


def test_a_zero_byte_seed_is_named(project: Path, env: dict[str, str]) -> None:
    (project / "seeds" / "partners.csv").write_bytes(b"")
    result = run_aurora_in(project, ["build"], env)
    assert result.returncode == 2
    assert "seeds/partners.csv: the file is empty (0 bytes)" in result.stderr
    assert "StopIteration" not in result.stderr and "Traceback" not in result.stderr


def test_failing_seed_tests_name_file_and_line(project: Path, env: dict[str, str]) -> None:
    seeds = project / "seeds"
    edit_line(seeds / "partners.csv", 2, "cobalt-custody,", "lumen-wallet,")  # a duplicate id
    edit_line(seeds / "agreement_rules.csv", 3, ",2000,", ",12000,")  # a rate above 100%
    header_only(seeds / "partner_attributions.csv")  # would remove every statement
    result = run_aurora_in(project, ["build", *SEEDS_AND_REGISTRY], env)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-3000:]
    err = result.stderr
    assert "FAIL test unique_partners_partner_id (seeds/_agreements__seeds.yml)" in err
    assert "seeds/partners.csv:2,4: partner_id=lumen-wallet (n_records=2)" in err
    assert "FAIL test accepted_range_agreement_rules_rate_bps__10000__0" in err
    assert "seeds/agreement_rules.csv:3: rule_id=cobalt-v1-inflation tier_index=2" in err
    assert "FAIL test assert_seed_files_not_empty" in err
    assert "seed_file=seeds/partner_attributions.csv" in err
    assert "Got 1 result, configured to fail if != 0" in err  # dbt's own line

    # an empty file is allowed when the build says so
    edit_line(seeds / "partners.csv", 2, "lumen-wallet,", "cobalt-custody,")
    edit_line(seeds / "agreement_rules.csv", 3, ",12000,", ",2000,")
    allowed = run_aurora_in(
        project,
        ["build", *SEEDS_AND_REGISTRY, "--allow-empty-seed", "partner_attributions"],
        env,
    )
    assert allowed.returncode == 0, allowed.stdout[-2000:] + allowed.stderr[-3000:]


def test_a_seed_that_does_not_load_shows_dbts_reason(project: Path, env: dict[str, str]) -> None:
    edit_line(project / "seeds" / "validator_costs.csv", 3, "2026-02-15", "2026-02-30")
    result = run_aurora_in(project, ["build", "--select", "validator_costs"], env)
    assert result.returncode == 2
    err = result.stderr
    assert "ERROR seed validator_costs (seeds/validator_costs.csv)" in err
    assert 'Could not convert string "2026-02-30"' in err  # dbt's detail line reaches the user
