"""The delete of delete+insert on a restated epoch: dbt-duckdb's own statement for a composite key
(the target joined to every new row) against the project's (macros/delete_insert.sql: the target
joined to the distinct keys of the new rows), on a canonical-shaped table of `--epochs` epochs of
`--accounts` stake accounts, on DuckDB and PostgreSQL. Prints each beside the floor (a delete by a
literal key) and the ratio; each delete runs in a transaction rolled back after.

    .venv/bin/python benchmarks/bench_delete.py [--targets duckdb,postgres] [--accounts 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

SETUP = """
create table bench_rows as
select 'solana' as chain, cast({epoch_of} as {text}) as period_id, i as stake_unit
from {series};
create table bench_new as select * from bench_rows where period_id = '{epoch}'
"""
STATEMENTS = {
    "per-row join (dbt-duckdb's)": (
        "delete from bench_rows as t using bench_new "
        "where bench_new.chain = t.chain and bench_new.period_id = t.period_id"
    ),
    "distinct keys (the project's)": (
        "delete from bench_rows as t using (select distinct s.chain, s.period_id from bench_new as s)"
        " as k where t.chain = k.chain and t.period_id = k.period_id"
    ),
    "floor: literal key": "delete from bench_rows where chain = 'solana' and period_id = '{epoch}'",
}


DBNAME = f"aurora_bench_delete_{os.getpid()}"


def _pg(dbname: str) -> Any:
    import psycopg2

    con = psycopg2.connect(
        host=os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        port=int(os.environ.get("AURORA_PG_PORT", "5432")),
        user=os.environ.get("AURORA_PG_USER", "aurora"),
        password=os.environ.get("AURORA_PG_PASSWORD", "aurora"),
        dbname=dbname,
    )
    con.autocommit = True
    return con


def _pg_database(create: bool) -> None:
    admin = _pg("postgres")
    with admin.cursor() as cur:
        cur.execute(f'drop database if exists "{DBNAME}" with (force)')
        if create:
            cur.execute(f'create database "{DBNAME}"')
    admin.close()


def connect(target: str) -> Any:
    """A scratch database: DuckDB in memory, a PostgreSQL database of its own (dropped after)."""
    if target == "duckdb":
        import duckdb

        return duckdb.connect()
    _pg_database(create=True)
    return _pg(DBNAME)


def run(con: Any, target: str, sql: str) -> None:
    if target == "duckdb":
        con.execute(sql)
        return
    with con.cursor() as cur:
        cur.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--accounts", type=int, default=10_000, help="stake accounts per epoch")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    epoch = args.epochs // 2
    for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
        con = connect(target)
        series = (
            f"range({args.accounts * args.epochs}) as r(i)"
            if target == "duckdb"
            else f"generate_series(0, {args.accounts * args.epochs - 1}) as r(i)"
        )
        text = "varchar" if target == "duckdb" else "text"
        # the epoch of row i, in integer division (DuckDB's `/` divides in floating point)
        epoch_of = f"i // {args.accounts}" if target == "duckdb" else f"i / {args.accounts}"
        run(con, target, "drop table if exists bench_rows; drop table if exists bench_new")
        for statement in SETUP.format(
            epoch_of=epoch_of, text=text, series=series, epoch=epoch
        ).split(";"):
            run(con, target, statement)
        if target == "postgres":
            run(con, target, "analyze bench_rows; analyze bench_new")
        timings: dict[str, float] = {}
        for name, sql in STATEMENTS.items():
            run(con, target, "begin")
            started = time.monotonic()
            run(con, target, sql.format(epoch=epoch))
            timings[name] = time.monotonic() - started
            run(con, target, "rollback")
        floor = timings["floor: literal key"]
        print(f"{target}: restating 1 of {args.epochs} epochs of {args.accounts} rows")
        for name, seconds in timings.items():
            print(f"    {name:<32} {seconds:8.3f} s   ratio to floor {seconds / floor:8.1f}")
        con.close()
        if target == "postgres":
            _pg_database(create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
