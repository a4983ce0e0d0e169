"""Progress for long work on the terminal (import, seed-demo): a rich bar with counts and
the time left when stderr is a terminal, nothing at all when it is not or with --quiet, so
pipes and logs read as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

Advance = Callable[[int], None]


@contextmanager
def progress(
    label: str, total: int, quiet: bool = False, console: Console | None = None
) -> Iterator[Advance]:
    """Yields `advance(n)`, to call as each `n` items are done."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda _done: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.advance(task, done)
