"""chains.yaml's Ethereum ``start_day`` and its environment override."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.config import load_config
from ingest.errors import ConfigError


def test_start_day_from_chains_yaml() -> None:
    config = load_config(env={})
    assert config.chains["ethereum"].start_day == date(2026, 3, 1)
    assert config.chains["ethereum"].period_kind == "utc_day"
    assert config.chains["solana"].start_day is None


def test_start_day_override() -> None:
    config = load_config(env={"AURORA_ETHEREUM_START_DAY": "2026-03-03"})
    assert config.chains["ethereum"].start_day == date(2026, 3, 3)


def test_bad_start_day_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="AURORA_ETHEREUM_START_DAY: expected a date"):
        load_config(env={"AURORA_ETHEREUM_START_DAY": "03/03/2026"})
