"""config/chains.yaml and config/providers.yaml: validation, errors that name the file and key,
environment overrides, and the registry rows that reach the warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.config import CONFIG_DIR, load_config, registry_rows
from ingest.errors import ConfigError


@pytest.fixture()
def config_dir(tmp_path: Path) -> Path:
    for name in ("chains.yaml", "providers.yaml"):
        shutil.copyfile(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def test_shipped_config_loads() -> None:
    config = load_config(env={})
    assert config.chains["solana"].decimals == 9
    assert config.chains["ethereum"].decimals == 18
    assert config.providers_for("solana", "mev") == ["jito_kobe"]
    assert config.provider("solana_rpc").url.startswith("https://")


def test_env_overrides_provider_fields(config_dir: Path) -> None:
    env = {
        "AURORA_PROVIDER_SOLANA_RPC_URL": "http://127.0.0.1:9999/rpc",
        "AURORA_PROVIDER_SOLANA_RPC_MAX_CONCURRENCY": "16",
        "AURORA_SOLANA_START_EPOCH": "12",
    }
    config = load_config(config_dir, env=env)
    assert config.provider("solana_rpc").url == "http://127.0.0.1:9999/rpc"
    assert config.provider("solana_rpc").max_concurrency == 16
    assert config.chains["solana"].start_epoch == 12


def test_bad_value_names_file_key_and_expectation(config_dir: Path) -> None:
    path = config_dir / "chains.yaml"
    path.write_text(path.read_text().replace("decimals: 9", "decimals: nine"))
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, env={})
    message = str(err.value)
    assert "chains.yaml" in message
    assert "chains.solana.decimals" in message
    assert "integer" in message


def test_bad_env_override_is_named(config_dir: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, env={"AURORA_PROVIDER_SOLANA_RPC_URL": "ftp://nowhere"})
    assert "providers.yaml" in str(err.value)
    assert "providers.solana_rpc.url" in str(err.value)


def test_unknown_key_is_rejected(config_dir: Path) -> None:
    path = config_dir / "providers.yaml"
    path.write_text(path.read_text().replace("max_retries: 6", "max_retrys: 6", 1))
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, env={})
    assert "max_retrys" in str(err.value)


def test_fact_with_unknown_provider(config_dir: Path) -> None:
    path = config_dir / "chains.yaml"
    path.write_text(path.read_text().replace("mev: [jito_kobe]", "mev: [jito_kobe, nobody]"))
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, env={})
    assert "chains.solana.facts.mev" in str(err.value)
    assert "nobody" in str(err.value)


def test_invalid_yaml_and_missing_file(config_dir: Path) -> None:
    (config_dir / "providers.yaml").write_text("providers: [unclosed")
    with pytest.raises(ConfigError, match=r"providers\.yaml: not valid YAML"):
        load_config(config_dir, env={})
    (config_dir / "providers.yaml").unlink()
    with pytest.raises(ConfigError, match="file not found"):
        load_config(config_dir, env={})


def test_api_key_comes_from_env_and_stays_out_of_the_registry(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AURORA_SOLANA_RPC_API_KEY", "sekret-key")
    config = load_config(config_dir)
    assert config.provider("solana_rpc").api_key() == "sekret-key"
    rows = registry_rows(config)
    assert "sekret-key" not in repr(rows)
    precedences = {
        (r["fact"], r["provider"]): r["precedence"] for r in rows["chain_provider_mappings"]
    }
    assert precedences[("mev", "jito_kobe")] == 1
