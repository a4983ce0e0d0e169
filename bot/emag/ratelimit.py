"""A sliding-window rate limiter: eMAG counts every call per account, per second and per
minute, so the client waits locally instead of collecting 429s.

eMAG counts a call when it arrives, a moment the client cannot see: somewhere between
the request leaving and its answer coming back. A call is therefore counted until a
window after its answer (`answered`), never after its start alone: spacing calls by
their start trusted every call to take equally long to get there, and a call counted
late by a busy gateway (or a loaded fake) while the next one was counted at once got
429s whatever the margin.

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


# With calls counted from their answer nothing is left to cover but the clock's
# granularity and ties (eMAG and the fake count calls strictly inside the window).
DEFAULT_MARGIN = 0.002
# Seconds after which a call never said answered (`SlidingWindowLimiter.answered`) stops
# holding its window: longer than any call of ours takes, timeouts and retries included.
FORGOTTEN = 120.0
# Told the seconds of a wait on the limiter before it starts, 0.0 once it is over.
Wait = Callable[[float], None]


class SlidingWindowLimiter:
    """Blocks in `acquire()` just long enough that no window is exceeded.

    A call is stamped when it is let through, again when its request actually leaves
    (`sending()`: a new connection's setup can hold it back) and, last, when its answer
    (or its failure) comes back (`answered()`). Until then it counts as arriving at any
    moment, now included; once answered it counts from its answer. The next call may
    start a window after the stamp of the call `limit` before it: eMAG has counted that
    one by its answer at the latest, and counts the next one on arrival, after it left.
    What that costs is one call's round trip per window, not a guessed margin.
    `margin` covers only the clock's granularity.
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
        # [stamp, answered] per call, mutable so sending() and answered() can move it.
        self._calls: deque[list] = deque(maxlen=max(w.limit for w in self.windows))
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
                stamp, answered = self._calls[-window.limit]
                # A call still under way may reach eMAG this very moment, unless its
                # caller forgot it: none of ours is under way for that long.
                counted = stamp if answered else min(max(stamp, now), stamp + FORGOTTEN)
                needed = max(needed, counted + window.seconds + self.margin - now)
        return max(needed, 0.0)

    def acquire(self, on_wait: Wait | None = None) -> float:
        """Wait until a call is allowed, count it from now, and return the seconds waited.

        `on_wait(seconds)` hears of each sleep before it starts, and `on_wait(0.0)` once
        the call is let through after one (a progress bar says it is waiting)."""
        # One call at a time per thread: one it never said was answered is over by now,
        # and would otherwise hold its window forever. Before queueing: a caller asleep
        # in the queue may be waiting for it.
        self.answered()
        with self._queue:
            waited = 0.0
            while True:
                with self._stamps:
                    wait = self.delay()
                    if wait <= 0:
                        stamp = [self._clock(), False]
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
        """The call this thread last acquired is leaving now (its connection is up)."""
        stamp = getattr(self._mine, "stamp", None)
        if stamp is not None and not stamp[1]:
            with self._stamps:
                stamp[0] = max(stamp[0], self._clock())

    def answered(self) -> None:
        """The call this thread last acquired has its answer, or has failed: count it from
        now. Only the first word counts; later ones are ignored."""
        with self._stamps:
            self._close_mine()

    def _close_mine(self) -> None:
        stamp = getattr(self._mine, "stamp", None)
        if stamp is not None:
            stamp[0] = max(stamp[0], self._clock())
            stamp[1] = True
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
