"""A sliding-window rate limiter: eMAG counts every call per account, per second and per
minute, so the client waits locally instead of collecting 429s.

The clock and the sleep are injected so the limiter can be tested without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple


class Window(NamedTuple):
    """At most `limit` calls in any `seconds`-long interval."""

    limit: int
    seconds: float


# eMAG's published budgets, per seller account and per family of calls.
OFFERS_LIMITS = (Window(3, 1.0), Window(180, 60.0))
ORDERS_LIMITS = (Window(12, 1.0), Window(720, 60.0))
FIND_BY_EANS_LIMITS = (Window(5, 1.0), Window(200, 60.0), Window(5000, 86400.0))


# Covers how much sooner one call can reach eMAG than the one a window before it, on
# a warm connection: tens of milliseconds on a busy machine or network.
DEFAULT_MARGIN = 0.04
# Told the seconds of a wait on the limiter before it starts, 0.0 once it is over.
Wait = Callable[[float], None]


class SlidingWindowLimiter:
    """Blocks in `acquire()` just long enough that no window is exceeded.

    Calls are spaced by their start, as eMAG counts them on arrival: however long a call
    takes to answer, the next one may start a window after it started, not after it
    finished. A call is stamped when it is let through and, if the caller says so with
    `sending()`, again when its request actually leaves: a new connection's setup (TCP,
    TLS) can hold it back, and stamping it early would let the call that follows on a
    warm connection reach eMAG closer to it than the window. `margin` covers what still
    varies between two calls' way to eMAG (clock granularity, network jitter).
    """

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not windows:
            raise ValueError("at least one window is needed")
        self.windows = tuple(windows)
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        # Mutable one-item lists, so sending() can move a call's stamp to its departure.
        self._calls: deque[list[float]] = deque(maxlen=max(w.limit for w in self.windows))
        self._mine = threading.local()
        # Held while sleeping on purpose: callers queue up in order instead of racing.
        self._queue = threading.Lock()
        # Guards the stamps only, never held while sleeping, so sending() of a call on
        # another thread lands while the next caller waits, which then waits for it.
        self._stamps = threading.Lock()

    def delay(self) -> float:
        """Seconds to wait before the next call would fit every window (0 if it fits now)."""
        now = self._clock()
        needed = 0.0
        for window in self.windows:
            if len(self._calls) >= window.limit:
                oldest_in_window = self._calls[-window.limit][0]
                needed = max(needed, oldest_in_window + window.seconds + self.margin - now)
        return max(needed, 0.0)

    def acquire(self, on_wait: Wait | None = None) -> float:
        """Wait until a call is allowed, count it from now, and return the seconds waited.

        `on_wait(seconds)` hears of each sleep before it starts, and `on_wait(0.0)` once
        the call is let through after one (a progress bar says it is waiting)."""
        with self._queue:
            waited = 0.0
            while True:
                with self._stamps:
                    wait = self.delay()
                    if wait <= 0:
                        stamp = [self._clock()]
                        self._calls.append(stamp)
                        self._mine.stamp = stamp
                        break
                if on_wait:
                    on_wait(wait)
                self._sleep(wait)
                waited += wait
        if waited and on_wait:
            on_wait(0.0)
        return waited

    def sending(self) -> None:
        """The call this thread last acquired is leaving now (its connection is up): count
        it from now. Only the first word counts; later ones (a retried write) are ignored."""
        stamp = getattr(self._mine, "stamp", None)
        if stamp is not None:
            with self._stamps:
                stamp[0] = max(stamp[0], self._clock())
            self._mine.stamp = None


FAMILY_LIMITS: dict[str, tuple[Window, ...]] = {
    "offers": OFFERS_LIMITS,
    "orders": ORDERS_LIMITS,
    "find_by_eans": FIND_BY_EANS_LIMITS,
}


class AccountLimiters:
    """One limiter per family of calls, as eMAG budgets them per seller login.

    `windows` overrides the budget of some families (e.g. if eMAG grants a higher one).
    """

    def __init__(
        self,
        windows: Mapping[str, Sequence[Window]] | None = None,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        budget = {**FAMILY_LIMITS, **(windows or {})}
        self.families = {
            family: SlidingWindowLimiter(limits, margin=margin, clock=clock, sleep=sleep)
            for family, limits in budget.items()
        }


_shared_limiters: dict[tuple[str, str], AccountLimiters] = {}
_shared_lock = threading.Lock()


def shared_limiters(base_url: str, username: str) -> AccountLimiters:
    """The process-wide limiters of one login, so two clients never split its budget."""
    key = (base_url.rstrip("/"), username)
    with _shared_lock:
        return _shared_limiters.setdefault(key, AccountLimiters())
