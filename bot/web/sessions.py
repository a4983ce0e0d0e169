"""The dashboard's sign-in: a session cookie that expires, and sign-in attempts limited
per client address.

The cookie holds when it was issued and an HMAC over that time keyed by the API token
(never the token itself), so the server checks its age itself: a copied cookie stops
working after STOCKBOT_SESSION_HOURS even if the browser keeps it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Iterable

from bot.web.tokens import matches_any

COOKIE = "stockbot_dashboard"
# Clocks of the processes behind one address may differ a little.
_SKEW_SECONDS = 60


def session_value(token: str, issued: int) -> str:
    """The cookie for a sign-in with `token` at Unix time `issued`."""
    mac = hmac.new(token.encode(), f"stockbot-dashboard:{issued}".encode(), hashlib.sha256)
    return f"{issued}.{mac.hexdigest()}"


def valid_session(cookie: str, tokens: Iterable[str], max_age: int, now: float) -> bool:
    """Whether `cookie` was issued for one of `tokens` within the last `max_age` seconds."""
    issued_text, _, mac = cookie.partition(".")
    if not issued_text.isascii() or not issued_text.isdigit() or len(issued_text) > 12 or not mac:
        return False
    issued = int(issued_text)
    if not now - max_age <= issued <= now + _SKEW_SECONDS:
        return False
    return matches_any(cookie, (session_value(token, issued) for token in tokens))


class LoginLimiter:
    """At most `attempts` failed sign-ins per address in `window` seconds; then every
    sign-in from it is refused until the oldest failure leaves the window.

    Per process: with `serve --workers N` an address gets N times the attempts, still a
    few a minute rather than thousands."""

    MAX_ADDRESSES = 10_000  # beyond this, forget the quiet ones first: memory stays bounded

    def __init__(self, attempts: int, window: float = 60.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def wait_seconds(self, address: str, now: float | None = None) -> int:
        """0 when `address` may try now, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._recent(address, now)
            if len(failures) < self.attempts:
                return 0
            return max(1, round(failures[0] + self.window - now))

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) >= self.MAX_ADDRESSES:
                for stale in [a for a, f in self._failures.items() if not self._recent(a, now)]:
                    del self._failures[stale]
                if len(self._failures) >= self.MAX_ADDRESSES:
                    self._failures.pop(next(iter(self._failures)))
            failures = self._recent(address, now)
            failures.append(now)
            self._failures[address] = failures
