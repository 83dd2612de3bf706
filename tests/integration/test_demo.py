"""The main job end to end, as a newcomer runs it: `aurora demo` on DuckDB (twice: the rerun reuses
the warehouse and gives byte-identical marts), on PostgreSQL (the same statements and hashes), and
`aurora run` against the simulator through the documented provider overrides.

The first `aurora demo` of each engine is the session's shared demo warehouse (conftest: its output
is kept); the rerun runs on a copy of it, so the shared one stays as the first run left it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from support import Warehouse, base_env, run_aurora, warehouse

MARTS = ["validator_pnl", "partner_commission_lines", "partner_commission_statements"]


def _mart_digest(wh: Warehouse, table: str) -> str:
    columns = [
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns "
            f"where table_schema = 'marts' and table_name = '{table}' order by ordinal_position"
        )
    ]
    assert columns, f"marts.{table} does not exist"
    text_cols = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
    rows = wh.query(f"select {text_cols} from marts.{table}")
    lines = sorted("|".join(row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _statements(wh: Warehouse) -> list[tuple[str, ...]]:
    rows = wh.query(
        "select partner_id, agreement_id, statement_month, cast(line_count as varchar), "
        "cast(total_native as varchar), coalesce(cast(total_usd_cents as varchar), ''), lines_sha256 "
        "from marts.partner_commission_statements"
    )
    return sorted(tuple(str(v) for v in r) for r in rows)


def test_demo_duckdb_rerun_is_byte_identical_and_postgres_agrees(
    shared_warehouses: Any, tmp_path: Path
) -> None:
    # the first run: the session's shared DuckDB demo warehouse (conftest), as `aurora demo` left it
    duck = shared_warehouses.demo("duckdb")
    first = duck.demo
    assert first is not None
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    assert "Partner statements" in first.stdout and "Validator P&L" in first.stdout
    digests = {t: _mart_digest(duck, t) for t in MARTS}
    # the rerun reuses that warehouse (a copy of it, dlt's local state included: the shared one
    # stays as the first run left it)
    with shared_warehouses.copy("duckdb", tmp_path, dlt_state=True) as again:
        second = run_aurora(["demo", "--target", "duckdb"], again.env)
        assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
        assert {t: _mart_digest(again, t) for t in MARTS} == digests
    duck_statements = _statements(duck)
    assert duck_statements, "the demo produced no statement"

    # `aurora demo --target postgres`: the session's shared PostgreSQL demo warehouse
    pg = shared_warehouses.demo("postgres")
    result = pg.demo
    assert result is not None
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert _statements(pg) == duck_statements
    for sha in {s[-1] for s in duck_statements}:
        assert sha in result.stdout


def test_run_against_simulator_through_env_overrides(tmp_path: Path) -> None:
    from ingest.demo import ethereum_simulator_env, simulator_env
    from ingest.simulator.ethereum.network import Scenario as EthereumScenario
    from ingest.simulator.ethereum.network import build_network as build_ethereum_network
    from ingest.simulator.ethereum.server import EthereumSimulatorServer
    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer

    network = build_network(Scenario())
    # seeds/validators.csv lists both chains' validators: both simulators serve
    with (
        SimulatorServer(network) as server,
        EthereumSimulatorServer(build_ethereum_network(EthereumScenario())) as eth,
        warehouse("duckdb", tmp_path) as wh,
    ):
        env = {
            **wh.env,
            **simulator_env(server.rpc_url, server.kobe_url),
            **ethereum_simulator_env(eth),
        }
        result = run_aurora(["run", "--target", "duckdb"], env)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        assert "Partner statements" in result.stdout
        assert wh.query("select count(*) from marts.validator_pnl")[0][0] > 0


def test_run_without_network_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    env = base_env()
    env["AURORA_DUCKDB_PATH"] = str(tmp_path / "w.duckdb")
    env["AURORA_PROVIDER_SOLANA_RPC_URL"] = "http://127.0.0.1:9/rpc"
    env["AURORA_PROVIDER_JITO_KOBE_URL"] = "http://127.0.0.1:9/kobe"
    result = run_aurora(["run", "--target", "duckdb"], env, timeout=120)
    assert result.returncode == 2
    assert "cannot reach the configured providers" in result.stderr
    assert "solana_rpc" in result.stderr and "jito_kobe" in result.stderr
    assert "Traceback" not in result.stderr
