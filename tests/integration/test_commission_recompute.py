"""Partner commissions recomputed in plain Python from the simulator's ground truth (methodology
§4-§6), compared with the marts of a warehouse built end to end (`aurora demo`: simulator over HTTP
-> ingestion -> dbt build) on DuckDB and on PostgreSQL, line for line and hash for hash.

The recomputation (``compute``, tests/recompute.py) never reads the warehouse: it takes the
simulator's truth (``truth.stake_accounts_snapshot``, ``truth.stake_rewards``,
``truth.validator_epochs``) and the seed CSVs, and restates the contract in integer Python. Every
amount is an ``int`` in lamports; every division truncates toward zero (``tdiv``). One statement is
also worked by hand below (``test_hand_worked_statement``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from recompute import (
    NO_LIMIT,
    StakeRow,
    Statement,
    ValidatorEpoch,
    _plain,
    compute,
    inputs_from_truth,
    load_prices,
    load_seeds,
)

# ------------------------------------------------------------------------------------ fixtures

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds"
FINANCE_TABLES = (
    "dim_partners",
    "partner_stake_attributions",
    "partner_commission_bases",
    "partner_commission_lines",
    "partner_commission_statements",
)
LINE_SQL = (
    "select partner_id, agreement_id, version, rule_id, tier_index, rule_type, component, "
    "statement_month, period_id, validator_id, basis_native, rate_bps, numerator, denominator, "
    "amount_native from marts.partner_commission_lines "
    # the Solana statements (the Ethereum ones: tests/integration/test_ethereum_warehouse.py)
    "where agreement_id in (select agreement_id from seeds.agreements where chain = 'solana')"
)
STATEMENT_SQL = (
    "select partner_id, agreement_id, chain, statement_month, line_count, total_native, "
    "price_micro_usd, total_usd_micro, total_usd_cents, lines_sha256 "
    "from marts.partner_commission_statements where chain = 'solana'"
)


def warehouse_lines(wh: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (tuple(_plain(v) for v in row) for row in wh.query(LINE_SQL)),
        key=lambda r: tuple("" if v is None else str(v) for v in r),
    )


def warehouse_statements(wh: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(_plain(v) for v in row) for row in wh.query(STATEMENT_SQL))


def expected_lines(statements: Mapping[tuple[str, str, str], Statement]) -> list[tuple[Any, ...]]:
    rows = [
        (
            line.partner_id,
            line.agreement_id,
            line.version,
            line.rule_id,
            line.tier_index,
            line.rule_type,
            line.component,
            line.statement_month,
            line.period_id,
            line.validator_id,
            line.basis_native,
            line.rate_bps,
            line.numerator,
            line.denominator,
            line.amount_native,
        )
        for st in statements.values()
        for line in st.lines
    ]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def expected_statements(
    statements: Mapping[tuple[str, str, str], Statement],
) -> list[tuple[Any, ...]]:
    return sorted(
        (
            st.partner_id,
            st.agreement_id,
            st.chain,
            st.statement_month,
            st.line_count,
            st.total_native,
            st.price_micro_usd,
            st.total_usd_micro,
            st.total_usd_cents,
            st.lines_sha256,
        )
        for st in statements.values()
    )


def table_digest(wh: Any, table: str) -> str:
    """SHA-256 of a mart's rows (every column as text, rows sorted): equal digests, equal bytes."""
    columns = [
        r[0]
        for r in wh.query(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            f"and table_name = '{table}' order by ordinal_position"
        )
    ]
    assert columns, f"marts.{table} does not exist"
    text = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
    rows = sorted("|".join(row) for row in wh.query(f"select {text} from marts.{table}"))
    return hashlib.sha256("\n".join([",".join(columns), *rows]).encode()).hexdigest()


@pytest.fixture(scope="module")
def truth_inputs() -> tuple[list[StakeRow], list[ValidatorEpoch]]:
    from ingest.simulator.network import Scenario, build_network

    return inputs_from_truth(build_network(Scenario()))


