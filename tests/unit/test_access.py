"""ingest.access without a server: role names, each step's credentials, the CLI's refusals."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.access import (
    GROUP_KINDS,
    AccessError,
    _partner_rows,
    group_role,
    login_role,
    read_password,
    role_prefix,
)
from ingest.cli import main
from ingest.env import PostgresSettings

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_group_roles_default_to_no_prefix() -> None:
    assert [group_role(kind, {}) for kind in GROUP_KINDS] == [
        "aurora_admin",
        "aurora_loader",
        "aurora_transformer",
        "aurora_finance",
        "aurora_bi",
        "aurora_partner",
    ]


def test_the_prefix_names_every_role() -> None:
    env = {"AURORA_ROLE_PREFIX": "t42_"}
    assert group_role("partner", env) == "t42_aurora_partner"
    assert login_role("northwind_exchange", env) == "t42_northwind_exchange"


@pytest.mark.parametrize("prefix", ["Upper_", "has space", "x;drop", "a" * 25])
def test_a_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(AccessError, match="AURORA_ROLE_PREFIX"):
        role_prefix({"AURORA_ROLE_PREFIX": prefix})


@pytest.mark.parametrize("name", ["", "Bob", "1abc", "a-b", 'x"y', "a" * 64])
def test_a_bad_login_name_is_refused(name: str) -> None:
    with pytest.raises(AccessError, match="login name"):
        login_role(name, {})


def test_unknown_group_is_refused() -> None:
    with pytest.raises(AccessError, match="unknown role"):
        group_role("superuser", {})


def test_each_step_has_its_login_with_a_fallback() -> None:
    env = {
        "AURORA_PG_USER": "dev",
        "AURORA_PG_PASSWORD": "dev-pw",
        "AURORA_LOADER_PG_USER": "loader_login",
        "AURORA_LOADER_PG_PASSWORD": "loader-pw",
    }
    loader = PostgresSettings.from_env(env, step="loader")
    assert (loader.user, loader.password) == ("loader_login", "loader-pw")
    finance = PostgresSettings.from_env(env, step="finance")
    assert (finance.user, finance.password) == ("dev", "dev-pw")
    assert PostgresSettings.from_env(env).user == "dev"


def test_the_profile_runs_dbt_as_the_transformer() -> None:
    text = (REPO_ROOT / "profiles.example.yml").read_text()
    assert "env_var('AURORA_TRANSFORMER_PG_USER', env_var('AURORA_PG_USER', 'aurora'))" in text
    assert (
        "env_var('AURORA_TRANSFORMER_PG_PASSWORD', env_var('AURORA_PG_PASSWORD', 'aurora'))" in text
    )


def test_access_is_postgres_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["access", "apply", "--target", "duckdb"]) == 2
    assert "access control is for PostgreSQL" in capsys.readouterr().err


def test_no_password_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(AccessError, match="set AURORA_LOGIN_PASSWORD"):
        read_password("AURORA_LOGIN_PASSWORD", {})
    assert read_password("AURORA_LOGIN_PASSWORD", {"AURORA_LOGIN_PASSWORD": "s3"}) == "s3"


def test_a_partner_login_is_told_the_seed_row_it_needs(tmp_path: Path) -> None:
    (tmp_path / "partners.csv").write_text("partner_id,partner_name\nacme,Acme\n")
    (tmp_path / "partner_access.csv").write_text("partner_id,db_role\nacme,acme_reader\n")
    assert _partner_rows("acme_reader", ["acme"], tmp_path) == [
        "seeds/partner_access.csv maps acme to acme_reader"
    ]
    lines = _partner_rows("acme_books", ["acme", "nobody"], tmp_path)
    assert "warning: 'nobody' is not a partner_id of seeds/partners.csv" in lines
    assert lines[-2:] == ["  acme,acme_books", "  nobody,acme_books"]


def test_the_shipped_partner_access_rows_name_sample_partners_and_valid_roles() -> None:
    with (REPO_ROOT / "seeds" / "partners.csv").open() as handle:
        partners = {row["partner_id"] for row in csv.DictReader(handle)}
    with (REPO_ROOT / "seeds" / "partner_access.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["partner_id"] in partners
        assert login_role(row["db_role"], {}) == row["db_role"]
