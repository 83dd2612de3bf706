"""The README's worked example ("Adding a partner agreement") as finance would run it.

The CSV rows are read from README.md itself (the fenced ```csv block under that heading: the lines
after a `# seeds/<file>.csv` comment go to that file) and appended to a copy of the project's seeds/.
dbt then builds the seeds and the finance marts of that project copy on a copy of the session's
shared DuckDB demo warehouse. The 2026-03 statement of acme-wallet must then be exactly what the
README describes: for each epoch dated in March, one inflation and one MEV line of aurora-04, each
25% (2500 bps) of the operator's commission on the stake account's share R_A / R_V, recomputed here
in integer Python from the simulator's ground truth (never from the warehouse); the total is the sum
of the lines and lines_sha256 recomputes from them; and the README's export command prints it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shlex
import shutil
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from recompute import (
    Line,
    _plain,
    compute,
    inputs_from_truth,
    lines_sha256,
    load_prices,
    load_seeds,
    tdiv,
)
from support import REPO_ROOT, run_aurora

HEADING = "## Adding a partner agreement (a worked example)"
SEED_FILES = {
    "partners.csv",
    "agreements.csv",
    "agreement_versions.csv",
    "agreement_rules.csv",
    "partner_attributions.csv",
}
# What the README says the rows mean (the test checks the statement against these facts).
PARTNER = "acme-wallet"
AGREEMENT = "acme-wallet-2026"
STAKE_ACCOUNT = "CjGgLVFFmip86nzHVkHLJpD2fEHDPrnnmZ8H7y5RiJGB"
AURORA_04 = "DgtuDZq6VSsFBz75JDax1c1StYWE6fdzG7sxm4funzH2"
MONTH = "2026-03"
RATE_BPS = 2500
RULES = {"inflation": "acme-v1-inflation", "mev": "acme-v1-mev"}
# What a copy of the project needs to build (dbt_project.yml's paths) and nothing else.
PROJECT_PARTS = [
    "dbt_project.yml",
    "dbt_project",
    "macros",
    "seeds",
    "config",
    "tests/generic",
    "tests/singular",
    "tests/fixtures/models",
    "tests/fixtures/seeds",
]
LINE_SQL = (
    "select period_id, validator_id, rule_id, tier_index, component, basis_native, rate_bps, "
    "amount_native, rule_type, line_text from marts.partner_commission_lines "
    f"where partner_id = '{PARTNER}' and statement_month = '{MONTH}'"
)
STATEMENT_SQL = (
    "select partner_id, agreement_id, chain, statement_month, line_count, total_native, "
    "price_micro_usd, total_usd_micro, total_usd_cents, lines_sha256 "
    "from marts.partner_commission_statements"
)


def readme_section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no section {HEADING!r}"
    section = text.split(HEADING, 1)[1]
    return section.split("\n## ", 1)[0]


def readme_rows() -> dict[str, list[str]]:
    """The CSV lines of the README's example, by seed file name."""
    match = re.search(r"^```csv\n(.*?)^```", readme_section(), re.S | re.M)
    assert match, "no ```csv block in the README's worked example"
    rows: dict[str, list[str]] = defaultdict(list)
    current: str | None = None
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        comment = re.match(r"^#\s*seeds/([A-Za-z0-9_]+\.csv)\b", line)
        if comment:
            current = comment.group(1)
            continue
        assert not line.startswith("#"), f"unexpected comment in the README's CSV: {line!r}"
        assert current is not None, f"README CSV line before any `# seeds/<file>.csv`: {line!r}"
        rows[current].append(line)
    return dict(rows)


def readme_export_args() -> list[str]:
    """The arguments of the README's `aurora statements export` command for the example."""
    match = re.search(r"`\.venv/bin/aurora (statements export [^`]+)`", readme_section())
    assert match, "no `aurora statements export` command in the README's worked example"
    return shlex.split(match.group(1))