def recompute(
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
    knowledge_date: date = NO_LIMIT,
) -> dict[tuple[str, str, str], Statement]:
    stake, epochs = truth_inputs
    return compute(
        stake,
        epochs,
        load_seeds(SEEDS_DIR),
        load_prices(SEEDS_DIR / "prices.csv"),
        knowledge_date,
    )


@pytest.fixture(scope="module")
def built(demo_warehouses: Mapping[str, Any]) -> Mapping[str, Any]:
    """`aurora demo` on a fresh DuckDB file and a fresh PostgreSQL database: the session's shared
    demo warehouses (conftest), built on first use."""
    return demo_warehouses


# --------------------------------------------------------------------------------------- tests


@pytest.mark.slow
def test_marts_equal_python_recompute_line_for_line(
    built: Mapping[str, Any], truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]]
) -> None:
    statements = recompute(truth_inputs)
    want_lines = expected_lines(statements)
    want_statements = expected_statements(statements)
    assert len(want_lines) > 300 and len(want_statements) == 20
    for target, wh in built.items():
        got_lines = warehouse_lines(wh)
        got_set, want_set = set(got_lines), set(want_lines)
        missing = [r for r in want_lines if r not in got_set]
        extra = [r for r in got_lines if r not in want_set]
        assert not missing and not extra, f"{target}: missing {missing[:3]} extra {extra[:3]}"
        assert got_lines == want_lines, target
        assert warehouse_statements(wh) == want_statements, target


@pytest.mark.slow
def test_duckdb_and_postgres_give_identical_hashes_and_rows(built: Mapping[str, Any]) -> None:
    duck, pg = built["duckdb"], built["postgres"]
    hashes = "select agreement_id, statement_month, lines_sha256 from marts.partner_commission_statements"
    assert sorted(duck.query(hashes)) == sorted(pg.query(hashes))
    for table in FINANCE_TABLES:
        assert table_digest(duck, table) == table_digest(pg, table), table


@pytest.mark.slow
def test_rebuilding_gives_identical_bytes(
    built: Mapping[str, Any], shared_warehouses: Any, tmp_path: Path
) -> None:
    for target, demo in built.items():
        before = {t: table_digest(demo, t) for t in FINANCE_TABLES}
        # the rebuild runs on a copy: the shared demo warehouse stays as `aurora demo` left it
        with shared_warehouses.copy(target, tmp_path) as wh:
            wh.dbt(
                "build",
                "--select",
                "path:dbt_project/intermediate/finance",
                "path:dbt_project/marts/finance",
            )
            assert {t: table_digest(wh, t) for t in FINANCE_TABLES} == before, target


@pytest.mark.slow
def test_knowledge_date_excludes_the_later_correction(
    built: Mapping[str, Any],
    shared_warehouses: Any,
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
    tmp_path: Path,
) -> None:
    """Orbit Labs' correction (v2, recorded 2026-04-10) restates February; with knowledge_date
    2026-04-01 the February statement is the one computed under v1, as it was first sent."""
    source = built["duckdb"]
    # on a copy, with its own dbt target folder: other --vars mean a full parse anyway, and it
    # must not replace the partial-parse state the other copies share
    with shared_warehouses.copy("duckdb", tmp_path, target_path=tmp_path / "target_duckdb") as wh:
        wh.dbt(
            "build",
            "--select",
            "path:dbt_project/intermediate/finance",
            "path:dbt_project/marts/finance",
            vars={"knowledge_date": "2026-04-01"},
        )
        as_of = recompute(truth_inputs, date(2026, 4, 1))
        assert warehouse_lines(wh) == expected_lines(as_of)
        assert warehouse_statements(wh) == expected_statements(as_of)
        feb = "where agreement_id = 'orbit-referral-2026' and statement_month = '2026-02'"
        versions_now = source.query(
            f"select distinct version from marts.partner_commission_lines {feb}"
        )
        versions_then = wh.query(
            f"select distinct version from marts.partner_commission_lines {feb}"
        )
        assert versions_now == [(2,)] and versions_then == [(1,)]
        hash_sql = f"select lines_sha256 from marts.partner_commission_statements {feb}"
        assert source.query(hash_sql) != wh.query(hash_sql)
        # months the correction does not cover are unchanged
        others = (
            "select agreement_id, statement_month, lines_sha256 from "
            "marts.partner_commission_statements where not (agreement_id = 'orbit-referral-2026' "
            "and statement_month = '2026-02')"
        )
        assert sorted(source.query(others)) == sorted(wh.query(others))


