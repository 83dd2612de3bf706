"""A chain's periods on the command line: ``--epochs A..B`` (Solana), ``--days A..B`` (Ethereum).

Each chain names its periods its own way: whole epochs for Solana, UTC days ``YYYY-MM-DD`` for
Ethereum. A :class:`PeriodRange` says which option selects them and how its text reads (one period,
or ``A..B`` inclusive); the CLI and the run sequence know a chain's periods only through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from ingest.errors import CliError

P = TypeVar("P")

MAX_DAYS = 3_660  # about ten years: a longer --days range is a typo


@dataclass(frozen=True)
class PeriodRange(Generic[P]):
    """How a chain's periods are asked for: ``option`` (``--epochs``) takes ``N`` or ``A..B``."""

    option: str
    example: str  # shown in --help
    parse: Callable[[str], list[P]]

    @property
    def dest(self) -> str:
        """The argparse attribute of the option (``--epochs`` -> ``epochs``)."""
        return self.option.lstrip("-").replace("-", "_")


def _split(text: str) -> tuple[str, str]:
    first, sep, last = text.partition("..")
    return (first.strip(), last.strip()) if sep else (text.strip(), text.strip())


def parse_epoch_range(text: str) -> list[int]:
    """'5' -> [5]; '3..7' -> [3, 4, 5, 6, 7] (inclusive)."""
    try:
        first, last = (int(part) for part in _split(text))
    except ValueError:
        raise CliError(f"--epochs: expected N or A..B (whole numbers), got {text!r}") from None
    if first < 0 or last < first:
        raise CliError(f"--epochs: expected 0 <= A <= B, got {text!r}")
    return list(range(first, last + 1))


def parse_day_range(text: str) -> list[date]:
    """'2026-03-01' -> [that day]; '2026-03-01..2026-03-03' -> the three days (inclusive)."""
    try:
        first, last = (date.fromisoformat(part) for part in _split(text))
    except ValueError:
        raise CliError(
            f"--days: expected YYYY-MM-DD or A..B (UTC days YYYY-MM-DD), got {text!r}"
        ) from None
    if last < first:
        raise CliError(f"--days: expected A <= B, got {text!r}")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise CliError(f"--days: {count} days asked, at most {MAX_DAYS} at once ({text!r})")
    return [first + timedelta(days=i) for i in range(count)]


EPOCHS: PeriodRange[int] = PeriodRange("--epochs", "N or A..B", parse_epoch_range)
DAYS: PeriodRange[date] = PeriodRange("--days", "YYYY-MM-DD or A..B", parse_day_range)
