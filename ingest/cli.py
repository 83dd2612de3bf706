"""The `aurora` command: parses arguments, runs a command, turns known errors into one line.

    aurora demo      [--target duckdb|postgres]  simulator on loopback -> ingest -> build -> print
    aurora run       [--target duckdb|postgres] [--epochs A..B] [--days A..B]
                                                 the same pipeline against the configured providers
    aurora build     [--target ...] [--full-refresh] [--select ...] [--force]   registry + dbt build
    aurora ingest solana [--epochs A..B]         load closed epochs (default: all not yet loaded)
    aurora ingest ethereum [--days A..B]         load closed UTC days, YYYY-MM-DD (inclusive)
    aurora simulate serve                        serve the provider simulators over HTTP
    aurora replay ARCHIVE_DIR                    serve archived responses as a provider
    aurora statements export --month YYYY-MM     a partner statement with its lines and hash
    aurora close     --month YYYY-MM | --list    freeze a month's statements in the ledger (§9)
    aurora docs      [--target ...]              the dbt docs site as one static page
    aurora access apply|add-login --target postgres   roles, logins and grants (PostgreSQL)

demo, run, build and ingest are the run sequence of ingest/orchestrate.py; each holds the warehouse
lock for its run: a second one on the same warehouse refuses (exit 3) naming the holder, or waits
with ``--wait``. Every subcommand exits non-zero with a one-line message (no stack trace) on an
:class:`~ingest.errors.AuroraError`, and on the library errors that mean the warehouse is held by
another process. SIGTERM unwinds like Ctrl-C (exit 143): dbt is stopped, the build marked failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest import orchestrate
from ingest.chains import CHAINS
from ingest.console import make_console
from ingest.core.children import Terminated, terminate_on_sigterm
from ingest.core.periods import parse_day_range, parse_epoch_range
from ingest.core.warehouse import TARGETS, resolve_target, translate_error
from ingest.env import configure_process
from ingest.errors import AuroraError, CliError

parse_epochs = parse_epoch_range  # '3..7' -> [3, 4, 5, 6, 7]
parse_days = parse_day_range  # '2026-03-01..2026-03-02' -> both days


def _periods(args: argparse.Namespace) -> dict[str, list[Any]]:
    """Each chain's periods from its option (``--epochs`` for Solana, ``--days`` for Ethereum)."""
    out: dict[str, list[Any]] = {}
    for name, chain in CHAINS.items():
        text = getattr(args, chain.periods.dest, None)
        if text:
            out[name] = chain.periods.parse(text)
    return out


def _chain_periods(args: argparse.Namespace) -> list[Any] | None:
    """`aurora ingest <chain>`: the chain's periods; another chain's option is an error."""
    chain = CHAINS[args.chain]
    for other in {c.periods.option: c.periods for c in CHAINS.values()}.values():
        if other.option != chain.periods.option and getattr(args, other.dest, None):
            raise CliError(
                f"{other.option} does not apply to {chain.name}: its periods are "
                f"{chain.periods.option} {chain.periods.example}"
            )
    return _periods(args).get(chain.name)


# ------------------------------------------------------------------------- the run sequence


