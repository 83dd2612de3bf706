"""Solana ingestion end to end: the simulator over real HTTP on loopback, real DuckDB files and a
real PostgreSQL database, compared with the simulator's ground truth to the lamport."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.core.http import ProviderError, RetryPolicy
from ingest.registry import load_registry
from ingest.simulator import truth
from ingest.simulator.network import Network
from ingest.simulator.server import FaultConfig
from ingest.solana.pipeline import ingest_solana
from ingest.solana.rpc import EpochNotClosed
from ingest.solana.schema import TABLES

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=5)
RAW = "raw_solana"

Query = Callable[[str, str], list[tuple[Any, ...]]]


def completed(alias: str) -> str:
    return f"{alias}._dlt_load_id in (select load_id from {RAW}._dlt_loads where status = 0)"


def q(target: str, sql: str) -> list[tuple[Any, ...]]:
    """A read query on the test's warehouse (the env the target fixtures set)."""
    if target == "duckdb":
        import duckdb

        con = duckdb.connect(os.environ["AURORA_DUCKDB_PATH"], read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    import psycopg2

    con = psycopg2.connect(
        host=os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        port=int(os.environ.get("AURORA_PG_PORT", "5432")),
        user=os.environ.get("AURORA_PG_USER", "aurora"),
        password=os.environ.get("AURORA_PG_PASSWORD", "aurora"),
        dbname=os.environ["AURORA_PG_DATABASE"],
    )
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        con.close()


def ingest(
    target: str,
    config: Any,
    seeds: Path,
    pipelines: Path,
    epochs: list[int] | None = None,
    **kwargs: Any,
) -> Any:
    kwargs.setdefault("retry", FAST_RETRY)
    return ingest_solana(
        target,  # type: ignore[arg-type]
        epochs,
        config,
        seeds_dir=seeds,
        pipelines_dir=pipelines,
        **kwargs,
    )


def dump(target: str, table: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """All rows of a raw table as text, sorted, without the given columns."""
    skip = {"_dlt_load_id", "ingestion_run_id", *exclude}
    columns = [c for c, _ in TABLES[table].columns if c not in skip]
    rows = q(target, f"select {', '.join(columns)} from {RAW}.{table}")
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def assert_no_duplicates(target: str) -> None:
    for name, spec in TABLES.items():
        key = ", ".join(spec.primary_key)
        dups = q(
            target,
            f"select {key}, count(*) from {RAW}.{name} group by {key} having count(*) > 1 limit 3",
        )
        assert dups == [], f"{name}: duplicate primary keys {dups}"
        missing = q(target, f"select count(*) from {RAW}.{name} where _dlt_load_id is null")
        assert missing == [(0,)], f"{name}: rows without _dlt_load_id"


def assert_matches_truth(target: str, network: Network, epochs: list[int]) -> None:
    """Every operator fact of ``epochs`` is in the raw tables exactly once, exact to the lamport."""
    wanted = set(epochs)
    in_epochs = ",".join(str(e) for e in sorted(wanted))
    assert_no_duplicates(target)

    # stake rewards: every operator stake account and epoch, exactly once
    got = q(
        target,
        f"select epoch, address, vote_account, is_null, amount, post_balance "
        f"from {RAW}.inflation_rewards r where address_kind = 'stake' and epoch in ({in_epochs}) "
        f"and {completed('r')}",
    )
    keys = Counter((int(e), a) for e, a, *_ in got)
    assert max(keys.values(), default=1) == 1
    expected = [r for r in truth.stake_rewards(network) if r["epoch"] in wanted]
    assert len(got) == len(expected)
    by_key = {(int(e), a): (v, bool(n), amt, post) for e, a, v, n, amt, post in got}
    for row in expected:
        vote, is_null, amount, post = by_key[(row["epoch"], row["stake_account"])]
        assert vote == row["vote_account"]
        assert is_null == row["is_null"], row
        assert (0 if amount is None else int(amount)) == row["amount"], row
        assert (None if post is None else int(post)) == row["post_balance"], row

    # validator facts per epoch
    vt = [r for r in truth.validator_epochs(network) if r["epoch"] in wanted]
    identity_to_vote = {r["identity_pubkey"]: r["validator_id"] for r in vt}
    votes = {
        (a, int(e)): (0 if amt is None else int(amt))
        for e, a, amt in q(
            target,
            f"select epoch, address, amount from {RAW}.inflation_rewards r "
            f"where address_kind = 'vote' and epoch in ({in_epochs}) and {completed('r')}",
        )
    }
    blocks: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for epoch, slot, status, identity in q(
        target,
        f"select b.epoch, b.slot, b.status, l.identity from {RAW}.blocks b "
        f"join {RAW}.leader_schedule l on l.slot = b.slot and l.epoch = b.epoch "
        f"where b.epoch in ({in_epochs}) and {completed('b')}",
    ):
        cell = blocks[(identity_to_vote[identity], int(epoch))]
        cell[0] += 1
        cell[1 if status == "produced" else 2] += 1
        assert (status == "produced") == network.is_produced(int(slot))
    fees: Counter[tuple[str, int]] = Counter()
    for epoch, slot, lamports in q(
        target,
        f"select b.epoch, b.slot, r.lamports from {RAW}.block_rewards r "
        f"join {RAW}.blocks b on b.slot = r.slot "
        f"join {RAW}.leader_schedule l on l.slot = b.slot and r.pubkey = l.identity "
        f"where r.reward_type = 'Fee' and b.epoch in ({in_epochs}) and {completed('r')}",
    ):
        assert int(lamports) == network.fee_reward(int(slot))
        vote = identity_to_vote[network.slot_leader(int(slot)).identity_pubkey]
        fees[(vote, int(epoch))] += int(lamports)
    signatures = Counter(
        {
            (v, int(e)): int(n)
            for v, e, n in q(
                target,
                f"select vote_account, epoch, count(*) from {RAW}.vote_signatures s "
                f"where epoch in ({in_epochs}) and {completed('s')} group by vote_account, epoch",
            )
        }
    )
    kobe = {
        (v, int(e)): (int(m), None if b is None else int(b), bool(j))
        for v, e, m, b, j in q(
            target,
            f"select vote_account, epoch, mev_rewards, mev_commission_bps, running_jito "
            f"from {RAW}.kobe_validators k where epoch in ({in_epochs}) and {completed('k')}",
        )
    }
    times = dict(
        q(
            target,
            f"select slot, block_time from {RAW}.block_times t where not is_skipped "
            f"and {completed('t')}",
        )
    )
    for row in vt:
        key = (row["validator_id"], row["epoch"])
        assert votes[key] == row["inflation_commission"], row
        assert blocks[key] == [row["leader_slots"], row["produced_blocks"], row["skipped_slots"]]
        assert fees[key] == row["block_fees"], row
        assert signatures[key] == row["vote_tx_count"], row
        mev_rewards, bps, running = kobe[key]
        assert (mev_rewards if running else 0) == row["mev_rewards"], row
        assert bps == row["mev_commission_bps"], row
        epoch = row["epoch"]
        start_slot = network.first_produced_slot(epoch)
        end_slot = network.first_produced_slot(epoch + 1)
        assert int(times[start_slot]) == int(row["start_at"].timestamp())
        assert int(times[end_slot]) == int(row["end_at"].timestamp())

    runs = q(
        target,
        f"select distinct epoch from {RAW}.ingestion_runs r where status = 'complete' "
        f"and scope = 'full' and {completed('r')}",
    )
    assert wanted <= {int(e) for (e,) in runs}


# ------------------------------------------------------------------------------------- tests
def test_ingest_matches_ground_truth(
    warehouse_target: str,
    sim_network: Network,
    sim_server: Any,
    sim_config: Any,
    sim_seeds_dir: Path,
    pipelines_dir: Path,
) -> None:
    stages: Counter[str] = Counter()

    def progress(stage: str, done: int, total: int) -> None:
        assert 0 <= done <= total
        stages[stage] += 1

    result = ingest(
        warehouse_target,
        sim_config,
        sim_seeds_dir,
        pipelines_dir,
        chunk_epochs=12,
        progress=progress,
    )
    closed = list(sim_network.closed_epochs)
    assert list(result.epochs_loaded) == closed
    assert len(result.load_ids) == 2
    assert {"plan", "requests", "epochs", "load"} <= set(stages)
    assert_matches_truth(warehouse_target, sim_network, closed)

    # the column types are the contract's: exact decimals for amounts, never a float
    types = dict(
        q(
            warehouse_target,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{RAW}' and table_name = 'inflation_rewards'",
        )
    )
    assert types["amount"].lower() in {"decimal(38,0)", "numeric"}
    assert types["epoch"].lower() == "bigint"
    assert not any("double" in t.lower() or "real" in t.lower() for t in types.values())
    # every raw row traces to a stored payload
    orphans = q(
        warehouse_target,
        f"select count(*) from {RAW}.block_rewards r where not exists "
        f"(select 1 from {RAW}.staging_payloads p where p.response_sha256 = r.response_sha256)",
    )
    assert orphans == [(0,)]

    # incremental: nothing left to do
    again = ingest(warehouse_target, sim_config, sim_seeds_dir, pipelines_dir)
    assert again.epochs_loaded == () and again.load_ids == ()


def test_reingest_same_epochs_is_idempotent(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server: Any,
    sim_config: Any,
    sim_seeds_dir: Path,
    pipelines_dir: Path,
) -> None:
    epochs = [4, 5, 6]
    ingest("duckdb", sim_config, sim_seeds_dir, pipelines_dir, epochs)
    before = {name: dump("duckdb", name) for name in TABLES if name != "ingestion_runs"}
    snapshot_calls = {
        m: sim_server.request_log.get(m, 0) for m in ("getVoteAccounts", "getProgramAccounts")
    }
    second = ingest("duckdb", sim_config, sim_seeds_dir, pipelines_dir, epochs)
    assert list(second.epochs_loaded) == epochs
    after = {name: dump("duckdb", name) for name in TABLES if name != "ingestion_runs"}
    assert after == before
    # the snapshots of these epochs were reused, not taken again
    assert {
        m: sim_server.request_log.get(m, 0) for m in ("getVoteAccounts", "getProgramAccounts")
    } == snapshot_calls
    runs = q(
        "duckdb", f"select count(distinct ingestion_run_id), count(*) from {RAW}.ingestion_runs"
    )
    assert runs == [(2, 6)]
    assert_matches_truth("duckdb", sim_network, epochs)


def test_faults_do_not_change_the_result(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server_factory: Callable[..., Any],
    sim_seeds_dir: Path,
    pipelines_dir: Path,
    sim_config_factory: Callable[..., Any],
) -> None:
    faults = FaultConfig(
        seed=11, rate_429=0.2, rate_5xx=0.05, rate_malformed=0.01, rate_truncated=0.01
    )
    server = sim_server_factory(sim_network, faults=faults)
    config = sim_config_factory(
        server, MAX_CONCURRENCY="8", env={"AURORA_SOLANA_START_EPOCH": "20"}
    )
    result = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(result.epochs_loaded) == [20, 21, 22, 23]
    log = server.fault_log
    assert log.get("429", 0) > 20 and log.get("5xx", 0) > 0
    assert log.get("malformed", 0) + log.get("truncated", 0) > 0
    assert result.http_attempts > result.requests
    assert_matches_truth("duckdb", sim_network, [20, 21, 22, 23])


def test_provider_down_fails_cleanly_and_rerun_completes(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server: Any,
    sim_seeds_dir: Path,
    pipelines_dir: Path,
    sim_config_factory: Callable[..., Any],
) -> None:
    config = sim_config_factory(
        sim_server, MAX_RETRIES="3", env={"AURORA_SOLANA_START_EPOCH": "16"}
    )

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "load" and done == 1:  # the first chunk is loaded: now the provider dies
            sim_server.set_down(True)

    with pytest.raises(ProviderError) as failure:
        ingest("duckdb", config, sim_seeds_dir, pipelines_dir, chunk_epochs=4, progress=progress)
    message = str(failure.value)
    assert "provider 'solana_rpc'" in message or "provider 'jito_kobe'" in message
    assert " method '" in message and " params " in message and "HTTP 503" in message
    loaded = q("duckdb", f"select distinct epoch from {RAW}.ingestion_runs order by 1")
    assert loaded == [(16,), (17,), (18,), (19,)]
    for name, spec in TABLES.items():
        column = next((c for c in ("epoch", "snapshot_epoch") if c in dict(spec.columns)), None)
        if column:
            late = q("duckdb", f"select count(*) from {RAW}.{name} where {column} >= 20")
            assert late == [(0,)], f"{name} has rows of the failed chunk"

    sim_server.set_down(False)
    result = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(result.epochs_loaded) == [20, 21, 22, 23]
    assert_matches_truth("duckdb", sim_network, list(range(16, 24)))


def test_failed_load_is_completed_by_the_next_run(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server: Any,
    sim_seeds_dir: Path,
    pipelines_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    sim_config_factory: Callable[..., Any],
) -> None:
    import dlt
    from dlt.pipeline.pipeline import Pipeline

    config = sim_config_factory(sim_server, env={"AURORA_SOLANA_START_EPOCH": "21"})
    original = Pipeline.load

    def broken_load(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("warehouse went away during the load")

    monkeypatch.setattr(Pipeline, "load", broken_load)
    with pytest.raises(Exception, match="warehouse went away"):
        ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    monkeypatch.setattr(Pipeline, "load", original)
    pipeline = dlt.attach("aurora_solana", pipelines_dir=str(pipelines_dir))
    assert pipeline.has_pending_data

    result = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(result.epochs_loaded) == [21, 22, 23]
    assert_matches_truth("duckdb", sim_network, [21, 22, 23])


def test_withheld_kobe_epochs_are_reingested_after_publication(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server_factory: Callable[..., Any],
    sim_seeds_dir: Path,
    pipelines_dir: Path,
    sim_config_factory: Callable[..., Any],
) -> None:
    server = sim_server_factory(sim_network, kobe_withhold_epochs=2)
    config = sim_config_factory(server, env={"AURORA_SOLANA_START_EPOCH": "19"})
    first = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(first.epochs_loaded) == [19, 20, 21, 22, 23]
    published = q("duckdb", f"select epoch, is_published from {RAW}.kobe_epochs order by epoch")
    assert published == [(19, True), (20, True), (21, True), (22, False), (23, False)]
    assert q("duckdb", f"select count(*) from {RAW}.kobe_validators where epoch >= 22") == [(0,)]

    server.publish_kobe()
    second = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert second.epochs_loaded == ()
    assert list(second.mev_reingested) == [22, 23]
    published = q("duckdb", f"select epoch, is_published from {RAW}.kobe_epochs order by epoch")
    assert all(flag for _, flag in published)
    scopes = q(
        "duckdb", f"select epoch, scope from {RAW}.ingestion_runs where scope = 'mev' order by 1"
    )
    assert scopes == [(22, "mev"), (23, "mev")]
    assert_matches_truth("duckdb", sim_network, [19, 20, 21, 22, 23])

    third = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert third.epochs_loaded == () and third.mev_reingested == () and third.load_ids == ()


def test_not_closed_epochs(
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server: Any,
    sim_seeds_dir: Path,
    pipelines_dir: Path,
    sim_config_factory: Callable[..., Any],
) -> None:
    last = sim_network.n_epochs - 1
    complete = sim_network.rewards_complete_slot(last)
    first_next = sim_network.schedule.first_slot(last + 1)
    tip = max(first_next, sim_network.first_produced_slot(last + 1))
    assert tip < complete, "the scenario pays rewards over several slots"
    sim_server.set_tip_slot(tip)
    config = sim_config_factory(sim_server, env={"AURORA_SOLANA_START_EPOCH": str(last - 1)})

    result = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(result.epochs_loaded) == [last - 1]
    assert list(result.not_closed) == [last]
    with pytest.raises(EpochNotClosed) as rewards_paid:
        ingest("duckdb", config, sim_seeds_dir, pipelines_dir, [last])
    assert rewards_paid.value.epoch == last and "-32017" in str(rewards_paid.value)
    with pytest.raises(EpochNotClosed):
        ingest("duckdb", config, sim_seeds_dir, pipelines_dir, [last + 1])

    sim_server.set_tip_slot(complete)
    later = ingest("duckdb", config, sim_seeds_dir, pipelines_dir)
    assert list(later.epochs_loaded) == [last]
    assert_matches_truth("duckdb", sim_network, [last - 1, last])


def test_replay_rebuilds_the_same_raw_tables(
    tmp_path: Path,
    duckdb_target_env: dict[str, str],
    sim_network: Network,
    sim_server: Any,
    sim_seeds_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    sim_config_factory: Callable[..., Any],
) -> None:
    from ingest.core.archive import ReplayServer

    archive = tmp_path / "archive"
    env = {"AURORA_SOLANA_START_EPOCH": "20"}
    config = sim_config_factory(sim_server, env=env)
    live = ingest("duckdb", config, sim_seeds_dir, tmp_path / "p1", archive_dir=archive)
    assert (archive / "index.jsonl").is_file()
    original = {name: dump("duckdb", name, ("started_at", "finished_at")) for name in TABLES}
    sim_server.stop()

    monkeypatch.setenv("AURORA_DUCKDB_PATH", str(tmp_path / "replayed.duckdb"))
    with ReplayServer(archive) as replay:
        assert replay.rpc_url.endswith("/solana_rpc") and replay.kobe_url.endswith("/jito_kobe")
        replay_config = sim_config_factory(replay, env=env)
        again = ingest("duckdb", replay_config, sim_seeds_dir, tmp_path / "p2")
        assert replay.misses == 0
    assert again.epochs_loaded == live.epochs_loaded
    replayed = {name: dump("duckdb", name, ("started_at", "finished_at")) for name in TABLES}
    for name in TABLES:
        assert replayed[name] == original[name], name


def test_load_registry(
    duckdb_target_env: dict[str, str], sim_config: Any, pipelines_dir: Path
) -> None:
    counts = load_registry("duckdb", sim_config, pipelines_dir)
    assert counts["chains"] == len(sim_config.chains)
    counts = load_registry("duckdb", sim_config, pipelines_dir)  # replace, not append
    rows = q("duckdb", "select provider, base_url from raw_registry.providers order by 1")
    assert [p for p, _ in rows] == sorted(sim_config.providers)
    assert q("duckdb", "select count(*) from raw_registry.chains") == [(counts["chains"],)]
    assert all("api-key" not in url for _, url in rows)
    # the no-op check reads the DuckDB file directly, and sees exactly what dlt reads back
    from ingest import registry
    from ingest.core.destination import dlt_pipeline

    pipeline = dlt_pipeline("duckdb", registry.PIPELINE_NAME, registry.DATASET, pipelines_dir)
    held = registry._held_rows("duckdb")
    assert held is not None and held == registry._loaded_rows(pipeline)
    assert held == registry._as_sets(registry.registry_rows(sim_config))
