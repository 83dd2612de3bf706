"""`aurora docs`: one static page that renders offline in headless Chromium, whose embedded manifest
shows every raw Solana source upstream of partner_commission_statements."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support import REPO_ROOT, base_env, run_aurora

from ingest.docs import embedded_manifest

ARTIFACTS = REPO_ROOT / "artifacts"

# Raw tables that feed no figure: dlt's load log (staging filters on it), the payload bodies (each
# row's response_sha256 points at them for audits) and Kobe's validator_rewards (a cross-check of
# /api/v1/validators, which is the MEV source of methodology §3).
AUDIT_ONLY_SOURCES = {"_dlt_loads", "staging_payloads", "kobe_validator_rewards"}


def _ancestors(manifest: dict, node_id: str) -> set[str]:  # type: ignore[type-arg]
    nodes = {**manifest["nodes"], **manifest["sources"]}
    seen: set[str] = set()
    stack = [node_id]
    while stack:
        current = stack.pop()
        for parent in nodes.get(current, {}).get("depends_on", {}).get("nodes", []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _chromium() -> str:
    from services import find_chromium

    path = find_chromium()
    if not path:
        pytest.fail(
            "no Chromium for the docs test: `make test` installs Debian's chromium when run as root; "
            "otherwise `sudo apt-get install chromium`, or set AURORA_CHROMIUM to a Chrome binary",
            pytrace=False,
        )
    return path


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


def test_docs_page_renders_and_shows_full_lineage(tmp_path: Path) -> None:
    env = base_env()
    env["AURORA_DUCKDB_PATH"] = str(tmp_path / "docs.duckdb")
    env["AURORA_DBT_TARGET_PATH"] = str(tmp_path / "target")
    result = run_aurora(["docs", "--target", "duckdb"], env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = REPO_ROOT / "data" / "docs" / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    # offline and private: nothing is loaded from elsewhere, tracking is off
    assert '<script src="http' not in html and '<link href="http' not in html

    manifest = embedded_manifest(page)
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
    statements = "model.aurora.partner_commission_statements"
    assert statements in manifest["nodes"]
    upstream = _ancestors(manifest, statements)
    raw_sources = {
        uid
        for uid, s in manifest["sources"].items()
        if s["source_name"] == "solana" and s["name"] not in AUDIT_ONLY_SOURCES
    }
    assert raw_sources, "no raw Solana sources in the manifest"
    assert raw_sources - upstream == set(), (
        f"raw sources not upstream of statements: {sorted(raw_sources - upstream)}"
    )
    assert "overview" in str(
        manifest["docs"].get("doc.aurora.__overview__", {}).get("block_contents", "")
    ).lower() or (
        "validator P&L"
        in str(manifest["docs"].get("doc.aurora.__overview__", {}).get("block_contents", ""))
    )

    chromium = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "docs.png"
    profile = tmp_path / "chromium-profile"
    shot = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
            f"--screenshot={screenshot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert screenshot.is_file() and screenshot.stat().st_size > 20_000, shot.stderr[-2000:]
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    # the Angular app rendered the finance overview and the project tree
    assert (
        "validator P&amp;L and partner commissions" in dom.stdout
        or "validator P&L and partner commissions" in dom.stdout
    )
    assert "partner_commission_statements" in dom.stdout
