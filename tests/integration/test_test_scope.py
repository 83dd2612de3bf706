"""Data tests on the canonical tables scoped to the restated periods (macros/test_scope.sql,
methodology §7.3), on a copy of the shared demo warehouse, on DuckDB and PostgreSQL.

With the var `aurora_tests_since` (what `aurora build` passes when only new loads came since the
last complete build), a canonical test checks the periods holding a row of a later load: a bad row
in such a period fails it, a bad row in an untouched period is left to the full check, which a
plain `dbt test` (CI, the test suite) and `--full-refresh` always run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# the uniqueness test of (chain, period_id, stake_unit_id)
TEST = "canonical_stake_rewards,test_name:unique_combination_of_columns"


def _unique_test(wh: Any, since: str | None) -> int:
    """The canonical stake rewards' uniqueness test: dbt's exit code."""
    found = wh.dbt(
        "test",
        "--select",
        TEST,
        vars={"aurora_tests_since": since} if since else None,
        check=False,
    )
    assert "Compilation Error" not in found.stdout, found.stdout[-3000:]
    return found.returncode


@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_scoped_tests_check_restated_periods_and_the_full_check_everything(
    shared_warehouses: Any, tmp_path: Path, target: str
) -> None:
    with shared_warehouses.copy(target, tmp_path, target_path=tmp_path / "target") as wh:
        periods = sorted(
            int(p)
            for (p,) in wh.query(
                "select distinct period_id from canonical.canonical_stake_rewards"
                " where chain = 'solana'"
            )
        )
        old, restated = str(periods[0]), str(periods[-1])
        # a time after every load the warehouse holds: "the last build started then"
        (newest,) = wh.query(
            "select cast(max(_dlt_loaded_at) as varchar) from canonical.canonical_stake_rewards"
        )[0]
        since = "2100-01-01 00:00:00"
        assert str(newest) < since
        assert _unique_test(wh, since) == 0 and _unique_test(wh, None) == 0

        # a duplicate in an old, untouched period: outside the scope, caught by the full check
        wh.execute(
            "insert into canonical.canonical_stake_rewards "
            "select * from canonical.canonical_stake_rewards "
            f"where chain = 'solana' and period_id = '{old}' order by stake_unit_id limit 1"
        )
        assert _unique_test(wh, since) == 0
        assert _unique_test(wh, None) != 0

        # the restated period: its rows carry a load after `since`; a duplicate there fails
        wh.execute(
            "update canonical.canonical_stake_rewards "
            "set _dlt_loaded_at = cast('2100-01-02 00:00:00+00' as timestamp with time zone) "
            f"where chain = 'solana' and period_id = '{restated}'"
        )
        assert _unique_test(wh, since) == 0  # restated, still clean
        wh.execute(
            "insert into canonical.canonical_stake_rewards "
            "select * from canonical.canonical_stake_rewards "
            f"where chain = 'solana' and period_id = '{restated}' order by stake_unit_id limit 1"
        )
        assert _unique_test(wh, since) != 0