def cmd_demo(args: argparse.Namespace) -> int:
    orchestrate.demo(resolve_target(args.target), make_console(), _periods(args), wait=args.wait)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    orchestrate.run(resolve_target(args.target), make_console(), _periods(args), wait=args.wait)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    orchestrate.build(
        resolve_target(args.target),
        make_console(),
        full_refresh=args.full_refresh,
        select=args.select or (),
        force=args.force,
        wait=args.wait,
        allow_empty_seeds=args.allow_empty_seed or (),
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    orchestrate.ingest(
        args.chain,
        resolve_target(args.target),
        make_console(),
        _chain_periods(args),
        archive_dir=Path(args.archive) if args.archive else None,
        wait=args.wait,
    )
    return 0


# ------------------------------------------------------------------------------- delegations


def cmd_simulate(args: argparse.Namespace, rest: list[str]) -> int:
    from ingest.simulator.cli import serve_main

    return int(serve_main(rest))


def cmd_replay(args: argparse.Namespace, rest: list[str]) -> int:
    from ingest.core.archive import replay_main

    return int(replay_main(rest))


def cmd_statements(args: argparse.Namespace, rest: list[str]) -> int:
    from ingest.statements import statements_export_main

    return int(statements_export_main(rest))


def cmd_docs(args: argparse.Namespace) -> int:
    from ingest.core.lock import warehouse_lock
    from ingest.docs import build_docs

    target = resolve_target(args.target)
    with warehouse_lock(target, "aurora docs"):  # dbt opens the warehouse to read its catalog
        path = build_docs(target)
    make_console().print(f"docs written to {path} (one static page; open it in a browser)")
    return 0


# -------------------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aurora",
        description="Validator P&L and partner commissions, exact to the smallest unit.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add_target(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--target",
            choices=TARGETS,
            default=None,
            help="warehouse: duckdb (embedded, default; $AURORA_TARGET) or postgres",
        )

    def add_periods(p: argparse.ArgumentParser) -> None:
        """One option per kind of period: --epochs (Solana), --days (Ethereum)."""
        chains_of: dict[str, list[str]] = {}
        examples: dict[str, str] = {}
        for chain in CHAINS.values():
            chains_of.setdefault(chain.periods.option, []).append(chain.name)
            examples[chain.periods.option] = chain.periods.example
        for option, names in chains_of.items():
            p.add_argument(
                option,
                default=None,
                help=f"{', '.join(names)}: {examples[option]}, inclusive "
                "(default: every closed one not loaded yet)",
            )

    def add_wait(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--wait",
            action="store_true",
            help="when another run holds the warehouse, wait for it instead of refusing",
        )

    p = sub.add_parser("demo", help="simulated providers -> ingest -> build -> P&L and statements")
    add_target(p)
    add_periods(p)
    add_wait(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="the pipeline against the providers in config/providers.yaml")
    add_target(p)
    add_periods(p)
    add_wait(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("build", help="load the registry, then dbt build (seeds, models, tests)")
    add_target(p)
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models whole")
    p.add_argument("--select", action="append", help="dbt selection (repeatable)")
    p.add_argument(
        "--force",
        action="store_true",
        help="build even when the warehouse is up to date (same fingerprint as the last build)",
    )
    p.add_argument(
        "--allow-empty-seed",
        action="append",
        metavar="SEED",
        help="a seed file that may have its header only (repeatable), e.g. partner_attributions",
    )
    add_wait(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("ingest", help="load raw provider data")
    p.add_argument("chain", choices=sorted(CHAINS))
    add_target(p)
    add_periods(p)
    p.add_argument("--archive", default=None, help="also archive every response to this directory")
    add_wait(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "simulate", help="the provider simulator (`aurora simulate serve --help`)", add_help=False
    )
    p.add_argument("action", choices=["serve"])
    p.set_defaults(func=cmd_simulate, passthrough=True)

    p = sub.add_parser(
        "replay", help="serve an archive of responses as a provider (`--help`)", add_help=False
    )
    p.set_defaults(func=cmd_replay, passthrough=True)

    p = sub.add_parser(
        "statements",
        help="partner statements (`aurora statements export --help`)",
        add_help=False,
    )
    p.add_argument("action", choices=["export"])
    p.set_defaults(func=cmd_statements, passthrough=True)

    p = sub.add_parser("docs", help="generate the dbt docs site as one static page")
    add_target(p)
    p.set_defaults(func=cmd_docs)

    from ingest.access import add_access_parser
    from ingest.close import add_close_parser

    add_access_parser(sub, add_target)
    add_close_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    configure_process()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args, rest = parser.parse_known_args(argv)
    try:
        with terminate_on_sigterm():
            if getattr(args, "passthrough", False):
                return int(args.func(args, rest))
            if rest:
                parser.error(f"unrecognized arguments: {' '.join(rest)}")
            return int(args.func(args))
    except AuroraError as exc:
        print(f"aurora: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aurora: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("aurora: terminated", file=sys.stderr)
        return 143
    except Exception as exc:
        known = translate_error(exc)  # a library's way of saying the warehouse is held
        if known is None:
            raise
        print(f"aurora: error: {known.message}", file=sys.stderr)
        return known.exit_code


__all__ = ["CliError", "build_parser", "main", "parse_days", "parse_epochs"]


if __name__ == "__main__":
    sys.exit(main())
