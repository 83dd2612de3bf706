"""The seed files are checked before dbt loads them, and failures point at the CSV line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.build_failures import describe_rows, read_seed_lines
from ingest.core.seeds import check_seed_files, read_operator_validators
from ingest.env import REPO_ROOT
from ingest.errors import SeedError

MONEY = "\"{{ var('money')[target.type] }}\""


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    (tmp_path / "dbt_project.yml").write_text("name: t\nseed-paths: [seeds]\n")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "_s.yml").write_text(
        "version: 2\nseeds:\n  - name: prices\n    config:\n      column_types:\n"
        f"        chain: text\n        price_date: date\n        price_micro_usd: {MONEY}\n"
        "  - name: rules\n    config:\n      column_types:\n        rate_bps: integer\n"
        "        tier_lower: bigint\n"
    )
    for name, content in files.items():
        path = seeds / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def test_the_repository_seeds_pass() -> None:
    check_seed_files(REPO_ROOT)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"prices.csv": "chain,price_date,price_micro_usd\nsolana,2026-01-01,185100708.5\n"},
            "seeds/prices.csv:2: price_micro_usd: '185100708.5' is not a whole number",
        ),
        (
            {"prices.csv": "chain,price_date,price_micro_usd\nsolana,2026-01-01,1.85e8\n"},
            "seeds/prices.csv:2: price_micro_usd: '1.85e8' is not a whole number",
        ),
        (
            {"rules.csv": "rate_bps,tier_lower\n100,0\n\n250.0,5\n"},
            "seeds/rules.csv:4: rate_bps: '250.0' is not a whole number",
        ),
        ({"partners.csv": b""}, "seeds/partners.csv: the file is empty (0 bytes)"),
    ],
)
def test_bad_seed_files_are_named_with_their_line(
    tmp_path: Path, files: dict[str, str | bytes], message: str
) -> None:
    with pytest.raises(SeedError) as failure:
        check_seed_files(project(tmp_path, files))
    assert message in failure.value.message


def test_whole_numbers_empty_cells_and_a_bom_pass(tmp_path: Path) -> None:
    text = "\ufeffchain,price_date,price_micro_usd\nsolana,2026-01-01,-5\nsolana,2026-01-02,\n"
    check_seed_files(project(tmp_path, {"prices.csv": text}))


def test_validators_with_a_bom_are_read(tmp_path: Path) -> None:
    source = (REPO_ROOT / "seeds" / "validators.csv").read_bytes()
    (tmp_path / "validators.csv").write_bytes(b"\xef\xbb\xbf" + source)
    with_bom = read_operator_validators(tmp_path)
    assert with_bom == read_operator_validators(REPO_ROOT / "seeds") and with_bom


def test_failing_rows_are_matched_to_their_csv_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copyfile(REPO_ROOT / "seeds" / "partners.csv", seeds / "partners.csv")
    lines = read_seed_lines(seeds / "partners.csv")
    assert lines[0].line == 2 and lines[0].values["partner_id"] == "cobalt-custody"
    monkeypatch.setattr("ingest.build_failures.REPO_ROOT", tmp_path)
    rows = [{"unique_field": "helios-staking", "n_records": 2}, {"partner_type": "bank"}]
    texts = describe_rows("seeds/partners.csv", rows, {"column_name": "partner_id"})
    assert texts == [
        "seeds/partners.csv:3: partner_id=helios-staking (n_records=2)",
        "seeds/partners.csv: partner_type=bank",
    ]
