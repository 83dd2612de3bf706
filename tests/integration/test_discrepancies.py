"""Two providers for the same facts (methodology §1: which provider feeds which fact, with a
precedence).

The DEFAULT simulated network is served twice over HTTP: provider A (`solana_rpc`, `jito_kobe`)
tells the truth; provider B (`solana_rpc_b`, `jito_kobe_b`) is a simulator with injected
disagreements (`Disagreements(seed, count)`: block fee rewards, inflation rewards, Kobe MEV) listed
by `disagreement_log()`. A test config dir (AURORA_CONFIG_DIR) maps every Solana fact to both.
Both are ingested. Then:
- `provider_discrepancies` lists exactly the injected disagreements, row for row;
- with A preferred, the canonical layer and the P&L are the truth;
- switching precedence in the config alone (registry reload + incremental `dbt build`) switches the
  canonical rows to B's values, exactly where B disagrees, and nowhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
SELECT = [
    "--select",
    "registry",
    "staging",
    "+canonical",
    "+path:dbt_project/marts/validators",
    "+audit",
    "validators",
    "prices",
    "validator_costs",
    "--indirect-selection",
    "cautious",
]
RPC_FACTS = [
    "epoch_schedule",
    "vote_accounts",
    "leader_schedule",
    "blocks",
    "block_rewards",
    "block_times",
    "inflation_rewards",
    "stake_accounts",
    "vote_signatures",
]
LIMITS = {"rate_limit_per_second": 5000, "max_concurrency": 6, "timeout_seconds": 10}


def write_config(folder: Path, server_a: Any, server_b: Any, b_first: bool) -> Path:
    """chains.yaml + providers.yaml with both providers for every Solana fact."""
    folder.mkdir(parents=True, exist_ok=True)
    chains = yaml.safe_load((REPO_ROOT / "config" / "chains.yaml").read_text())
    rpc = ["solana_rpc_b", "solana_rpc"] if b_first else ["solana_rpc", "solana_rpc_b"]
    kobe = ["jito_kobe_b", "jito_kobe"] if b_first else ["jito_kobe", "jito_kobe_b"]
    chains["chains"]["solana"]["facts"] = {**{f: rpc for f in RPC_FACTS}, "mev": kobe}
    providers = yaml.safe_load((REPO_ROOT / "config" / "providers.yaml").read_text())
    base = providers["providers"]
    base["solana_rpc"] = {**base["solana_rpc"], "url": server_a.rpc_url, **LIMITS}
    base["jito_kobe"] = {**base["jito_kobe"], "url": server_a.kobe_url, **LIMITS}
    base["solana_rpc_b"] = {**base["solana_rpc"], "url": server_b.rpc_url}
    base["jito_kobe_b"] = {**base["jito_kobe"], "url": server_b.kobe_url}
    (folder / "chains.yaml").write_text(yaml.safe_dump(chains, sort_keys=False))
    (folder / "providers.yaml").write_text(yaml.safe_dump(providers, sort_keys=False))
    return folder


def expected_discrepancies(log: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The rows provider_discrepancies must hold for the injected disagreements."""
    rows = []
    for d in log:
        key, true, served = d["key"], str(d["true_value"]), str(d["served_value"])
        if d["method"] == "getBlock":
            record = f"slot={key['slot']}|recipient_pubkey={key['pubkey']}|reward_type=fee"
            rows.append(
                (
                    "block_rewards",
                    record,
                    "reward_lamports",
                    "solana_rpc",
                    true,
                    "solana_rpc_b",
                    served,
                )
            )
        elif d["method"] == "getInflationReward":
            record = f"epoch={key['epoch']}|address={key['address']}"
            rows.append(
                (
                    "inflation_rewards",
                    record,
                    "reward_lamports",
                    "solana_rpc",
                    true,
                    "solana_rpc_b",
                    served,
                )
            )
        else:
            record = f"epoch={key['epoch']}|vote_account={key['vote_account']}"
            rows.append(
                ("mev", record, "mev_rewards_lamports", "jito_kobe", true, "jito_kobe_b", served)
            )
    return sorted(rows)


def canonical_state(wh: Any) -> dict[str, dict[tuple[str, ...], tuple[str, ...]]]:
    """The canonical values the disagreements can move, keyed for lookup, as text."""
    return {
        "fees": {
            (r[0], r[1]): (r[2], r[3])
            for r in wh.query(
                "select validator_id, period_id, cast(block_fees_native as varchar), provider "
                "from canonical.canonical_validator_fees"
            )
        },
        "meta": {
            (r[0], r[1]): (r[2], r[3])
            for r in wh.query(
                "select validator_id, period_id, cast(inflation_commission_native as varchar), "
                "inflation_provider from canonical.canonical_validator_meta"
            )
        },
        "stake": {
            (r[0], r[1]): (r[2], r[3])
            for r in wh.query(
                "select stake_account, period_id, cast(reward_native as varchar), reward_provider "
                "from canonical.canonical_stake_rewards"
            )
        },
        "mev": {
            (r[0], r[1]): (r[2], r[3], r[4])
            for r in wh.query(
                "select validator_id, period_id, cast(mev_rewards_native as varchar), "
                "cast(mev_commission_native as varchar), provider "
                "from canonical.canonical_validator_mev"
            )
        },
    }


