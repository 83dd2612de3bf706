"""A hostile provider: malformed answers fail the request by name, legitimate empty answers do not.

The simulator serves a small network behind tests/hostile_proxy.py, which rewrites chosen answers.
For each malformed answer: ingestion fails with an error naming the provider, the method, the
params and the field; nothing is marked complete; and a re-ingest once the provider answers well
equals a clean ingest to the byte. For each legitimate empty or null answer the API can give, the
ingest succeeds with the correct (zero) figure. On the CLI, no answer ends in a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_sim_config, query_warehouse
from hostile_proxy import FAULTS, HostileProxy, Rewrite
from support import base_env, run_aurora

from ingest.core.http import RetryPolicy
from ingest.errors import AuroraError
from ingest.simulator import truth
from ingest.simulator.network import Network, Scenario, build_network
from ingest.simulator.server import SimulatorServer
from ingest.solana.pipeline import ingest_solana
from ingest.solana.schema import TABLES

FAST_RETRY = RetryPolicy(base_delay=0.001, max_delay=0.002)
VOLATILE = {"_dlt_load_id", "ingestion_run_id", "started_at", "finished_at"}


@pytest.fixture(scope="module")
def network() -> Network:
    return build_network(Scenario(n_epochs=3, stake_accounts_per_validator=3, slots_per_epoch=32))


@pytest.fixture(scope="module")
def simulator(network: Network) -> Iterator[SimulatorServer]:
    with SimulatorServer(network) as server:
        yield server


@pytest.fixture(scope="module")
def seeds(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeds")
    truth.write_seed_files(network, path)
    return path


def _ingest(server: Any, seeds: Path, pipelines: Path, epochs: list[int] | None = None) -> Any:
    config = make_sim_config(server, MAX_RETRIES="1")
    return ingest_solana(
        "duckdb", epochs, config, seeds_dir=seeds, pipelines_dir=pipelines, retry=FAST_RETRY
    )


def _dump(path: Path) -> dict[str, list[tuple[str, ...]]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for name, spec in TABLES.items():
            columns = [c for c, _ in spec.columns if c not in VOLATILE]
            rows = con.execute(f"select {', '.join(columns)} from raw_solana.{name}").fetchall()
            out[name] = sorted(tuple("" if v is None else str(v) for v in r) for r in rows)
        return out
    finally:
        con.close()


def _complete_epochs(path: Path) -> list[int]:
    import duckdb

    if not path.exists():
        return []
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "ingestion_runs" not in tables:
            return []
        return [
            int(r[0])
            for r in con.execute(
                "select distinct epoch from raw_solana.ingestion_runs where status = 'complete'"
            ).fetchall()
        ]
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean(
    simulator: SimulatorServer, seeds: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[str, ...]]]:
    """What a clean ingest of the network loads (ground truth is checked in test_ingest_solana)."""
    folder = tmp_path_factory.mktemp("clean")
    path = folder / "clean.duckdb"
    previous = os.environ.get("AURORA_DUCKDB_PATH")
    os.environ["AURORA_DUCKDB_PATH"] = str(path)
    try:
        _ingest(simulator, seeds, folder / "pipelines")
    finally:
        if previous is None:
            os.environ.pop("AURORA_DUCKDB_PATH", None)
        else:
            os.environ["AURORA_DUCKDB_PATH"] = previous
    return _dump(path)


# fault -> (method named in the error, what the error says about the field)
MALFORMED: dict[str, tuple[str, str]] = {
    "empty_vote_accounts": (
        "getVoteAccounts",
        "is in neither result.current nor result.delinquent",
    ),
    "block_null": ("getBlock", "result: null for slot"),
    "block_without_rewards": ("getBlock", "result.rewards: Field required"),
    "block_time_null": ("getBlockTime", "result: null for slot"),
    "kobe_null_mev_rewards": ("/api/v1/validators", "mev_rewards is missing or null"),
    "kobe_missing_mev_rewards": ("/api/v1/validators", "mev_rewards is missing or null"),
    "kobe_null_mev_commission": ("/api/v1/validators", "mev_commission_bps is missing or null"),
    "kobe_mev_10e40": ("/api/v1/validators", "validators[0].mev_rewards"),
    "reward_above_u64": ("getInflationReward", "outside the u64 range 0..18446744073709551615"),
    "reward_epoch_mismatch": ("getInflationReward", "was asked for"),
    "block_reward_10e40": ("getBlock", "result.rewards[0].lamports"),
    "rpc_error_unretried": ("getLeaderSchedule", "JSON-RPC error -32602"),
    "rpc_error_code_not_a_number": ("getBlock", "code 'oops' is not an integer"),
    "empty_first_signatures_page": ("getSignaturesForAddress", "signature history is incomplete"),
    "empty_program_accounts": ("getProgramAccounts", "no stake account delegated"),
}


@pytest.mark.parametrize("fault", sorted(MALFORMED))
def test_malformed_answer_fails_by_name_and_marks_nothing_complete(
    fault: str,
    simulator: SimulatorServer,
    seeds: Path,
    clean: dict[str, list[tuple[str, ...]]],
    duckdb_target_env: dict[str, str],
    pipelines_dir: Path,
) -> None:
    method, detail = MALFORMED[fault]
    path = Path(duckdb_target_env["AURORA_DUCKDB_PATH"])
    with HostileProxy(simulator, FAULTS[fault], times=None) as proxy:
        with pytest.raises(AuroraError) as failure:
            _ingest(proxy, seeds, pipelines_dir)
        assert proxy.hits > 0
        message = failure.value.message
        provider = "jito_kobe" if method.startswith("/api") else "solana_rpc"
        assert f"provider '{provider}'" in message, message
        assert f"method '{method}'" in message and " params " in message, message
        assert detail in message, message
        assert _complete_epochs(path) == []

        proxy.active = False  # the provider answers well again: a re-ingest equals a clean one
        _ingest(proxy, seeds, pipelines_dir)
    assert _dump(path) == clean


def _drop_first_kobe_record(route: str, request: Any, response: Any) -> Any:
    if route != "/api/v1/validators" or not response.get("validators"):
        return None
    return {**response, "validators": response["validators"][1:]}


def _no_leader_slots(route: str, request: Any, response: Any) -> Any:
    if route != "getLeaderSchedule":
        return None
    return {**response, "result": {}}


LEGITIMATE: dict[str, Rewrite] = {
    # a validator absent from a published Kobe epoch is not on Jito: its MEV is 0
    "validator_absent_from_kobe": _drop_first_kobe_record,
    # an identity that leads no slot in the epoch: the node answers {}
    "no_leader_slots": _no_leader_slots,
}


@pytest.mark.parametrize("case", sorted(LEGITIMATE))
def test_legitimate_empty_answers_are_accepted(
    case: str,
    network: Network,
    simulator: SimulatorServer,
    seeds: Path,
    duckdb_target_env: dict[str, str],
    pipelines_dir: Path,
    warehouse_query: Any,
) -> None:
    with HostileProxy(simulator, LEGITIMATE[case], times=None) as proxy:
        result = _ingest(proxy, seeds, pipelines_dir)
        assert proxy.hits > 0
    assert list(result.epochs_loaded) == list(network.closed_epochs)
    if case == "validator_absent_from_kobe":
        dropped = network.validators[0].vote_pubkey  # the first record of every answer
        operator = {v.vote_pubkey for v in network.operator_validators}
        assert dropped in operator
        rows = warehouse_query(
            "duckdb", "select epoch, vote_account from raw_solana.kobe_validators"
        )
        for epoch in network.closed_epochs:
            assert {v for e, v in rows if e == epoch} == operator - {dropped}
    else:  # no leader slot: no leader_schedule row, no block fetched
        tables = warehouse_query(
            "duckdb",
            "select table_name from information_schema.tables where table_schema = 'raw_solana'",
        )
        assert not {"leader_schedule", "blocks"} & {t for (t,) in tables}


@pytest.mark.parametrize(
    "fault", ["rpc_error_code_not_a_number", "kobe_null_mev_rewards", "empty_vote_accounts"]
)
def test_cli_names_the_answer_without_a_traceback(
    fault: str, sim_network: Network, tmp_path: Path
) -> None:
    """`aurora ingest` on the default network (the repository's seeds), two epochs."""
    with (
        SimulatorServer(sim_network) as server,
        HostileProxy(server, FAULTS[fault], times=None) as proxy,
    ):
        env = base_env()
        env.update(
            {
                "AURORA_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
                "AURORA_DLT_PIPELINES_DIR": str(tmp_path / "pipelines"),
                "AURORA_PROVIDER_SOLANA_RPC_URL": proxy.rpc_url,
                "AURORA_PROVIDER_JITO_KOBE_URL": proxy.kobe_url,
                "AURORA_PROVIDER_SOLANA_RPC_MAX_RETRIES": "1",
                "AURORA_PROVIDER_JITO_KOBE_MAX_RETRIES": "1",
            }
        )
        result = run_aurora(["ingest", "solana", "--epochs", "22..23"], env, timeout=300)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-3000:]
    assert "aurora: error: provider '" in result.stderr
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr


