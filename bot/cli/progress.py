"""Progress for long work on the terminal (import, seed-demo, plan; the sync's and
re-send's bars per account are in account_bars): rich bars with counts and the time left
when stderr is a terminal, nothing at all when it is not or with --quiet, so pipes and
logs read as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

Advance = Callable[[int], None]


@contextmanager
def drawn_bars(
    quiet: bool, console: Console | None, *columns: ProgressColumn
) -> Iterator[Progress | None]:
    """Bars drawn on stderr, or None: the one place that decides whether to draw."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(*columns, console=console, transient=True) as bars:
        yield bars


@contextmanager
def progress(
    label: str, total: int, quiet: bool = False, console: Console | None = None
) -> Iterator[Advance]:
    """Yields `advance(n)`, to call as each `n` items are done."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with drawn_bars(quiet, console, *columns) as bars:
        if bars is None:
            yield lambda _done: None
            return
        task = bars.add_task(label, total=total)
        yield lambda done: bars.advance(task, done)