# ---------------------------------------------------------------- one statement worked by hand

AURORA_04 = "DgtuDZq6VSsFBz75JDax1c1StYWE6fdzG7sxm4funzH2"
AURORA_05 = "9MUTNnYnZFyXNn2r5AuxsbWsBtp2RLQLiK9qfUMEgnHD"
ORBIT_ACCOUNTS = {
    "5Yto43j63oRNkBjGQQRh32vbfT6Pe15AHg7NHCyunMZ8",  # on aurora-04
    "D7D41dNE6NcCqcRkhfrXFx5Cn6kJZ3LRfiwzUj6Zqyaw",  # on aurora-04
    "DeX1YPZbqAezU5JLuMvZVduJ5NX7n7RAJJDirema2UMo",  # on aurora-05
    "2zMNfL153CFzuAykpWije5tYe2wrbzfj3xQL8JnQxwQX",  # on aurora-05 (activated in epoch 11)
}
# Orbit Labs, April 2026 (epochs 21, 22, 23: period dates 2026-04-01, 04-03, 04-07), agreement
# orbit-referral-2026 v1: pct_gross 100 bps on `all` + a 250.00 USD monthly retainer.
# Inputs per (epoch, validator): R_A (Orbit's staker rewards), R_V (all staker rewards of the
# validator), inflation commission, block fees, MEV rewards (Kobe's pot).
ORBIT_APRIL_INPUTS = {
    (21, AURORA_04): (27585148533, 269739827317, 23455637141, 64851976, 20717964714),
    (22, AURORA_04): (27281408159, 266769719112, 23197366862, 47148883, 27758957234),
    (23, AURORA_04): (27474697488, 268659787971, 23361720674, 95714290, 39473174877),
    (21, AURORA_05): (31557669815, 258197619131, 7985493357, 70819864, 23054125501),
    (22, AURORA_05): (31748158767, 259756156069, 8033695530, 49217356, 39172114600),
    (23, AURORA_05): (31716410609, 259496399911, 8025661835, 0, 39399528908),
}
# Worked for (21, aurora-04), each basis one truncated division by R_V = 269,739,827,317:
#   inflation  trunc(23,455,637,141 x 27,585,148,533 / R_V) = 2,398,708,566
#   block fees trunc(64,851,976 x 27,585,148,533 / R_V)     =     6,632,136
#   MEV gross  trunc(20,717,964,714 x 27,585,148,533 / R_V) = 2,118,738,414
#   gross = R_A + inflation basis + block fees basis + MEV gross
#         = 27,585,148,533 + 2,398,708,566 + 6,632,136 + 2,118,738,414 = 32,109,227,649
#   line  = trunc(32,109,227,649 x 100 / 10,000) = 321,092,276 (the .49 lamport stays with us)
# The other five lines, the same way:
#   (22, aurora-04) 27,281,408,159 + 2,372,296,359 + 4,821,716 + 2,838,790,867 = 32,497,317,101
#   (23, aurora-04) 27,474,697,488 + 2,389,104,127 + 9,788,294 + 4,036,754,241 = 33,910,344,150
#   (21, aurora-05) 31,557,669,815 +   976,010,404 + 8,655,811 + 2,817,742,792 = 35,360,078,822
#   (22, aurora-05) 31,748,158,767 +   981,901,815 + 6,015,489 + 4,787,730,663 = 37,523,806,734
#   (23, aurora-05) 31,716,410,609 +   980,919,913 +         0 + 4,815,525,907 = 37,512,856,429
# Retainer: 25,000 cents at April's last close (2026-04-30, 176.158797 USD/SOL):
#   trunc(25,000 x 10^4 x 10^9 / 176,158,797) = trunc(250,000,000,000,000,000 / 176,158,797)
#   = 1,419,174,087 lamports.
ORBIT_APRIL_LINES = [
    f"21|{AURORA_04}|orbit-v1-gross|0|all|32109227649|100|321092276",
    f"22|{AURORA_04}|orbit-v1-gross|0|all|32497317101|100|324973171",
    f"23|{AURORA_04}|orbit-v1-gross|0|all|33910344150|100|339103441",
    f"21|{AURORA_05}|orbit-v1-gross|0|all|35360078822|100|353600788",
    f"22|{AURORA_05}|orbit-v1-gross|0|all|37523806734|100|375238067",
    f"23|{AURORA_05}|orbit-v1-gross|0|all|37512856429|100|375128564",
    "||orbit-v1-retainer|0|all|||1419174087",
]
# total = 321,092,276 + 324,973,171 + 339,103,441 + 353,600,788 + 375,238,067 + 375,128,564
#       + 1,419,174,087 = 3,508,310,394 lamports
# USD   = trunc(3,508,310,394 x 176,158,797 / 10^9) = 618,019,738 micro-USD
# cents = half-even(61,801.9738) = 61,802 (payable: the agreement's statement currency is usd)
ORBIT_APRIL_TOTALS = (7, 3508310394, 176158797, 618019738, 61802)


