"""Display helpers for exact integer money (no floats): lamports -> '12.345678901' SOL, etc."""

from __future__ import annotations

from decimal import Decimal


def format_units(amount: int | Decimal | None, decimals: int, places: int | None = None) -> str:
    """An integer amount of smallest units as a decimal string, truncated to `places` digits."""
    if amount is None:
        return "-"
    value = int(amount)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    if decimals == 0:
        return f"{sign}{whole:,}"
    digits = f"{frac:0{decimals}d}"
    if places is not None:
        digits = digits[:places]
    return f"{sign}{whole:,}.{digits}" if digits else f"{sign}{whole:,}"


def format_usd_micro(amount: int | Decimal | None) -> str:
    """Micro-USD as dollars with 2 places (truncated toward zero), e.g. 2177929397 -> 2,177.92."""
    return format_units(amount, 6, 2)


def format_usd_cents(amount: int | Decimal | None) -> str:
    return format_units(amount, 2)
