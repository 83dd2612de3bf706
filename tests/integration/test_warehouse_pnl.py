"""Validator P&L end to end: the DEFAULT simulated network served over HTTP on loopback, ingested
into a fresh DuckDB file and a fresh PostgreSQL database (`aurora demo`: simulator -> dlt ingestion
-> dbt build), compared with the simulator's ground truth to the lamport and the micro-dollar, and
the two engines compared with each other row for row in the text form of every value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"

# Lineage columns that legitimately differ between two warehouses loaded separately.
RUN_SPECIFIC = {"_dlt_load_id", "_dlt_loaded_at"}


def _text(value: Any) -> str | None:
    """The text form of a truth value, as the warehouse prints it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def text_rows(
    wh: Any, relation: str, exclude: set[str] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every row of a relation as text (cast in the warehouse), sorted; columns in name order."""
    exclude = exclude or set()
    schema, table = relation.split(".")
    columns = sorted(
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}'"
        )
        if r[0] not in exclude
    )
    assert columns, f"{relation} does not exist"
    select = ", ".join(f"cast({c} as varchar)" for c in columns)
    rows = wh.query(f"select {select} from {relation}")
    return columns, sorted(rows, key=lambda r: [("" if x is None else "~" + x) for x in r])


@pytest.fixture(scope="module")
def network() -> Any:
    from ingest.simulator.network import Scenario, build_network

    return build_network(Scenario())


@pytest.fixture(scope="module")
def built(demo_warehouses: Mapping[str, Any]) -> Mapping[str, Any]:
    """`aurora demo` on a fresh DuckDB file and a fresh PostgreSQL database: the session's shared
    demo warehouses (conftest), built on first use. PostgreSQL is part of the product: an
    unreachable server fails, never skips."""
    return demo_warehouses


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_validator_pnl_equals_truth(built: Mapping[str, Any], network: Any, target: str) -> None:
    from ingest.simulator import truth

    expected = truth.pnl(network, SEEDS_DIR / "validator_costs.csv", SEEDS_DIR / "prices.csv")
    assert len(expected) == len(network.operator_validators) * network.n_epochs
    cols = truth.PNL_COLUMNS
    want = sorted(tuple(_text(row[c]) for c in cols) for row in expected)
    select = ", ".join(f"cast({c} as varchar)" for c in cols)
    got = sorted(
        built[target].query(f"select {select} from marts.validator_pnl where chain = 'solana'")
    )
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, f"missing {missing[:2]}\nextra {extra[:2]}"
    assert got == want
    # the features of the default network are exercised, not just present
    assert len({r[cols.index("validator_id")] for r in got}) == 5
    assert any(r[cols.index("inflation_commission_native")] == "0" for r in got)  # 0% commission
    assert any(r[cols.index("mev_commission_native")] == "0" for r in got)  # no Jito
    month_end = network.month_end
    assert month_end is not None
    dated = {r[cols.index("period_id")]: r[cols.index("period_date")] for r in got}
    assert dated[str(month_end.epoch)] == month_end.period_date.isoformat()


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_canonical_layer_equals_truth(built: Mapping[str, Any], network: Any, target: str) -> None:
    from ingest.simulator import truth

    wh = built[target]
    want = sorted(
        (
            r["validator_id"],
            str(r["epoch"]),
            r["identity_pubkey"],
            str(r["commission_pct"] * 100),
            str(r["inflation_commission"]),
            str(r["leader_slots"]),
            str(r["produced_blocks"]),
            str(r["skipped_slots"]),
            str(r["block_fees"]),
            str(r["mev_rewards"]),
            _text(r["mev_commission_bps"]),
            str(r["mev_commission"]),
            str(r["vote_tx_count"]),
            str(r["vote_fees"]),
            r["start_at"].strftime("%Y-%m-%d %H:%M:%S"),
            r["end_at"].strftime("%Y-%m-%d %H:%M:%S"),
            r["period_date"].isoformat(),
        )
        for r in truth.validator_epochs(network)
    )
    got = sorted(
        wh.query(
            """
            select
                identities.validator_id,
                identities.period_id,
                identities.identity_pubkey,
                cast(meta.commission_bps as varchar),
                cast(meta.inflation_commission_native as varchar),
                cast(fees.leader_slot_count as varchar),
                cast(fees.produced_block_count as varchar),
                cast(fees.skipped_slot_count as varchar),
                cast(fees.block_fees_native as varchar),
                cast(mev.mev_rewards_native as varchar),
                cast(mev.mev_commission_bps as varchar),
                cast(mev.mev_commission_native as varchar),
                cast(fees.vote_tx_count as varchar),
                cast(fees.vote_fees_native as varchar),
                cast(periods.start_at as varchar),
                cast(periods.end_at as varchar),
                cast(periods.period_date as varchar)
            from canonical.canonical_validator_identities as identities
            inner join canonical.canonical_validator_meta as meta
                on identities.validator_id = meta.validator_id and identities.period_id = meta.period_id
            inner join canonical.canonical_validator_fees as fees
                on identities.validator_id = fees.validator_id and identities.period_id = fees.period_id
            inner join canonical.canonical_validator_mev as mev
                on identities.validator_id = mev.validator_id and identities.period_id = mev.period_id
            inner join canonical.canonical_periods as periods
                on identities.chain = periods.chain and identities.period_id = periods.period_id
            where identities.chain = 'solana'
            """
        )
    )
    assert got == want
    stake_want = sorted(
        (
            r["vote_account"],
            str(r["epoch"]),
            r["stake_account"],
            r["staker"],
            r["withdrawer"],
            str(r["delegated_stake"]),
            str(r["amount"]),
            _text(not r["is_null"]),
            _text(r["post_balance"]),
        )
        for r in truth.iter_stake_rewards(network)
    )
    stake_got = sorted(
        wh.query(
            """
            select validator_id, period_id, stake_account, staker, withdraw_authority,
                cast(delegated_stake_native as varchar), cast(reward_native as varchar),
                cast(has_reward as varchar), cast(post_balance_native as varchar)
            from canonical.canonical_stake_rewards
            where chain = 'solana'
            """
        )
    )
    assert stake_got == stake_want


@pytest.mark.slow
def test_duckdb_and_postgres_marts_identical_row_for_row(built: Mapping[str, Any]) -> None:
    duck, pg = built["duckdb"], built["postgres"]
    relations = sorted(
        f"{s}.{t}"
        for s, t in duck.query(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'canonical')"
        )
    )
    assert {"marts.validator_pnl", "marts.dim_validators", "marts.dim_periods"} <= set(relations)
    for relation in relations:
        d_cols, d_rows = text_rows(duck, relation, RUN_SPECIFIC)
        p_cols, p_rows = text_rows(pg, relation, RUN_SPECIFIC)
        assert d_cols == p_cols, relation
        assert d_rows == p_rows, relation


@pytest.mark.slow
def test_money_columns_have_the_money_type(built: Mapping[str, Any]) -> None:
    expected = {"duckdb": ("HUGEINT", None), "postgres": ("numeric", 0)}
    for target, wh in built.items():
        rows = wh.query(
            "select table_name, column_name, data_type, numeric_scale "
            "from information_schema.columns "
            "where table_schema in ('canonical', 'marts') and table_name in ("
            "'validator_pnl', 'canonical_validator_meta', 'canonical_stake_rewards', "
            "'canonical_validator_fees', 'canonical_validator_mev') "
            "and (column_name like '%\\_native' escape '\\' or column_name like '%\\_usd\\_micro' escape '\\' "
            "or column_name = 'price_micro_usd')"
        )
        assert len(rows) >= 20, target
        data_type, scale = expected[target]
        for table, column, got_type, got_scale in rows:
            assert got_type == data_type, (target, table, column, got_type)
            if scale is not None:
                assert got_scale == scale, (target, table, column, got_scale)


@pytest.mark.slow
def test_rebuild_changes_nothing(
    built: Mapping[str, Any], shared_warehouses: Any, tmp_path: Path
) -> None:
    for target, demo in built.items():
        relations = [
            "canonical.canonical_periods",
            "canonical.canonical_validator_fees",
            "canonical.canonical_stake_rewards",
            "marts.validator_pnl",
        ]
        before = {r: text_rows(demo, r) for r in relations}
        # the rebuild runs on a copy: the shared demo warehouse stays as `aurora demo` left it
        with shared_warehouses.copy(target, tmp_path) as wh:
            wh.dbt(
                "build", "--select", "staging", "+canonical", "+path:dbt_project/marts/validators"
            )
            assert {r: text_rows(wh, r) for r in relations} == before, target
