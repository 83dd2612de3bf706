"""The terminal: a rich console for `aurora`'s output, and its progress bars."""

from __future__ import annotations

from typing import Any


def make_console() -> Any:
    from rich.console import Console

    console = Console(stderr=False, highlight=False)
    if not console.is_terminal:
        # piped or captured output (CI logs, tests): wide enough for a full statement hash per row
        console = Console(stderr=False, highlight=False, width=200)
    return console


def progress_bars(console: Any, *, transient: bool = False) -> Any:
    """A rich ``Progress`` whose rows read ``<stage> [bar] done/total elapsed``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
    )