def test_an_empty_signatures_page_does_not_shrink_vote_fees(
    tmp_path: Path, duckdb_target_env: dict[str, str], pipelines_dir: Path
) -> None:
    """More than one page of vote transactions (1000 a page): the provider answers the second
    page empty. Epoch 0 then has no transaction although the validators earned rewards for it:
    the ingest fails instead of halving vote fees; the terminal empty page of a whole history
    (the legitimate end) is accepted once the provider answers well."""
    net = build_network(Scenario(n_epochs=10, stake_accounts_per_validator=3, slots_per_epoch=128))
    seeds = tmp_path / "seeds"
    truth.write_seed_files(net, seeds)
    with (
        SimulatorServer(net) as server,
        HostileProxy(server, FAULTS["empty_signatures_page"], times=None) as proxy,
    ):
        with pytest.raises(AuroraError) as failure:
            _ingest(proxy, seeds, pipelines_dir, [0])
        message = failure.value.message
        assert "method 'getSignaturesForAddress'" in message and "epoch 0" in message, message
        assert "signature history is incomplete" in message
        assert _complete_epochs(Path(duckdb_target_env["AURORA_DUCKDB_PATH"])) == []
        proxy.active = False
        _ingest(proxy, seeds, pipelines_dir, [0])
    got = dict(
        query_warehouse(
            "duckdb", "select vote_account, count(*) from raw_solana.vote_signatures group by 1"
        )
    )
    assert got == {v.vote_pubkey: len(net.votes(v.index, 0)) for v in net.operator_validators}
