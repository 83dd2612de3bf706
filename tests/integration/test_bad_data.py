"""Bad data is caught by NAMED dbt tests: each case crafts raw rows in a copy of a built warehouse
(the DEFAULT simulated network, ingested and built), as a new completed dlt load, runs `dbt build`
(incremental: the new load is picked up) and asserts that exactly the named test fails.

Cases: a duplicate block reward, a missing epoch between loaded ones, a vote account without
identity, an identity other than seeds/validators.csv expects, a negative block fee. A missing SOL
price (seed edit) makes the warning test name the gap while the P&L keeps its native figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

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
NEW_LOAD_ID = "2000000000.0000001"


@pytest.fixture(scope="module")
def base(demo_warehouses: Mapping[str, Any]) -> Mapping[str, Any]:
    """A warehouse per engine with the default network ingested and built (`aurora demo`): the
    session's shared demo warehouses (conftest). PostgreSQL is part of the product: an unreachable
    server fails, never skips."""
    return demo_warehouses


@pytest.fixture
def copy_of(shared_warehouses: Any) -> Callable[[Any, Path], Any]:
    """``copy_of(base_wh, tmp_path)``: an independent copy of a built warehouse (a copied DuckDB
    file, or a PostgreSQL database created from the built one as template), removed afterwards."""

    def make(base_wh: Any, tmp_path: Path) -> Any:
        return shared_warehouses.copy(base_wh.target, tmp_path)

    return make


def columns_of(wh: Any, table: str) -> list[str]:
    return [
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns "
            f"where table_schema = 'raw_solana' and table_name = '{table}' "
            "order by ordinal_position"
        )
    ]


def new_load(wh: Any) -> None:
    """Register NEW_LOAD_ID as a completed dlt load (status 0, completed now)."""
    wh.execute(
        "insert into raw_solana._dlt_loads "
        "(load_id, schema_name, status, inserted_at, schema_version_hash) "
        f"select '{NEW_LOAD_ID}', schema_name, 0, current_timestamp, schema_version_hash "
        "from raw_solana._dlt_loads where status = 0 order by load_id limit 1"
    )


def clone_row(wh: Any, table: str, where: str, changes: dict[str, str]) -> None:
    """Insert a copy of one raw row matching `where`, with `changes` (column -> SQL expression),
    as part of the new load."""
    changes = {**changes, "_dlt_load_id": f"'{NEW_LOAD_ID}'"}
    if "_dlt_id" in columns_of(wh, table):
        changes.setdefault("_dlt_id", "'crafted'")
    cols = columns_of(wh, table)
    select = ", ".join(changes.get(c, c) for c in cols)
    n = wh.query(f"select count(*) from raw_solana.{table} where {where}")[0][0]
    assert n >= 1, f"no {table} row where {where}"
    wh.execute(
        f"insert into raw_solana.{table} ({', '.join(cols)}) "
        f"select {select} from raw_solana.{table} where {where} order by {cols[-1]} limit 1"
    )


def statuses(wh: Any) -> dict[str, str]:
    """Status of every test of the last dbt invocation, keyed by test name."""
    return {name: r["status"] for name, r in wh.run_results().items()}


def assert_named_test_fails(wh: Any, name: str) -> dict[str, str]:
    result = wh.dbt("build", *SELECT, check=False)
    got = statuses(wh)
    matching = {k: v for k, v in got.items() if k == name or k.startswith(name + "_")}
    assert matching, f"test {name} did not run:\n{result.stdout[-3000:]}"
    assert set(matching.values()) == {"fail"}, (matching, result.stdout[-3000:])
    return got


def operator(wh: Any) -> tuple[str, str]:
    """(vote account, identity) of one operator validator."""
    row = wh.query(
        "select validator_id, identity_pubkey from seeds.validators "
        "where chain = 'solana' order by validator_id limit 1"
    )[0]
    return row[0], row[1]


# ------------------------------------------------------------------------------------- cases
def duplicate_block_reward(wh: Any) -> str:
    """The same Fee reward twice in one block (a second rewards[] entry)."""
    new_load(wh)
    clone_row(
        wh,
        "block_rewards",
        "reward_type = 'Fee' and slot = (select min(slot) from raw_solana.block_rewards)",
        {"reward_index": "reward_index + 100"},
    )
    return "no_duplicate_block_reward"


def missing_epoch(wh: Any) -> str:
    """An epoch loaded two epochs past the last one: the epoch in between is missing."""
    new_load(wh)
    clone_row(
        wh,
        "ingestion_runs",
        "epoch = (select max(epoch) from raw_solana.ingestion_runs) and scope = 'full'",
        {"epoch": "epoch + 2", "ingestion_run_id": "'crafted-run'"},
    )
    return "assert_canonical_periods_contiguous"


def vote_account_without_identity(wh: Any) -> str:
    """getVoteAccounts returned a vote account without a node pubkey."""
    new_load(wh)
    clone_row(
        wh,
        "vote_accounts",
        "epoch = 5 and vote_pubkey = (select min(vote_pubkey) from raw_solana.vote_accounts)",
        {"vote_pubkey": "'CraftedVoteAccount1111111111111111111111111'", "node_pubkey": "null"},
    )
    return "vote_account_has_identity"


def unexpected_identity(wh: Any) -> str:
    """A provider reports another identity for one of the operator's vote accounts."""
    vote, _ = operator(wh)
    where = f"epoch = 7 and vote_pubkey = '{vote}'"
    new_load(wh)
    clone_row(
        wh, "vote_accounts", where, {"node_pubkey": "'CraftedIdentity11111111111111111111111111'"}
    )
    wh.execute(
        f"delete from raw_solana.vote_accounts where {where} and _dlt_load_id <> '{NEW_LOAD_ID}'"
    )
    return "assert_canonical_identity_matches_validators_seed"


