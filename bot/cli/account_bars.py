"""The sync's and re-send's progress on the terminal: one bar per account, with the
offers done, the pages read or batches sent, and the waits for eMAG's rate limit. Apart
from progress.py, so `stockbot import` and `seed-demo` start without eMAG's client."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from bot.cli.progress import drawn_bars
from bot.emag.progress import EmagProgress
from bot.engine.models import Account
from bot.engine.phrases import N_
from bot.i18n import _, counted

RATE_WAIT = N_("waiting for eMAG's rate limit")
STORING = N_("storing")
LONG_WAIT_SECONDS = 1.0


class _TimeLeftOrState(TimeRemainingColumn):
    """The time left, or what the account is waiting for instead: the line keeps to 80
    columns with both bars' counts whole."""

    def render(self, task: Task) -> Text:
        state = task.fields.get("state")
        return Text(state, style="yellow") if state else super().render(task)


class AccountBars(EmagProgress):
    """One bar per account: offers done of eMAG's (or the snapshot's) count, the pages
    read or batches sent, and whether it is waiting for eMAG's rate limit."""

    def __init__(
        self, bars: Progress, accounts: Iterable[Account], steps: Callable[[int], str]
    ) -> None:
        self._bars = bars  # rich's updates take its own lock: both accounts' threads call
        self._steps = steps
        # Calls made per account, each counted by its own account's thread only.
        self._done: dict[Account, int] = {}
        self._tasks: dict[Account, TaskID] = {}
        for account in accounts:
            self._done[account] = 0
            self._tasks[account] = bars.add_task(
                account.upper(), total=None, steps=steps(0), state=""
            )

    def counted(self, account: Account, offers: int) -> None:
        self._bars.update(self._tasks[account], total=offers)

    def stepped(self, account: Account, offers: int, calls: int = 1) -> None:
        self._done[account] += calls
        steps = self._steps(self._done[account])
        self._bars.update(self._tasks[account], advance=offers, steps=steps)

    def waiting(self, account: Account, seconds: float) -> None:
        # The per-second budget's short pauses are the read's normal pace; a longer wait
        # (the minute's budget spent) is where the time goes, and is said.
        # Drawn at once, not at the next refresh: the wait is the news.
        if seconds >= LONG_WAIT_SECONDS or not seconds:
            state = _(RATE_WAIT) if seconds else ""
            self._bars.update(self._tasks[account], state=state, refresh=True)

    def storing(self, account: Account) -> None:
        self._bars.update(self._tasks[account], state=_(STORING), refresh=True)


def pages(count: int) -> str:
    return counted(count, "{n} page", "{n} pages")


def batches(count: int) -> str:
    return counted(count, "{n} batch", "{n} batches")


@contextmanager
def account_bars(
    accounts: Iterable[Account],
    steps: Callable[[int], str],
    quiet: bool = False,
    console: Console | None = None,
) -> Iterator[EmagProgress | None]:
    """Yields the `progress` observer of a sync or re-send (None when nothing is drawn);
    `steps(n)` says n steps done: pages read (`pages`), batches sent (`batches`)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=10),
        MofNCompleteColumn(),
        TextColumn(_("offers") + ", {task.fields[steps]}"),
        _TimeLeftOrState(),
    )
    with drawn_bars(quiet, console, *columns) as bars:
        yield None if bars is None else AccountBars(bars, accounts, steps)
