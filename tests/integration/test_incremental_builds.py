"""Incremental builds (methodology §7): the canonical layer restates exactly the epochs that loads
since the previous build touched, and an incremental build gives the same tables as a full refresh.

The story, on the DEFAULT simulated network served over HTTP, on DuckDB and on PostgreSQL:
1. the chain's tip is in epoch 12: epochs 0..11 are ingested, Jito Kobe has not published MEV for
   the last two (10, 11) yet; `dbt build`;
2. the tip moves to the end: epochs 12..23 are ingested, Kobe now publishes 10 and 11 (ingestion
   re-ingests their Kobe data alone) but not 22 and 23; `dbt build` (incremental);
3. Kobe publishes 22 and 23 late: a Kobe-only re-ingest of two old epochs; `dbt build` restates
   exactly those two epochs;
then P&L equals the simulator's truth, and `dbt build --full-refresh` gives identical tables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"

# What a P&L build needs, without the partner-commission marts (their own tests build them).
SELECT = [
    "--select",
    "registry",
    "staging",
    "+canonical",
    "+path:dbt_project/marts/validators",
    "validators",
    "prices",
    "validator_costs",
    "--indirect-selection",
    "cautious",
]
CANONICAL = [
    "canonical.canonical_periods",
    "canonical.canonical_validator_identities",
    "canonical.canonical_validator_meta",
    "canonical.canonical_stake_rewards",
    "canonical.canonical_validator_fees",
    "canonical.canonical_validator_mev",
]
RELATIONS = [*CANONICAL, "marts.validator_pnl", "marts.dim_periods", "marts.dim_validators"]


def sim_config(server: Any) -> Any:
    from ingest.config import load_config

    env = dict(os.environ)
    env["AURORA_PROVIDER_SOLANA_RPC_URL"] = server.rpc_url
    env["AURORA_PROVIDER_JITO_KOBE_URL"] = server.kobe_url
    for provider in ("SOLANA_RPC", "JITO_KOBE"):
        env[f"AURORA_PROVIDER_{provider}_RATE_LIMIT_PER_SECOND"] = "5000"
        env[f"AURORA_PROVIDER_{provider}_MAX_CONCURRENCY"] = "6"
    return load_config(env=env)


def tip_in_epoch(network: Any, epoch: int) -> int:
    """A tip slot in ``epoch`` after the rewards of ``epoch - 1`` were paid: 0..epoch-1 closed."""
    first = network.schedule.first_slot(epoch)
    return max(first + network.slots_per_epoch // 2, network.rewards_complete_slot(epoch - 1))


def snapshot(wh: Any, relation: str) -> list[tuple[Any, ...]]:
    """Every row of a relation, every column as text (lineage included), sorted."""
    schema, table = relation.split(".")
    columns = sorted(
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}'"
        )
    )
    select = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
    return sorted(wh.query(f"select {select} from {relation}"))


def rows_affected(wh: Any, model: str) -> int | None:
    response = wh.run_results()[model].get("adapter_response", {})
    value = response.get("rows_affected")
    return None if value is None or value < 0 else int(value)


def mev_by_epoch(wh: Any) -> dict[tuple[str, int], tuple[str, str, str]]:
    return {
        (r[0], int(r[1])): (r[2], r[3], r[4])
        for r in wh.query(
            "select validator_id, epoch, cast(mev_rewards_native as varchar), "
            "cast(mev_commission_native as varchar), _dlt_load_id "
            "from canonical.canonical_validator_mev"
        )
    }


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_late_kobe_data_restates_exactly_its_epochs_and_matches_full_refresh(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support import warehouse

    from ingest.registry import load_registry
    from ingest.simulator import truth
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer
    from ingest.solana.pipeline import ingest_solana

    network = build_network(Scenario())
    ops = network.operator_validators
    with (
        warehouse(target, tmp_path) as wh,
        SimulatorServer(network, kobe_withhold_epochs=2) as server,
    ):
        for key, value in wh.env.items():
            if key.startswith("AURORA_"):
                monkeypatch.setenv(key, value)
        config = sim_config(server)
        pipelines = tmp_path / "pipelines"

        def ingest() -> Any:
            return ingest_solana(
                target,  # type: ignore[arg-type]
                None,
                config,
                seeds_dir=SEEDS_DIR,
                pipelines_dir=pipelines,
            )

        load_registry(target, config, pipelines_dir=pipelines)  # type: ignore[arg-type]

        # 1. tip in epoch 12: 0..11 closed; Kobe withholds 10 and 11
        server.set_tip_slot(tip_in_epoch(network, 12))
        first = ingest()
        assert first.epochs_loaded == tuple(range(12))
        wh.dbt("build", *SELECT)
        mev = mev_by_epoch(wh)
        assert {e for (_, e) in mev} == set(range(12))
        assert all(mev[(v.vote_pubkey, e)][0] == "0" for v in ops for e in (10, 11))

        # 2. tip at the end: 12..23 new; Kobe publishes 10 and 11 now, withholds 22 and 23
        server.set_tip_slot(network.default_tip_slot)
        second = ingest()
        assert second.epochs_loaded == tuple(range(12, 24))
        assert second.mev_reingested == (10, 11)
        wh.dbt("build", *SELECT)
        mev = mev_by_epoch(wh)
        for v in ops:
            for e in (10, 11):
                assert mev[(v.vote_pubkey, e)][0] == str(
                    network.mev(v.index, e).mev_rewards
                    if network.mev(v.index, e).running_jito
                    else 0
                )
            for e in (22, 23):
                assert mev[(v.vote_pubkey, e)][0] == "0"
        before_late = {r: snapshot(wh, r) for r in CANONICAL}

        # 3. Kobe publishes 22 and 23 late: a Kobe-only re-ingest of two old epochs
        server.publish_kobe()
        third = ingest()
        assert third.epochs_loaded == ()
        assert third.mev_reingested == (22, 23)
        wh.dbt("build", *SELECT)
        after_late = {r: snapshot(wh, r) for r in CANONICAL}

        # exactly the two epochs were restated: the rows of every other epoch are untouched
        mev_after = mev_by_epoch(wh)
        changed = {key for key, value in mev_after.items() if mev[key] != value}
        assert {e for (_, e) in changed} == {22, 23}
        for relation in (
            "canonical.canonical_periods",
            "canonical.canonical_validator_identities",
            "canonical.canonical_stake_rewards",
            "canonical.canonical_validator_fees",
        ):
            assert after_late[relation] == before_late[relation], relation
        # the delete of delete+insert goes by the distinct restated keys (macros/delete_insert.sql),
        # never a join of the old rows to every new row
        run_sql = (
            wh.target_path
            / "run"
            / "aurora"
            / "dbt_project"
            / "canonical"
            / "canonical_validator_mev.sql"
        ).read_text()
        delete = run_sql[run_sql.index("delete from") : run_sql.index("insert into")]
        assert "select distinct" in delete and "dbt_internal_keys" in delete, delete
        if target == "postgres":  # dbt-postgres reports the rows each incremental insert wrote
            # a Kobe-only re-ingest touches no stake-account or inflation-reward epoch
            assert rows_affected(wh, "int_solana__stake_rewards") == 0
            assert rows_affected(wh, "canonical_validator_mev") == 2 * len(ops)
            assert rows_affected(wh, "canonical_validator_meta") == 2 * len(ops)
            assert rows_affected(wh, "canonical_stake_rewards") == 0
            assert rows_affected(wh, "canonical_validator_fees") == 0
            assert rows_affected(wh, "canonical_periods") == 0

        # the P&L is now the truth, to the lamport and the micro-dollar
        expected = truth.pnl(network, SEEDS_DIR / "validator_costs.csv", SEEDS_DIR / "prices.csv")
        cols = truth.PNL_COLUMNS
        want = sorted(tuple(None if r[c] is None else str(r[c]) for c in cols) for r in expected)
        select = ", ".join(f"cast({c} as varchar)" for c in cols)
        assert sorted(wh.query(f"select {select} from marts.validator_pnl")) == want

        # an incremental build and a full refresh give identical tables
        incremental = {r: snapshot(wh, r) for r in RELATIONS}
        wh.dbt("build", "--full-refresh", *SELECT)
        full = {r: snapshot(wh, r) for r in RELATIONS}
        for relation in RELATIONS:
            assert incremental[relation] == full[relation], relation

        # and a build with nothing new changes nothing
        wh.dbt("build", *SELECT)
        assert {r: snapshot(wh, r) for r in RELATIONS} == full