def negative_block_fee(wh: Any) -> str:
    """A Fee reward with negative lamports."""
    new_load(wh)
    clone_row(
        wh,
        "block_rewards",
        "reward_type = 'Fee' and slot = (select max(slot) from raw_solana.block_rewards)",
        {
            "reward_index": "reward_index + 100",
            "pubkey": "'CraftedFeeRecipient1111111111111111111111111'",
            "lamports": "0 - 5",
        },
    )
    return "no_negative_block_fee"


CASES: dict[str, Callable[[Any], str]] = {
    "duplicate_block_reward": duplicate_block_reward,
    "missing_epoch": missing_epoch,
    "vote_account_without_identity": vote_account_without_identity,
    "unexpected_identity": unexpected_identity,
    "negative_block_fee": negative_block_fee,
}
TARGETS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_crafted_raw_row_fails_its_named_test(
    base: Mapping[str, Any],
    copy_of: Callable[[Any, Path], Any],
    target: str,
    case: str,
    tmp_path: Path,
) -> None:
    with copy_of(base[target], tmp_path) as wh:
        # (the copy was built by `aurora demo` with every test passing)
        name = CASES[case](wh)
        got = assert_named_test_fails(wh, name)
        # and the others named tests did not fail because of it
        others = {
            "no_duplicate_block_reward",
            "assert_canonical_periods_contiguous",
            "vote_account_has_identity",
            "assert_canonical_identity_matches_validators_seed",
            "no_negative_block_fee",
        } - {name}
        for other in others:
            for key, status in got.items():
                if key == other or key.startswith(other + "_"):
                    assert status in ("pass", "skipped"), (other, status)


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_missing_price_nulls_usd_and_warns_naming_the_day(
    base: Mapping[str, Any], copy_of: Callable[[Any, Path], Any], target: str, tmp_path: Path
) -> None:
    with copy_of(base[target], tmp_path) as wh:
        day, period_id, validators = wh.query(
            "select cast(period_date as varchar), min(period_id), count(*) "
            "from marts.validator_pnl group by period_date order by 1 limit 1"
        )[0]
        # finance deletes the close of that day from the seed (here: from the loaded seed table)
        wh.execute(f"delete from seeds.prices where price_date = cast('{day}' as date)")
        result = wh.dbt(
            "build",
            "--select",
            "validator_pnl",
            "assert_pnl_price_available",
            "--indirect-selection",
            "cautious",
            check=False,
        )
        got = statuses(wh)
        assert got["validator_pnl"] == "success", result.stdout[-3000:]
        assert got["assert_pnl_price_available"] == "warn", result.stdout[-3000:]
        assert result.returncode == 0  # a warning does not fail the build
        gap = wh.query(
            "select cast(period_date as varchar), cast(price_micro_usd as varchar), "
            "cast(revenue_usd_micro as varchar), cast(vote_fees_usd_micro as varchar), "
            "cast(pnl_usd_micro as varchar), cast(revenue_native as varchar), "
            "cast(infra_cost_usd_micro as varchar) "
            f"from marts.validator_pnl where period_date = cast('{day}' as date)"
        )
        assert len(gap) == validators
        for _, price, revenue_usd, vote_usd, pnl_usd, revenue_native, infra in gap:
            assert (price, revenue_usd, vote_usd, pnl_usd) == (None, None, None, None)
            assert revenue_native is not None and infra is not None
        # the warning names the gap: the chain, the asset and the day (the test's own rows)
        compiled = wh.target_path / "compiled" / "aurora" / "tests" / "singular"
        sql = (compiled / "assert_pnl_price_available.sql").read_text()
        named = wh.query(
            "select chain, asset, cast(missing_price_date as varchar), "
            f"cast(first_period_id as varchar), cast(validator_period_count as varchar) from ({sql}) as t "
            # the Solana gap made here (the demo's Ethereum gap: test_ethereum_warehouse.py)
            "where t.chain = 'solana'"
        )
        assert named == [("solana", "SOL", day, period_id, str(validators))]
