"""What `aurora demo` and `aurora run` print: a P&L table per validator and the partner statements.

It only reads the marts (validator_pnl, partner_commission_statements); every figure is computed by
dbt. Integers are rendered with integer arithmetic (ingest.money), never through floats.
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
group by p.validator_id, coalesce(v.validator_name, p.validator_id)
order by validator_name
"""

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
{where}
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
    """Print the P&L per validator and the statements (all months, or those given)."""
    try:
        _, pnl_rows = query(target, PNL_SQL)
    except WarehouseError:
        raise
    except Exception as exc:  # the marts are not built yet
        raise WarehouseError(f"cannot read marts.validator_pnl on {target}: {exc}") from None

    table = _table(
        f"Validator P&L ({target}): SOL and USD, summed over closed epochs",
        [
            "validator",
            "epochs",
            "dated",
            "revenue SOL",
            "vote fees SOL",
            "net SOL",
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
            format_units(revenue, 9, 4),
            format_units(vote_fees, 9, 4),
            format_units(net, 9, 4),
            format_usd_micro(infra),
            pnl_text,
        )
    console.print(table)

    where = ""
    if months:
        quoted = ", ".join(f"'{m}'" for m in months if _is_month(m))
        where = f"where s.statement_month in ({quoted})" if quoted else ""
    _, st_rows = query(target, STATEMENTS_SQL.format(where=where))
    st_table = _table(
        f"Partner statements ({target})",
        ["month", "partner", "agreement", "lines", "total SOL", "total USD", "sha256"],
    )
    for month, partner, agreement, lines, total, cents, sha in st_rows:
        st_table.add_row(
            str(month),
            str(partner),
            str(agreement),
            str(lines),
            format_units(total, 9, 9),
            format_usd_cents(cents),
            str(sha),
        )
    console.print(st_table)


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()
