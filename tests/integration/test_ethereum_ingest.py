"""Ethereum ingestion against the simulator over loopback HTTP, into a real DuckDB file and a real
PostgreSQL database: the raw rows are the simulated chain's, row for row and exact to the wei,
through faults, an outage and a re-run; only what the plan asks for is fetched; re-ingesting a day
changes nothing; a failed run leaves the warehouse as it was; an archived run replays offline into
the same raw tables."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.config import AuroraConfig, ChainConfig, ProviderConfig
from ingest.core.archive import ReplayServer
from ingest.core.http import ProviderError, RetryPolicy
from ingest.errors import IngestError
from ingest.ethereum.pipeline import ingest_ethereum
from ingest.ethereum.schema import TABLES
from ingest.simulator.ethereum import truth
from ingest.simulator.ethereum.network import Network, Scenario, build_network
from ingest.simulator.ethereum.server import EthereumSimulatorServer, FaultConfig

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.05)


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


def sim_urls(server: EthereumSimulatorServer) -> dict[str, str]:
    """The providers of a test run and their simulator URLs."""
    urls = {"eth_beacon": server.beacon_url, "eth_execution": server.execution_url}
    for name in server.network.relays:
        urls[relay_id(name)] = server.relay_url(name)
    return urls


def relay_id(name: str) -> str:
    return f"relay_{name.replace('-', '_')}"


def make_config(
    server: EthereumSimulatorServer | Mapping[str, str],
    start_day: date | None = None,
    **limits: Any,
) -> AuroraConfig:
    """Providers at the simulator's URLs (or at ``server``, a provider -> URL mapping)."""
    urls = sim_urls(server) if isinstance(server, EthereumSimulatorServer) else dict(server)
    common: dict[str, Any] = {
        "chain": "ethereum",
        "rate_limit_per_second": 10_000,
        "max_concurrency": 8,
        "timeout_seconds": 5,
        "max_retries": 8,
        "batch_size": 5,  # 8 operator validators: two attestation-reward batches per epoch
    }
    common.update(limits)
    providers = {
        "eth_beacon": ProviderConfig(kind="beacon_api", url=urls.pop("eth_beacon"), **common),
        "eth_execution": ProviderConfig(
            kind="ethereum_json_rpc", url=urls.pop("eth_execution"), **common
        ),
    }
    for provider_id, url in urls.items():
        providers[provider_id] = ProviderConfig(kind="mev_relay", url=url, **common)
    chains = {
        "ethereum": ChainConfig(
            native_asset="ETH",
            decimals=18,
            period_kind="utc_day",
            start_day=start_day,
            facts={
                "consensus_rewards": ["eth_beacon"],
                "execution_fees": ["eth_execution"],
                "mev": sorted(p for p in providers if p.startswith("relay_")),
            },
        )
    }
    return AuroraConfig(chains=chains, providers=providers)