def discrepancy_rows(wh: Any) -> list[tuple[str, ...]]:
    return sorted(
        wh.query(
            "select fact, record_key, field, provider_a, value_a, provider_b, value_b "
            "from audit.provider_discrepancies"
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_second_provider_disagreements_and_precedence_switch(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support import warehouse

    from ingest.config import load_config
    from ingest.registry import load_registry
    from ingest.simulator import truth
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import Disagreements, SimulatorServer
    from ingest.solana.pipeline import ingest_solana

    network = build_network(Scenario())
    pipelines = tmp_path / "pipelines"
    with (
        warehouse(target, tmp_path) as wh,
        SimulatorServer(network) as server_a,
        SimulatorServer(network, disagreements=Disagreements(seed=5, count=9)) as server_b,
    ):
        for key, value in wh.env.items():
            if key.startswith("AURORA_"):
                monkeypatch.setenv(key, value)
        log = server_b.disagreement_log()
        assert {d["method"] for d in log} == {
            "getBlock",
            "getInflationReward",
            "kobe:/api/v1/validators",
        }
        a_first = write_config(tmp_path / "config_a", server_a, server_b, b_first=False)
        b_first = write_config(tmp_path / "config_b", server_a, server_b, b_first=True)

        # ingest from A (first for each fact), then the same epochs from B
        monkeypatch.setenv("AURORA_CONFIG_DIR", str(a_first))
        config_a = load_config()
        assert config_a.providers_for("solana", "block_rewards") == ["solana_rpc", "solana_rpc_b"]
        ingest_solana(target, None, config_a, seeds_dir=SEEDS_DIR, pipelines_dir=pipelines)  # type: ignore[arg-type]
        monkeypatch.setenv("AURORA_CONFIG_DIR", str(b_first))
        config_b = load_config()
        result_b = ingest_solana(
            target,  # type: ignore[arg-type]
            list(network.closed_epochs),
            config_b,
            seeds_dir=SEEDS_DIR,
            pipelines_dir=pipelines,
        )
        assert result_b.epochs_loaded == tuple(network.closed_epochs)

        # A preferred: discrepancies are exactly the injected ones; canonical and P&L are the truth
        load_registry(target, config_a, pipelines_dir=pipelines)  # type: ignore[arg-type]
        wh.dbt("build", *SELECT)
        want = expected_discrepancies(log)
        assert discrepancy_rows(wh) == want
        preferred = {
            r[0]
            for r in wh.query(
                "select distinct preferred_provider from audit.provider_discrepancies"
            )
        }
        assert preferred == {"solana_rpc", "jito_kobe"}
        pnl_want = sorted(
            tuple(None if r[c] is None else str(r[c]) for c in truth.PNL_COLUMNS)
            for r in truth.pnl(network, SEEDS_DIR / "validator_costs.csv", SEEDS_DIR / "prices.csv")
        )
        select = ", ".join(f"cast({c} as varchar)" for c in truth.PNL_COLUMNS)
        assert sorted(wh.query(f"select {select} from marts.validator_pnl")) == pnl_want
        before = canonical_state(wh)

        # B preferred, in the config alone: the next incremental build switches the rows
        load_registry(target, config_b, pipelines_dir=pipelines)  # type: ignore[arg-type]
        wh.dbt("build", *SELECT)
        after = canonical_state(wh)
        assert discrepancy_rows(wh) == want
        preferred = {
            r[0]
            for r in wh.query(
                "select distinct preferred_provider from audit.provider_discrepancies"
            )
        }
        assert preferred == {"solana_rpc_b", "jito_kobe_b"}

        expected = {name: {k: list(v) for k, v in rows.items()} for name, rows in before.items()}
        for rows in expected["fees"].values():
            rows[1] = "solana_rpc_b" if rows[1] is not None else None
        for rows in expected["meta"].values():
            rows[1] = "solana_rpc_b" if rows[1] is not None else None
        for rows in expected["stake"].values():
            rows[1] = "solana_rpc_b" if rows[1] is not None else None
        for rows in expected["mev"].values():
            rows[2] = "jito_kobe_b" if rows[2] is not None else None
        vote_accounts = {v.vote_pubkey: v for v in network.validators}
        for d in log:
            key, delta = d["key"], d["served_value"] - d["true_value"]
            if d["method"] == "getBlock":
                slot = key["slot"]
                epoch = network.schedule.epoch_of(slot)
                validator = network.slot_leader(slot).vote_pubkey
                fees = expected["fees"][(validator, str(epoch))]
                fees[0] = str(int(fees[0]) + delta)
            elif d["method"] == "getInflationReward":
                address, period = key["address"], str(key["epoch"])
                if address in vote_accounts:
                    expected["meta"][(address, period)][0] = str(d["served_value"])
                else:
                    expected["stake"][(address, period)][0] = str(d["served_value"])
            else:
                validator, period = key["vote_account"], str(key["epoch"])
                mev = expected["mev"][(validator, period)]
                bps = network.mev(vote_accounts[validator].index, key["epoch"]).mev_commission_bps
                mev[0] = str(d["served_value"])
                mev[1] = str(d["served_value"] * bps // 10_000)
        assert {n: {k: list(v) for k, v in rows.items()} for n, rows in after.items()} == expected

        # and the incremental switch equals a full rebuild under the new precedence
        wh.dbt("build", "--full-refresh", *SELECT)
        assert canonical_state(wh) == after
