"""Period close (methodology §9) on DuckDB and PostgreSQL, against the simulator over HTTP.

The story, on a project copy (its seeds are edited at the end) and a fresh warehouse:
1. every epoch is ingested while Jito Kobe withholds the MEV of epochs 6..23 (the simulator's
   late-Kobe mode): January's last epoch (6) has no MEV yet; `aurora build`;
2. refusals: 2026-02 after an open month, 2026-04 with no period after it; `aurora close --month
   2026-01 --no-build` freezes January (the truth without the late MEV); closing it again is
   refused;
3. Kobe publishes the withheld MEV: a Kobe-only re-ingest; closing 2026-02 is refused (the
   warehouse is stale); `aurora build`: January is served from the ledger exactly as it was, and
   2026-02 carries adjustment lines whose amounts per key are the recomputed difference of January
   with and without the late MEV;
4. `aurora close --month 2026-02`, nothing else changes: 2026-03 carries no adjustment;
5. a correction version of an agreement for January is recorded after the close, and the warehouse
   is fully refreshed: January and February are byte-identical, the ledger is kept, and 2026-03
   carries the recomputed difference of January with and without the correction.
On PostgreSQL, UPDATE, DELETE and TRUNCATE on the ledger raise.

Every expected amount comes from the simulator's truth recomputed in Python (tests/recompute.py),
never from the output under test.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

WITHHELD_FROM = 6  # Kobe withholds the MEV of epochs 6.. (the last January epoch is 6)
LINE_KEY = ("agreement_id", "rule_id", "tier_index", "period_id", "validator_id", "component")
Key = tuple[str, str, int, str | None, str | None, str]

CORRECTION_VERSION = "helios-white-label-2026,2,2026-01-01,2026-02-01,2026-02-20,correction\n"
CORRECTION_RULE = (
    "helios-v2-inflation,0,helios-white-label-2026,2,10,pct_commission,inflation,7500,none,,,,\n"
)


def _aurora(project: Path, env: Mapping[str, str], *args: str) -> Any:
    from support import run_aurora_in

    return run_aurora_in(project, list(args), env)


def _ok(result: Any) -> str:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return str(result.stdout) + str(result.stderr)


def _refused(result: Any, message: str) -> None:
    assert result.returncode != 0, result.stdout[-2000:]
    assert message in result.stderr, result.stderr[-2000:]


def _rows(wh: Any, relation: str, month: str, *, exclude: tuple[str, ...] = ()) -> list[Any]:
    """Every row of a month in a relation, every column as text, sorted (byte-identity check)."""
    schema, table = relation.split(".")
    columns = sorted(
        str(r[0])
        for r in wh.query(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}'"
        )
        if r[0] not in exclude
    )
    select = ", ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in columns)
    return sorted(wh.query(f"select {select} from {relation} where statement_month = '{month}'"))


def _adjustments(wh: Any, month: str) -> dict[Key, int]:
    rows = wh.query(
        "select agreement_id, rule_id, tier_index, period_id, validator_id, component, "
        "cast(amount_native as varchar), adjusts_month, rule_type "
        f"from marts.partner_commission_lines where statement_month = '{month}' "
        "and adjusts_month is not null"
    )
    out: dict[Key, int] = {}
    for a, r, t, p, v, c, amount, adjusts, rule_type in rows:
        assert adjusts == "2026-01" and rule_type == "adjustment", (adjusts, rule_type)
        out[(a, r, int(t), p, v, c)] = int(amount)
    return out


def _month_lines(statements: Mapping[Any, Any], month: str) -> dict[Key, int]:
    """Recomputed lines of a month per line key (tests/recompute.py)."""
    out: dict[Key, int] = defaultdict(int)
    for (_, _, m), st in statements.items():
        if m != month:
            continue
        for line in st.lines:
            out[
                (
                    line.agreement_id,
                    line.rule_id,
                    line.tier_index,
                    line.period_id,
                    line.validator_id,
                    line.component,
                )
            ] += line.amount_native
    return dict(out)


def _difference(after: Mapping[Key, int], before: Mapping[Key, int]) -> dict[Key, int]:
    keys = set(after) | set(before)
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in keys}
    return {k: v for k, v in diff.items() if v != 0}


def _hashes_recompute_from_lines(wh: Any) -> None:
    """Every statement's lines_sha256, count and total recompute from the lines table alone."""
    lines: dict[tuple[str, str], list[bytes]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for agreement, month, text, amount in wh.query(
        "select agreement_id, statement_month, line_text, cast(amount_native as varchar) "
        "from marts.partner_commission_lines"
    ):
        lines[(agreement, month)].append(text.encode("utf-8"))
        totals[(agreement, month)] += int(amount)
    for agreement, month, sha, count, total in wh.query(
        "select agreement_id, statement_month, lines_sha256, line_count, "
        "cast(total_native as varchar) from marts.partner_commission_statements"
    ):
        texts = sorted(lines.get((agreement, month), []))
        assert hashlib.sha256(b"\n".join(texts)).hexdigest() == sha, (agreement, month)
        assert (len(texts), totals.get((agreement, month), 0)) == (count, int(total))


@pytest.mark.slow
@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_close_freezes_a_month_and_later_changes_become_adjustments(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recompute import ValidatorEpoch, compute, inputs_from_truth, load_prices, load_seeds
    from support import project_copy, warehouse

    from ingest.simulator.network import Scenario, build_network
    from ingest.simulator.server import SimulatorServer
    from ingest.solana.pipeline import ingest_solana

    network = build_network(Scenario())
    n_epochs = len(network.closed_epochs)
    project = project_copy(tmp_path / "project")
    seeds = project / "seeds"

    # the expected statements, from the simulator's truth
    stake, epochs = inputs_from_truth(network)

    def late(ve: ValidatorEpoch) -> ValidatorEpoch:
        if ve.epoch < WITHHELD_FROM:
            return ve
        return dataclasses.replace(ve, mev_commission=0, mev_rewards=0)

    prices = load_prices(seeds / "prices.csv")
    before_late = compute(stake, [late(ve) for ve in epochs], load_seeds(seeds), prices)
    full = compute(stake, epochs, load_seeds(seeds), prices)

    with (
        warehouse(target, tmp_path) as wh,
        SimulatorServer(network, kobe_withhold_epochs=n_epochs - WITHHELD_FROM) as server,
    ):
        from ingest.demo import simulator_env

        env = {**wh.env, **simulator_env(server.rpc_url, server.kobe_url)}
        for key, value in env.items():
            if key.startswith("AURORA_"):
                monkeypatch.setenv(key, value)
        from ingest.config import load_config

        def ingest() -> Any:
            return ingest_solana(
                target,  # type: ignore[arg-type]
                None,
                load_config(),
                seeds_dir=seeds,
                pipelines_dir=tmp_path / "pipelines",
            )

        # 1. every epoch, with January's last epoch and everything after it lacking MEV
        first = ingest()
        assert first.epochs_loaded == tuple(range(n_epochs))
        _ok(_aurora(project, env, "build"))
        jan_recomputed = _month_lines(before_late, "2026-01")
        assert jan_recomputed != _month_lines(full, "2026-01")  # the late MEV matters

        # 2. refusals, then close January
        _refused(
            _aurora(project, env, "close", "--month", "2026-02", "--no-build"),
            "refusing to close 2026-02 on solana: 2026-01 is still open",
        )
        _refused(
            _aurora(project, env, "close", "--month", "2026-04", "--no-build"),
            "refusing to close 2026-04 on solana: it has an unclosed period: no period dated "
            "after 2026-04",
        )
        open_january = _rows(
            wh, "marts.partner_commission_statements", "2026-01", exclude=("is_closed", "closed_at")
        )
        out = _ok(_aurora(project, env, "close", "--month", "2026-01", "--no-build"))
        assert "closed solana 2026-01" in out
        _refused(
            _aurora(project, env, "close", "--month", "2026-01", "--no-build"),
            "refusing to close 2026-01 on solana: it is already closed",
        )
        # the frozen January is the truth without the late MEV
        got = {
            (a, r, int(t), p, v, c): int(x)
            for a, r, t, p, v, c, x in wh.query(
                "select agreement_id, rule_id, tier_index, period_id, validator_id, component, "
                "cast(amount_native as varchar) from ledger.closed_statement_lines "
                "where statement_month = '2026-01'"
            )
        }
        assert got == jan_recomputed
        listing = _ok(_aurora(project, env, "close", "--list"))
        for (sha,) in wh.query("select lines_sha256 from ledger.closed_statements"):
            assert sha in listing

        # 3. Kobe publishes the late MEV: re-ingest; stale until built; then adjustments
        server.publish_kobe()
        late_load = ingest()
        assert late_load.epochs_loaded == ()
        assert late_load.mev_reingested == tuple(range(WITHHELD_FROM, n_epochs))
        _refused(
            _aurora(project, env, "close", "--month", "2026-02", "--no-build"),
            "refusing to close 2026-02: the warehouse is stale",
        )
        _ok(_aurora(project, env, "build"))
        # January is served from the ledger: what it was when it closed, now marked closed
        served = ("is_closed", "closed_at")
        assert (
            _rows(wh, "marts.partner_commission_statements", "2026-01", exclude=served)
            == open_january
        )
        assert {
            r[0]
            for r in wh.query(
                "select distinct is_closed from marts.partner_commission_statements "
                "where statement_month = '2026-01'"
            )
        } == {True}
        frozen_statements = _rows(wh, "marts.partner_commission_statements", "2026-01")
        frozen_lines = _rows(wh, "marts.partner_commission_lines", "2026-01")
        expected = _difference(_month_lines(full, "2026-01"), jan_recomputed)
        assert expected and _adjustments(wh, "2026-02") == expected
        # the adjustments are on February's statements, after their own lines: February's own
        # lines are the truth with the MEV
        own_feb = {
            (a, r, int(t), p, v, c): int(x)
            for a, r, t, p, v, c, x in wh.query(
                "select agreement_id, rule_id, tier_index, period_id, validator_id, component, "
                "cast(amount_native as varchar) from marts.partner_commission_lines "
                "where statement_month = '2026-02' and adjusts_month is null"
            )
        }
        assert own_feb == _month_lines(full, "2026-02")
        feb_totals = dict(
            wh.query(
                "select agreement_id, cast(total_native as varchar) "
                "from marts.partner_commission_statements where statement_month = '2026-02'"
            )
        )
        for agreement in {k[0] for k in own_feb} | {k[0] for k in expected}:
            want = sum(v for k, v in own_feb.items() if k[0] == agreement) + sum(
                v for k, v in expected.items() if k[0] == agreement
            )
            assert int(feb_totals[agreement]) == want, agreement
        _hashes_recompute_from_lines(wh)

        # 4. close February, change nothing: no further adjustment
        _refused(
            _aurora(project, env, "close", "--month", "2026-03", "--no-build"),
            "refusing to close 2026-03 on solana: 2026-02 is still open",
        )
        _ok(_aurora(project, env, "close", "--month", "2026-02"))
        assert _adjustments(wh, "2026-03") == {}
        assert wh.query(
            "select count(*) from marts.partner_commission_lines where adjusts_month is not null "
            "and not is_closed"
        ) == [(0,)]
        frozen_feb = _rows(wh, "marts.partner_commission_statements", "2026-02")
        ledger_counts = wh.query(
            "select (select count(*) from ledger.closed_statements), "
            "(select count(*) from ledger.closed_statement_lines)"
        )

        # 5. a correction version for January recorded after the close, and a full refresh
        with (seeds / "agreement_versions.csv").open("a") as fh:
            fh.write(CORRECTION_VERSION)
        with (seeds / "agreement_rules.csv").open("a") as fh:
            fh.write(CORRECTION_RULE)
        corrected = compute(stake, epochs, load_seeds(seeds), prices)
        _refused(
            _aurora(project, env, "close", "--month", "2026-03", "--no-build"),
            "refusing to close 2026-03: the warehouse is stale: the seeds changed",
        )  # a seed edit counts as stale
        _ok(_aurora(project, env, "build", "--full-refresh"))
        assert (
            wh.query(
                "select (select count(*) from ledger.closed_statements), "
                "(select count(*) from ledger.closed_statement_lines)"
            )
            == ledger_counts
        )
        assert _rows(wh, "marts.partner_commission_statements", "2026-01") == frozen_statements
        assert _rows(wh, "marts.partner_commission_lines", "2026-01") == frozen_lines
        assert _rows(wh, "marts.partner_commission_statements", "2026-02") == frozen_feb
        correction = _difference(_month_lines(corrected, "2026-01"), _month_lines(full, "2026-01"))
        assert correction and {k[0] for k in correction} == {"helios-white-label-2026"}
        assert _adjustments(wh, "2026-03") == correction
        _hashes_recompute_from_lines(wh)

        if target == "postgres":
            import psycopg2

            for sql in (
                "update ledger.closed_statements set lines_sha256 = 'x'",
                "delete from ledger.closed_statement_lines",
                "truncate ledger.closed_months",
            ):
                with pytest.raises(psycopg2.Error, match="append-only"):
                    wh.execute(sql)
            assert (
                wh.query(
                    "select (select count(*) from ledger.closed_statements), "
                    "(select count(*) from ledger.closed_statement_lines)"
                )
                == ledger_counts
            )