def test_hand_worked_statement_inputs_and_python(
    truth_inputs: tuple[list[StakeRow], list[ValidatorEpoch]],
) -> None:
    """The hand-worked inputs are the simulator's truth, and the recomputation agrees."""
    stake, epochs = truth_inputs
    revenue = {(ve.epoch, ve.validator_id): ve for ve in epochs}
    for (epoch, validator_id), (r_a, r_v, infl, fees, mev_rewards) in ORBIT_APRIL_INPUTS.items():
        rows = [s for s in stake if s.epoch == epoch and s.validator_id == validator_id]
        assert sum(s.reward for s in rows) == r_v
        assert sum(s.reward for s in rows if s.stake_account in ORBIT_ACCOUNTS) == r_a
        ve = revenue[(epoch, validator_id)]
        assert (ve.inflation_commission, ve.block_fees, ve.mev_rewards) == (infl, fees, mev_rewards)
    st = recompute(truth_inputs)[("orbit-labs", "orbit-referral-2026", "2026-04")]
    assert sorted(line.serialise() for line in st.lines) == sorted(ORBIT_APRIL_LINES)
    assert (
        st.line_count,
        st.total_native,
        st.price_micro_usd,
        st.total_usd_micro,
        st.total_usd_cents,
    ) == ORBIT_APRIL_TOTALS
    hand_hash = hashlib.sha256(
        b"\n".join(sorted(text.encode() for text in ORBIT_APRIL_LINES))
    ).hexdigest()
    assert st.lines_sha256 == hand_hash


@pytest.mark.slow
def test_hand_worked_statement_in_the_marts(built: Mapping[str, Any]) -> None:
    hand_hash = hashlib.sha256(
        b"\n".join(sorted(text.encode() for text in ORBIT_APRIL_LINES))
    ).hexdigest()
    where = "where agreement_id = 'orbit-referral-2026' and statement_month = '2026-04'"
    for target, wh in built.items():
        texts = [
            r[0] for r in wh.query(f"select line_text from marts.partner_commission_lines {where}")
        ]
        assert sorted(texts) == sorted(ORBIT_APRIL_LINES), target
        (row,) = wh.query(
            "select line_count, total_native, price_micro_usd, total_usd_micro, total_usd_cents, "
            f"lines_sha256 from marts.partner_commission_statements {where}"
        )
        assert tuple(_plain(v) for v in row) == (*ORBIT_APRIL_TOTALS, hand_hash), target


