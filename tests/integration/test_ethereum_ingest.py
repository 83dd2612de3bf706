"""Ethereum ingestion against the simulator over loopback HTTP, into a real DuckDB file: the raw
amounts add up to the ground truth, only what the plan asks for is fetched, re-runs change
nothing, and faults do not change what is loaded."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.config import AuroraConfig, ChainConfig, ProviderConfig
from ingest.core.http import RetryPolicy
from ingest.errors import IngestError
from ingest.ethereum.pipeline import ingest_ethereum
from ingest.simulator.ethereum import truth
from ingest.simulator.ethereum.network import Network, Scenario, build_network
from ingest.simulator.ethereum.server import EthereumSimulatorServer, FaultConfig

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.05)


@pytest.fixture(scope="module")
def net() -> Network:
    return build_network(Scenario())


def make_config(
    server: EthereumSimulatorServer, start_day: date | None = None, **limits: Any
) -> AuroraConfig:
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
        "eth_beacon": ProviderConfig(kind="beacon_api", url=server.beacon_url, **common),
        "eth_execution": ProviderConfig(
            kind="ethereum_json_rpc", url=server.execution_url, **common
        ),
    }
    for name in server.network.relays:
        providers[f"relay_{name.replace('-', '_')}"] = ProviderConfig(
            kind="mev_relay", url=server.relay_url(name), **common
        )
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
    con = duckdb.connect(os.environ["AURORA_DUCKDB_PATH"], read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


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
    net: Network, tmp_path: Path, duckdb_target_env: dict[str, str], pipelines_dir: Path
) -> None:
    seeds = write_seeds(net, tmp_path / "seeds")
    with EthereumSimulatorServer(net) as server:
        result = ingest_ethereum(
            "duckdb",
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
    # every raw row traces to a payload (a missed block's 404 has none)
    orphans = q(
        f"select count(*) from {completed('attestation_rewards')} and response_sha256 not in "
        "(select response_sha256 from raw_ethereum.staging_payloads)"
    )
    assert orphans == [(0,)]
    assert (
        q(
            f"select count(*) from {completed('blocks')} and status = 'missed' and response_sha256 is null"
        )[0][0]
        == missed
    )


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