def copy_project(dest: Path, rows: Mapping[str, list[str]]) -> Path:
    """The dbt project in ``dest``, with the README's rows appended to its seeds."""
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest / part)
    for name, lines in rows.items():
        path = dest / "seeds" / name
        existing = path.read_text(encoding="utf-8")
        header = next(csv.reader([existing.splitlines()[0]]))
        for record in csv.reader(lines):
            assert len(record) == len(header), f"{name}: {record} does not fit {header}"
        if not existing.endswith("\n"):
            existing += "\n"
        path.write_text(existing + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return dest


def expected_acme_lines(network: Any) -> list[Line]:
    """The statement's lines from the simulator's truth: for each epoch of aurora-04 dated in the
    month, R_A = the stake account's reward, R_V = the rewards of every stake account delegated to
    aurora-04; basis = trunc(component x R_A / R_V), amount = trunc(basis x 2500 / 10000)."""
    stake, epochs = inputs_from_truth(network)
    lines = []
    for ve in sorted(epochs, key=lambda ve: ve.epoch):
        if ve.validator_id != AURORA_04 or f"{ve.period_date:%Y-%m}" != MONTH:
            continue
        assert ve.period_date >= date(2026, 2, 1)  # the attribution's valid_from
        accounts = [s for s in stake if s.validator_id == AURORA_04 and s.epoch == ve.epoch]
        mine = [s for s in accounts if s.stake_account == STAKE_ACCOUNT]
        assert len(mine) == 1, (
            f"the README's stake account {STAKE_ACCOUNT} is not delegated to aurora-04 in epoch "
            f"{ve.epoch} of the simulator's default network"
        )
        r_a, r_v = mine[0].reward, sum(s.reward for s in accounts)
        assert r_v > 0 and r_a > 0  # the share is by rewards (R_A / R_V), not delegated stake
        for component, commission in (
            ("inflation", ve.inflation_commission),
            ("mev", ve.mev_commission),
        ):
            basis = tdiv(commission * r_a, r_v)
            amount = tdiv(basis * RATE_BPS, 10_000)
            lines.append(
                Line(
                    partner_id=PARTNER,
                    agreement_id=AGREEMENT,
                    version=1,
                    rule_id=RULES[component],
                    tier_index=0,
                    rule_type="pct_commission",
                    component=component,
                    statement_month=MONTH,
                    period_id=str(ve.epoch),
                    validator_id=AURORA_04,
                    basis_native=basis,
                    rate_bps=RATE_BPS,
                    numerator=basis * RATE_BPS,
                    denominator=10_000,
                    amount_native=amount,
                )
            )
    return lines


def test_readme_rows_parse_into_the_five_seed_files() -> None:
    rows = readme_rows()
    assert set(rows) == SEED_FILES
    assert all(rows.values())


@pytest.mark.slow
def test_readme_worked_example_statement(
    demo_warehouses: Mapping[str, Any], shared_warehouses: Any, sim_network: Any, tmp_path: Path
) -> None:
    rows = readme_rows()
    project = copy_project(tmp_path / "project", rows)
    expected = expected_acme_lines(sim_network)
    march_epochs = sorted({int(line.period_id or "") for line in expected})
    assert march_epochs == list(range(14, 21))  # 2026-03-02 .. 2026-03-26
    assert all(line.amount_native > 0 for line in expected)  # no line dropped as zero

    demo = demo_warehouses["duckdb"]
    with shared_warehouses.copy(
        "duckdb", tmp_path, target_path=tmp_path / "target_duckdb", project_dir=project
    ) as wh:
        # the build checks the new rows first (the seeds' tests), then builds the finance marts
        wh.dbt(
            "build",
            "--select",
            "resource_type:seed",
            "path:dbt_project/intermediate/finance",
            "path:dbt_project/marts/finance",
        )

        # the lines: exactly aurora-04's inflation and MEV lines for the March epochs, as
        # recomputed from the truth
        got = [tuple(_plain(v) for v in row) for row in wh.query(LINE_SQL)]
        want = [
            (
                line.period_id,
                line.validator_id,
                line.rule_id,
                line.tier_index,
                line.component,
                line.basis_native,
                line.rate_bps,
                line.amount_native,
                line.rule_type,
                line.serialise(),
            )
            for line in expected
        ]
        assert sorted(got, key=str) == sorted(want, key=str)
        assert len(got) == 2 * len(march_epochs)

        # the statement: its total is the sum of its lines, its hash recomputes from them
        (statement,) = [
            tuple(_plain(v) for v in row)
            for row in wh.query(
                f"{STATEMENT_SQL} where partner_id = '{PARTNER}' and statement_month = '{MONTH}'"
            )
        ]
        _, agreement_id, chain, _, line_count, total_native, *_, sha = statement
        assert (agreement_id, chain) == (AGREEMENT, "solana")
        assert line_count == len(got)
        assert total_native == sum(row[7] for row in got) == sum(x.amount_native for x in expected)
        texts = sorted(str(row[-1]).encode("utf-8") for row in got)
        assert sha == hashlib.sha256(b"\n".join(texts)).hexdigest() == lines_sha256(expected)

        # the general recomputation over the extended seeds gives the same statement
        stake, epochs = inputs_from_truth(sim_network)
        computed = compute(
            stake,
            epochs,
            load_seeds(project / "seeds"),
            load_prices(project / "seeds" / "prices.csv"),
        )[(PARTNER, AGREEMENT, MONTH)]
        assert sorted(x.serialise() for x in computed.lines) == sorted(
            x.serialise() for x in expected
        )
        assert (
            computed.partner_id,
            computed.agreement_id,
            computed.chain,
            computed.statement_month,
            computed.line_count,
            computed.total_native,
            computed.price_micro_usd,
            computed.total_usd_micro,
            computed.total_usd_cents,
            computed.lines_sha256,
        ) == statement

        # no other statement changed: the stake account was nobody else's
        others = f"{STATEMENT_SQL} where partner_id <> '{PARTNER}'"
        assert sorted(wh.query(others)) == sorted(demo.query(others))

        # the README's export command prints that statement, its lines and its hash
        args = readme_export_args()
        assert args[:2] == ["statements", "export"]
        options = dict(zip(args[2::2], args[3::2], strict=True))
        assert options["--month"] == MONTH and options["--partner"] == PARTNER
        result = run_aurora(args, wh.env, timeout=300)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        records = list(csv.DictReader(io.StringIO(result.stdout)))
        lines = [r for r in records if r["record"] == "line"]
        totals = [r for r in records if r["record"] == "total"]
        assert sorted(r["line_text"] for r in lines) == sorted(x.serialise() for x in expected)
        assert {(r["partner_id"], r["agreement_id"], r["statement_month"]) for r in records} == {
            (PARTNER, AGREEMENT, MONTH)
        }
        (total,) = totals
        assert int(total["amount_native"]) == total_native
        assert int(total["line_count"]) == line_count
        assert total["lines_sha256"] == sha