# ------------------------------------------------------------------ the sample seeds' features


@pytest.mark.slow
def test_every_sample_feature_bites(built: Mapping[str, Any]) -> None:
    """Where each feature of seeds/*.csv shows in the demo (the report lists the same map)."""
    wh = built["duckdb"]

    def q(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in wh.query(sql)]

    # Lumen Wallet: a marginal tier on `all` crossing three bands in every epoch (measure ~98k SOL)
    bands = q(
        "select period_id, validator_id, count(*) from marts.partner_commission_lines "
        "where agreement_id = 'lumen-wallet-2026' and tier_mode = 'marginal' group by 1, 2"
    )
    assert bands and {n for _, _, n in bands} == {3}
    # ... amended mid-February: v1 up to 2026-02-14, v2 (recorded 2026-02-10) from 2026-02-15
    assert q(
        "select version, min(period_date), max(period_date) from marts.partner_commission_lines "
        "where agreement_id = 'lumen-wallet-2026' and statement_month = '2026-02' "
        "group by 1 order by 1"
    ) == [(1, date(2026, 2, 2), date(2026, 2, 14)), (2, date(2026, 2, 18), date(2026, 2, 26))]
    # ... a withdraw-authority partner
    assert q(
        "select distinct key_type from marts.partner_stake_attributions "
        "where agreement_id = 'lumen-wallet-2026'"
    ) == [("withdraw_authority",)]

    # Northwind Exchange: the cap binds in March (a 5th account joins on 2026-03-01), the minimum
    # in April (three epochs); neither in January or February
    assert q(
        "select statement_month, rule_type, amount_native < 0 from marts.partner_commission_lines "
        "where agreement_id = 'northwind-exchange-2026' and period_id is null order by 1"
    ) == [("2026-03", "cap", True), ("2026-04", "minimum", False)]
    assert q(
        "select statement_month, total_native from marts.partner_commission_statements "
        "where agreement_id = 'northwind-exchange-2026' and statement_month >= '2026-03' "
        "order by 1"
    ) == [("2026-03", 255_000_000_000), ("2026-04", 150_000_000_000)]
    # ... its 0 bps block-fees rule never emits a line
    assert q(
        "select count(*) from marts.partner_commission_lines "
        "where rule_id = 'northwind-v1-block-fees'"
    ) == [(0,)]
    # ... a stake account claimed at two precedences: Northwind's stake_account key beats Lumen's
    # withdraw authority (EdMiRn...) and Helios' white label (31QTdry...)
    assert q(
        "select distinct stake_account, agreement_id, key_type "
        "from marts.partner_stake_attributions where stake_account in "
        "('EdMiRnRAxuXF1r8fvPXhdQ3Zb2zDrGayycC2jRtXtjmq', "
        "'31QTdryHVHkJjenxpKAwNBTttR38yLq2thV74nGUvtk2') order by 1"
    ) == [
        (
            "31QTdryHVHkJjenxpKAwNBTttR38yLq2thV74nGUvtk2",
            "northwind-exchange-2026",
            "stake_account",
        ),
        (
            "EdMiRnRAxuXF1r8fvPXhdQ3Zb2zDrGayycC2jRtXtjmq",
            "northwind-exchange-2026",
            "stake_account",
        ),
    ]

    # Helios Staking: white label of aurora-02 (100% commission, R_V = 0): the share falls back to
    # delegated stake, minus the accounts that more specific keys claim
    assert q(
        "select distinct validator_id, key_type from marts.partner_stake_attributions "
        "where agreement_id = 'helios-white-label-2026'"
    ) == [("9RSNZddTHHuP6qNdgD4fLThnd2CxbJ2hMbFe98byq3VV", "vote_account")]
    shares = q(
        "select distinct share_weight, share_numerator_native < share_denominator_native "
        "from marts.partner_commission_bases where agreement_id = 'helios-white-label-2026'"
    )
    assert shares == [("delegated_stake", True)]

    # Orbit Labs: a USD retainer converted at each month's last close, numerator and denominator on
    # the line; a pct_gross rule; a correction (v2, recorded 2026-04-10) restating February only
    assert q(
        "select statement_month, numerator, denominator is not null "
        "from marts.partner_commission_lines where rule_type = 'fixed_fee' "
        "and agreement_id = 'orbit-referral-2026' order by 1"
    ) == [(m, 25_000 * 10**13, True) for m in ("2026-01", "2026-02", "2026-03", "2026-04")]
    assert q(
        "select statement_month, min(version), max(version) from marts.partner_commission_lines "
        "where agreement_id = 'orbit-referral-2026' group by 1 order by 1"
    ) == [("2026-01", 1, 1), ("2026-02", 2, 2), ("2026-03", 1, 1), ("2026-04", 1, 1)]

    # Cobalt Custody: terminated on 2026-03-15: no line for periods dated on or after it; April
    # (a month starting after termination) has a statement with no lines
    assert q(
        "select max(period_date) from marts.partner_commission_lines "
        "where agreement_id = 'cobalt-custody-2026'"
    ) == [(date(2026, 3, 14),)]
    assert q(
        "select line_count, total_native, lines_sha256 from marts.partner_commission_statements "
        "where agreement_id = 'cobalt-custody-2026' and statement_month = '2026-04'"
    ) == [(0, 0, hashlib.sha256(b"").hexdigest())]
    # ... a flat tier on inflation: band 2 (10,000+ SOL) for every epoch
    assert q(
        "select distinct tier_index from marts.partner_commission_lines "
        "where rule_id = 'cobalt-v1-inflation'"
    ) == [(2,)]

    # Epoch 21 ends on 2026-04-01 (epoch 22's first slots are skipped): it is on April's statements
    assert q(
        "select distinct statement_month from marts.partner_commission_lines where period_id = '21'"
    ) == [("2026-04",)]