def write_seeds(net: Network, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["chain,validator_id,identity_pubkey,validator_name"]
    for i in net.operator_indices:
        lines.append(f"ethereum,{i},{net.validators[i].pubkey},eth-{i:02d}")
    lines.append("solana,Vote111,Id111,not-ethereum")
    (folder / "validators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def q(sql: str) -> list[tuple[Any, ...]]:
    """A read query on the test's warehouse (``AURORA_TARGET``: the DuckDB file or PostgreSQL)."""
    if os.environ.get("AURORA_TARGET", "duckdb") == "duckdb":
        con = duckdb.connect(os.environ["AURORA_DUCKDB_PATH"], read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    import psycopg2

    pg = psycopg2.connect(
        host=os.environ["AURORA_PG_HOST"],
        port=int(os.environ["AURORA_PG_PORT"]),
        user=os.environ["AURORA_PG_USER"],
        password=os.environ["AURORA_PG_PASSWORD"],
        dbname=os.environ["AURORA_PG_DATABASE"],
    )
    try:
        with pg.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        pg.close()


def completed(table: str, alias: str = "t", join: str = "") -> str:
    """``raw_ethereum.<table> <alias> [join] where`` <only rows of completed loads>."""
    return (
        f"raw_ethereum.{table} {alias} {join} where {alias}._dlt_load_id in "
        "(select load_id from raw_ethereum._dlt_loads where status = 0)"
    )


def raw_figures() -> dict[tuple[str, str], dict[str, int]]:
    """The §8 figures restated in SQL over the raw tables (a preview of staging), per
    (validator_id, period_id): consensus (gwei x 10^9), execution fees, MEV, missed proposals."""
    days = q(f"select period_id, first_epoch, last_epoch from {completed('ingestion_runs')}")
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {
            "consensus_rewards_wei": 0,
            "execution_fees_wei": 0,
            "mev_wei": 0,
            "missed_proposals": 0,
        }
    )
    for period_id, first, last in days:
        epochs = f"between {first} and {last}"
        for v, gwei in q(
            f"select validator_index, sum(head + target + source + coalesce(inclusion_delay, 0) + inactivity) "
            f"from {completed('attestation_rewards')} and epoch {epochs} group by 1"
        ):
            out[(str(v), period_id)]["consensus_rewards_wei"] += int(gwei) * 10**9
        rewards = completed("blocks", "b", "join raw_ethereum.block_rewards r on r.slot = b.slot")
        for v, gwei in q(
            f"select b.proposer_index, sum(r.total) from {rewards} and b.epoch {epochs} group by 1"
        ):
            out[(str(v), period_id)]["consensus_rewards_wei"] += int(gwei) * 10**9
        for v, gwei in q(
            f"select validator_index, sum(reward) from {completed('sync_committee_rewards')} "
            f"and epoch {epochs} group by 1"
        ):
            out[(str(v), period_id)]["consensus_rewards_wei"] += int(gwei) * 10**9
        for v, n in q(
            f"select proposer_index, count(*) from {completed('blocks')} and status = 'missed' "
            f"and epoch {epochs} group by 1"
        ):
            out[(str(v), period_id)]["missed_proposals"] += int(n)
    return out


def test_ingested_raw_amounts_match_the_truth(
    net: Network, tmp_path: Path, warehouse_target: str, pipelines_dir: Path
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    with EthereumSimulatorServer(net) as server:
        result = ingest_ethereum(
            warehouse_target,
            None,
            make_config(server),
            seeds_dir=seeds,
            pipelines_dir=pipelines_dir,
            retry=FAST_RETRY,
        )
        log = server.request_log
    closed = truth.closed_days(net)
    assert list(result.days_loaded) == closed
    assert len(result.load_ids) == len(closed)
    expected = {
        (r.validator_id, r.period_id): r for r in truth.validator_days(net, only_closed=True)
    }
    figures = raw_figures()
    for key, row in expected.items():
        got = figures.get(key, {"consensus_rewards_wei": 0, "missed_proposals": 0})
        assert got["consensus_rewards_wei"] == row.consensus_rewards_wei, key
        assert got["missed_proposals"] == row.missed_proposals, key
    # the execution and relay raw rows hold the pieces of every block's fees and payment
    receipts = completed(
        "execution_receipts", "r", "join raw_ethereum.execution_blocks b using (block_number)"
    )
    fees = dict(
        q(
            "select r.block_number, sum(r.gas_used * (r.effective_gas_price - b.base_fee_per_gas)) "
            f"from {receipts} group by 1"
        )
    )
    for slot, block in net.blocks.items():
        if (
            block.proposer_index in net.operator_indices
            and truth.day_of_epoch(net, slot // 7) in closed
        ):
            assert int(fees[block.execution.number]) == truth.priority_fees(block), slot
    values = q(f"select provider, slot, value from {completed('relay_deliveries')}")
    assert any(int(v) > 2**64 for _, _, v in values)  # exact above 2^64 wei
    huge = net.features()["cases"]["huge_payment"]["slot"]
    [(payment,)] = q(
        f"select value from {completed('execution_transactions')} and is_last and block_number = "
        f"{net.blocks[huge].execution.number}"
    )
    assert int(payment) == 20_500_000_000_000_000_000
    # addresses lowercase everywhere
    recipients = q(f"select distinct proposer_fee_recipient from {completed('relay_deliveries')}")
    assert all(r == r.lower() for (r,) in recipients)
    # only what the plan asks for: blocks only for the operator's duty slots, no rewards for
    # slots without a block, attestation rewards once per epoch per batch
    duty_slots = {s for (s,) in q(f"select slot from {completed('blocks')}")}
    op_duties = {
        s
        for s, p in enumerate(net.proposers)
        if p in net.operator_indices and truth.day_of_epoch(net, s // 7) in closed
    }
    assert duty_slots == op_duties
    n_epochs = sum(len(truth.day_bounds(net, d).epochs) for d in closed)  # type: ignore[union-attr]
    assert log["beacon:/eth/v1/beacon/rewards/attestations/{epoch}"] == 2 * n_epochs
    assert log["beacon:/eth/v2/beacon/blocks/{block_id}"] == len(op_duties)
    missed = sum(1 for s in op_duties if s not in net.blocks)
    assert log["execution:eth_getBlockByNumber"] == len(op_duties) - missed
    for name in net.relays:
        assert log[f"{name}:/relay/v1/data/bidtraces/proposer_payload_delivered"] == len(op_duties)
    # validators' state at the first slot of each day's last epoch
    states = q(f"select period_id, validator_index, status from {completed('validators')}")
    by_key = {(p, str(v)): s for p, v, s in states}
    for key, row in expected.items():
        assert by_key.get((row.period_id, row.validator_id), "") == row.status, key
    # every raw row traces to a payload, a missed slot's too (its 404 answer)
    for table in ("attestation_rewards", "blocks", "sync_committee_slots", "relay_queries"):
        orphans = q(
            f"select count(*) from {completed(table)} and (response_sha256 is null or "
            "response_sha256 not in (select response_sha256 from raw_ethereum.staging_payloads))"
        )
        assert orphans == [(0,)], table
    [(not_found,)] = q(
        f"select count(*) from {completed('blocks', 'b')} and b.status = 'missed' and exists "
        "(select 1 from raw_ethereum.staging_payloads p where p.response_sha256 = "
        "b.response_sha256 and p.http_status = 404)"
    )
    assert not_found == missed


def test_rerun_is_incremental_and_reingest_changes_nothing(
    net: Network, tmp_path: Path, duckdb_target_env: dict[str, str], pipelines_dir: Path
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    day = date(2026, 3, 3)  # chains.yaml start_day: no backfill from genesis
    with EthereumSimulatorServer(net) as server:
        config = make_config(server, start_day=day)
        first = ingest_ethereum(
            "duckdb", None, config, seeds_dir=seeds, pipelines_dir=pipelines_dir, retry=FAST_RETRY
        )
        assert first.days_loaded == (day,)
        tables = [
            "attestation_rewards",
            "blocks",
            "sync_committee_rewards",
            "validators",
            "relay_deliveries",
            "execution_receipts",
        ]
        before = {t: q(f"select count(*) from raw_ethereum.{t}") for t in tables}
        again = ingest_ethereum(
            "duckdb", None, config, seeds_dir=seeds, pipelines_dir=pipelines_dir, retry=FAST_RETRY
        )
        assert again.days_loaded == () and again.load_ids == ()
        redo = ingest_ethereum(
            "duckdb", [day], config, seeds_dir=seeds, pipelines_dir=pipelines_dir, retry=FAST_RETRY
        )
        assert redo.days_loaded == (day,)
        assert {t: q(f"select count(*) from raw_ethereum.{t}") for t in tables} == before
        with pytest.raises(IngestError, match="2026-03-04 is not closed"):
            ingest_ethereum(
                "duckdb", [date(2026, 3, 4)], config, seeds_dir=seeds, pipelines_dir=pipelines_dir
            )


def test_faults_do_not_change_what_is_loaded(
    net: Network, tmp_path: Path, duckdb_target_env: dict[str, str], pipelines_dir: Path
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    faults = FaultConfig(
        seed=2, rate_429=0.05, rate_5xx=0.05, rate_malformed=0.03, rate_truncated=0.03
    )
    day = date(2026, 3, 3)
    with EthereumSimulatorServer(net, faults=faults) as server:
        result = ingest_ethereum(
            "duckdb",
            [day],
            make_config(server, max_retries=20),
            seeds_dir=seeds,
            pipelines_dir=pipelines_dir,
            retry=FAST_RETRY,
        )
        assert sum(server.fault_log.values()) > 10
    assert result.http_attempts > result.requests
    figures = raw_figures()
    for row in truth.validator_days(net, only_closed=True):
        if row.period_id == day.isoformat():
            got = figures.get((row.validator_id, row.period_id), {"consensus_rewards_wei": 0})
            assert got["consensus_rewards_wei"] == row.consensus_rewards_wei


def test_bad_seeds_are_refused(
    net: Network, tmp_path: Path, duckdb_target_env: dict[str, str], pipelines_dir: Path
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "validators.csv").write_text(
        "chain,validator_id,identity_pubkey,validator_name\nethereum,0xabc,0x01,bad\n",
        encoding="utf-8",
    )
    with EthereumSimulatorServer(net) as server, pytest.raises(IngestError, match="decimal digits"):
        ingest_ethereum(
            "duckdb", None, make_config(server), seeds_dir=folder, pipelines_dir=pipelines_dir
        )


# ------------------------------------------------------------------ row for row, both engines
def expected_raw(net: Network, days: list[date]) -> dict[str, list[tuple[Any, ...]]]:
    """The raw rows the simulated chain implies for ``days`` (the operator's facts only), in the
    columns :func:`actual_raw` reads: every amount exact."""
    ops = set(net.operator_indices)
    spe = net.slots_per_epoch
    epochs = [e for d in days for e in truth.day_bounds(net, d).epochs]  # type: ignore[union-attr]
    slots = [s for e in epochs for s in range(e * spe, (e + 1) * spe)]
    duties = [s for s in slots if s != 0 and net.proposers[s] in ops]
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for e in epochs:
        for v, a in net.attestations[e].items():
            if v in ops:
                out["attestation_rewards"].append((e, v, a.head, a.target, a.source, a.inactivity))
    for s in duties:
        proposer = net.proposers[s]
        block = net.blocks.get(s)
        for relay in net.relays:
            found = net.deliveries[relay].get(s, [])
            out["relay_queries"].append((relay_id(relay), s, len(found)))
            for d in found:
                out["relay_deliveries"].append(
                    (relay_id(relay), s, d.block_hash, d.value, d.proposer_fee_recipient.lower())
                )
        if block is None:
            out["blocks"].append((s, proposer, "missed", None, None, None))
            continue
        ex = block.execution
        out["blocks"].append(
            (s, proposer, "proposed", ex.number, ex.hash, ex.fee_recipient.lower())
        )
        r = block.rewards
        out["block_rewards"].append(
            (s, proposer, r.total, r.attestations, r.sync_aggregate, r.proposer_slashings)
        )
        out["execution_blocks"].append((s, ex.number, ex.hash, ex.base_fee_per_gas, ex.gas_used))
        last = len(ex.transactions) - 1
        for i, tx in enumerate(ex.transactions):
            out["execution_transactions"].append((ex.number, i, tx.hash, tx.value, i == last))
            out["execution_receipts"].append(
                (ex.number, i, tx.status, tx.gas_used, tx.effective_gas_price)
            )
    for s in slots:
        if s in net.blocks:
            for v, reward in net.sync_rewards.get(s, {}).items():
                if v in ops:
                    out["sync_committee_rewards"].append((s, v, reward))
    out["ingestion_runs"] = [(d.isoformat(),) for d in days]
    return {name: sorted(rows, key=repr) for name, rows in out.items()}


ACTUAL_COLUMNS = {
    "attestation_rewards": "epoch, validator_index, head, target, source, inactivity",
    "relay_queries": "provider, slot, delivered_count",
    "relay_deliveries": "provider, slot, block_hash, value, proposer_fee_recipient",
    "blocks": "slot, proposer_index, status, execution_block_number, execution_block_hash, "
    "fee_recipient",
    "block_rewards": "slot, proposer_index, total, attestations, sync_aggregate, "
    "proposer_slashings",
    "execution_blocks": "slot, block_number, block_hash, base_fee_per_gas, gas_used",
    "execution_transactions": "block_number, transaction_index, transaction_hash, value, is_last",
    "execution_receipts": "block_number, transaction_index, status, gas_used, effective_gas_price",
    "sync_committee_rewards": "slot, validator_index, reward",
    "ingestion_runs": "period_id",
}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) else value


def actual_raw() -> dict[str, list[tuple[Any, ...]]]:
    """The rows of completed loads, in the columns of :data:`ACTUAL_COLUMNS` (amounts as int)."""
    return {
        name: sorted(
            (tuple(_plain(v) for v in row) for row in q(f"select {cols} from {completed(name)}")),
            key=repr,
        )
        for name, cols in ACTUAL_COLUMNS.items()
    }


DUMP_SKIP = frozenset({"_dlt_load_id", "ingestion_run_id", "started_at", "finished_at"})


def dump_all() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every raw table as text, sorted, without what differs between runs (load and
    run ids, the run's clock)."""
    skip = DUMP_SKIP
    out = {}
    existing = {
        name
        for (name,) in q(
            "select table_name from information_schema.tables where table_schema = 'raw_ethereum'"
        )
    }
    for name, spec in TABLES.items():
        if name not in existing:
            out[name] = []
            continue
        columns = [c for c, _ in spec.columns if c not in skip]
        rows = q(f"select {', '.join(columns)} from raw_ethereum.{name}")
        out[name] = sorted(tuple("" if v is None else str(v) for v in row) for row in rows)
    return out


PER_RUN = ("finality_checkpoints", "ingestion_runs")  # a row per run, by design


def settled_view(dump: dict[str, list[tuple[str, ...]]]) -> dict[str, Any]:
    """What a re-ingest must not change: every table but the per-run logs; payloads by hash and
    body (several requests may share one body: the row names one of them)."""
    out: dict[str, Any] = {k: v for k, v in dump.items() if k not in PER_RUN}
    columns = [c for c, _ in TABLES["staging_payloads"].columns if c not in DUMP_SKIP]
    sha, body = columns.index("response_sha256"), columns.index("body")
    out["staging_payloads"] = sorted({(r[sha], r[body]) for r in dump["staging_payloads"]})
    return out


def down_after(server: EthereumSimulatorServer, n: int) -> Callable[[], int]:
    """From the ``n``-th request on, the simulator answers 503 to everything (an outage); the
    returned function tells how many requests it has seen since."""
    original = server.handle
    seen = [0]

    def handle(verb: str, raw_path: str, body: bytes) -> Any:
        seen[0] += 1
        if seen[0] == n:
            server.set_down(True)
        return original(verb, raw_path, body)

    server.handle = handle  # type: ignore[method-assign]
    return lambda: seen[0]


FAULTS = FaultConfig(seed=5, rate_429=0.04, rate_5xx=0.04, rate_malformed=0.02, rate_truncated=0.02)


def test_raw_rows_equal_the_chain_through_faults_an_outage_and_a_rerun(
    net: Network, tmp_path: Path, warehouse_target: str, pipelines_dir: Path
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    first, second, third = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
    with EthereumSimulatorServer(net, faults=FAULTS) as server:
        config = make_config(server, start_day=first, max_retries=20)

        def ingest(days: list[date] | None, cfg: AuroraConfig = config) -> Any:
            return ingest_ethereum(
                warehouse_target,
                days,
                cfg,
                seeds_dir=seeds,
                pipelines_dir=pipelines_dir,
                retry=FAST_RETRY,
            )

        assert ingest([first]).days_loaded == (first,)
        before = dump_all()
        # an outage in the middle of the next day: the run fails, the warehouse is as it was
        seen = down_after(server, 120)
        with pytest.raises(ProviderError, match="HTTP 503"):
            ingest([second], make_config(server, start_day=first, max_retries=3))
        assert seen() > 120
        assert dump_all() == before
        # the providers are back: the re-run loads what is missing, and only that
        server.set_down(False)
        rerun = ingest(None)
        assert rerun.days_loaded == (second, third)
        assert sum(server.fault_log.values()) > 10
        assert rerun.http_attempts > rerun.requests
        got = actual_raw()
        want = expected_raw(net, [first, second, third])
        for name in ACTUAL_COLUMNS:
            assert got[name] == want.get(name, []), name
        assert got["relay_deliveries"] and got["sync_committee_rewards"]
        assert any(row[2] == "missed" for row in got["blocks"])
        # re-ingesting a day changes nothing
        settled = dump_all()
        assert ingest([second]).days_loaded == (second,)
        assert settled_view(dump_all()) == settled_view(settled)
    for name, spec in TABLES.items():
        key = ", ".join(spec.primary_key)
        dups = q(
            f"select {key}, count(*) from raw_ethereum.{name} group by {key} having count(*) > 1"
        )
        assert dups == [], name


def test_archive_replays_offline_into_the_same_raw_tables(
    net: Network,
    tmp_path: Path,
    duckdb_target_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    archive = tmp_path / "archive"
    days = [date(2026, 3, 2), date(2026, 3, 3)]
    with EthereumSimulatorServer(net) as server:
        live = ingest_ethereum(
            "duckdb",
            days,
            make_config(server),
            seeds_dir=seeds,
            pipelines_dir=tmp_path / "p1",
            archive_dir=archive,
            retry=FAST_RETRY,
        )
        providers = list(sim_urls(server))
    original = dump_all()
    assert any(row for row in original["blocks"] if "missed" in row)
    assert any("False" in row for row in original["sync_committee_slots"])  # a slot without a block

    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(tmp_path / "replayed.duckdb"))
    with ReplayServer(archive) as replay:
        assert sorted(replay.provider_kinds) == sorted(providers)
        again = ingest_ethereum(
            "duckdb",
            days,
            make_config({pid: replay.url_for(pid) for pid in providers}),
            seeds_dir=seeds,
            pipelines_dir=tmp_path / "p2",
            retry=FAST_RETRY,
        )
        assert replay.misses == 0
    assert again.days_loaded == live.days_loaded
    assert dump_all() == original
