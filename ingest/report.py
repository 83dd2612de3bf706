"""What `aurora demo` and `aurora run` print: per chain, a P&L table per validator and the partner
statements, amounts in the chain's native asset (its decimals from the registry table `chains`).

It only reads the marts (validator_pnl, partner_commission_statements) and the registry; every
figure is computed by dbt. Integers are rendered with integer arithmetic (ingest.money), never
through floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ingest.core.warehouse import Target, query
from ingest.errors import WarehouseError
from ingest.money import format_units, format_usd_cents, format_usd_micro

PNL_SQL = """
select
    p.validator_id,
    coalesce(v.validator_name, p.validator_id) as validator_name,
    count(*) as periods,
    min(p.period_date) as first_period_date,
    max(p.period_date) as last_period_date,
    sum(p.revenue_native) as revenue_native,
    sum(p.vote_fees_native) as vote_fees_native,
    sum(p.net_native) as net_native,
    sum(p.infra_cost_usd_micro) as infra_cost_usd_micro,
    sum(p.pnl_usd_micro) as pnl_usd_micro,
    count(p.pnl_usd_micro) as priced_periods
from marts.validator_pnl as p
left join marts.dim_validators as v
    on p.chain = v.chain and p.validator_id = v.validator_id
where p.chain = '{chain}'
group by p.validator_id, coalesce(v.validator_name, p.validator_id)
order by validator_name
"""

# the chains with P&L rows, with their native asset, decimals and period kind (registry)
CHAINS_SQL = """
select c.chain, c.native_asset, c.decimals, c.period_kind
from registry.chains as c
where exists (select 1 from marts.validator_pnl as p where p.chain = c.chain)
order by case when c.chain = 'solana' then 0 else 1 end, c.chain
"""

PERIOD_WORDS = {"epoch": "epochs", "utc_day": "days"}

STATEMENTS_SQL = """
select
    s.statement_month,
    s.partner_id,
    s.agreement_id,
    s.line_count,
    s.total_native,
    s.total_usd_cents,
    s.lines_sha256
from marts.partner_commission_statements as s
where s.chain = '{chain}'{months}
order by s.statement_month, s.partner_id, s.agreement_id
"""


def _table(title: str, columns: Sequence[str]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for name in columns:
        justify: Literal["left", "right"] = (
            "left"
            if name in {"validator", "partner", "agreement", "month", "sha256", "dated"}
            else "right"
        )
        table.add_column(name, justify=justify, no_wrap=True)
    return table


def print_pnl_and_statements(
    target: Target, console: Any, months: Sequence[str] | None = None
) -> None:
    """Print, chain by chain (Solana first), the P&L per validator and the statements (all
    months, or those given)."""
    try:
        _, chains = query(target, CHAINS_SQL)
    except WarehouseError:
        raise
    except Exception as exc:  # the marts are not built yet
        raise WarehouseError(f"cannot read marts.validator_pnl on {target}: {exc}") from None
    month_filter = ""
    if months:
        quoted = ", ".join(f"'{m}'" for m in months if _is_month(m))
        month_filter = f" and s.statement_month in ({quoted})" if quoted else ""
    for chain, asset, decimals, period_kind in chains:
        _print_chain(
            target, console, str(chain), str(asset), int(decimals), str(period_kind), month_filter
        )


def _print_chain(
    target: Target,
    console: Any,
    chain: str,
    asset: str,
    decimals: int,
    period_kind: str,
    month_filter: str,
) -> None:
    periods_word = PERIOD_WORDS.get(period_kind, "periods")
    _, pnl_rows = query(target, PNL_SQL.format(chain=chain))
    label = "" if chain == "solana" else f", {chain}"
    table = _table(
        f"Validator P&L ({target}{label}): {asset} and USD, summed over closed {periods_word}",
        [
            "validator",
            periods_word,
            "dated",
            f"revenue {asset}",
            f"vote fees {asset}",
            f"net {asset}",
            "infra USD",
            "P&L USD",
        ],
    )
    for row in pnl_rows:
        (_vid, name, periods, first, last, revenue, vote_fees, net, infra, pnl, priced) = row
        pnl_text = format_usd_micro(pnl) if priced == periods else f"{format_usd_micro(pnl)}*"
        table.add_row(
            str(name),
            str(periods),
            f"{first}..{last}",
            format_units(revenue, decimals, 4),
            format_units(vote_fees, decimals, 4),
            format_units(net, decimals, 4),
            format_usd_micro(infra),
            pnl_text,
        )
    console.print(table)

    _, st_rows = query(target, STATEMENTS_SQL.format(chain=chain, months=month_filter))
    st_table = _table(
        f"Partner statements ({target}{label})",
        ["month", "partner", "agreement", "lines", f"total {asset}", "total USD", "sha256"],
    )
    for month, partner, agreement, lines, total, cents, sha in st_rows:
        st_table.add_row(
            str(month),
            str(partner),
            str(agreement),
            str(lines),
            format_units(total, decimals, decimals),
            format_usd_cents(cents),
            str(sha),
        )
    console.print(st_table)


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()