# ---------------------------------------------------------------------------------- the export


@pytest.mark.slow
def test_export_gives_identical_bytes_on_both_engines(
    built: Mapping[str, Any], tmp_path: Path
) -> None:
    """`aurora statements export` writes the same file from DuckDB and from PostgreSQL, and the
    hashes in it are the marts' (and the hand-worked statement's)."""
    import json

    from support import run_aurora

    outputs: dict[str, bytes] = {}
    for target, wh in built.items():
        for fmt in ("csv", "json"):
            out = tmp_path / f"{target}.{fmt}"
            result = run_aurora(
                [
                    "statements",
                    "export",
                    "--month",
                    "2026-04",
                    "--format",
                    fmt,
                    "--target",
                    target,
                    "--output",
                    str(out),
                ],
                wh.env,
                timeout=300,
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            outputs[f"{target}.{fmt}"] = out.read_bytes()
    if "postgres" in built:
        assert outputs["duckdb.csv"] == outputs["postgres.csv"]
        assert outputs["duckdb.json"] == outputs["postgres.json"]
    doc = json.loads(outputs["duckdb.json"])
    orbit = next(s for s in doc["statements"] if s["agreement_id"] == "orbit-referral-2026")
    assert [line["line_text"] for line in orbit["lines"]] == sorted(
        ORBIT_APRIL_LINES, key=lambda text: text.encode()
    )
    assert orbit["payable_unit"] == "usd_cents" and orbit["payable_amount"] == 61802
    assert orbit["payable_display"] == "618.02" and orbit["total"] == "3.508310394"
    hashes = dict(
        built["duckdb"].query(
            "select agreement_id, lines_sha256 from marts.partner_commission_statements "
            "where statement_month = '2026-04'"
        )
    )
    assert {s["agreement_id"]: s["lines_sha256"] for s in doc["statements"]} == hashes
