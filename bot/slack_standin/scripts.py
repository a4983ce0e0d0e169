"""Scripted trouble for the Slack stand-in: failures (429 with Retry-After, 5xx), answers
that arrive late, and answers that never arrive although the call was carried out (the
connection closes, as when a network drops the reply)."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Failure:
    method: str
    status: int  # 0: the request is carried out, then the connection closes unanswered
    retry_after: int | None
    times: int | None
    after: int = 0


@dataclass
class Delay:
    method: str
    seconds: float
    after: int
    times: int | None


class ScriptedFailures:
    """What the next calls of a method suffer. SlackStandin holds `self._lock`."""

    _lock: threading.RLock
    _failures: list[Failure]
    _delays: list[Delay]

    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, times: int | None = 1
    ) -> None:
        """The next `times` calls of `method` (None: every call) answer `status`."""
        with self._lock:
            self._failures.append(Failure(method, status, retry_after, times))

    def drop_reply(self, method: str, times: int = 1, after: int = 0) -> None:
        """After `after` calls, the next `times` calls of `method` are carried out (a
        message is posted) but their answer never arrives: the connection closes."""
        with self._lock:
            self._failures.append(Failure(method, 0, None, times, after=after))

    def slow(self, method: str, seconds: float, after: int = 0, times: int | None = None) -> None:
        """After `after` calls, the next `times` calls (None: all) of `method` (or
        "response_url") are carried out at once and answered `seconds` later."""
        with self._lock:
            self._delays.append(Delay(method, seconds, after, times))

    def _lateness(self, path: str) -> float:
        method = "response_url" if path.startswith("/response/") else path.split("?")[0]
        method = method.removeprefix("/api/")
        with self._lock:
            for delay in self._delays:
                if delay.method == method:
                    if delay.after > 0:
                        delay.after -= 1
                        return 0.0
                    if delay.times is not None:
                        delay.times -= 1
                        if delay.times <= 0:
                            self._delays.remove(delay)
                    return delay.seconds
        return 0.0

    def fail_after(self, method: str, successes: int, status: int = 500) -> None:
        """Let `successes` calls of `method` through, then fail every call."""
        with self._lock:
            self._failures.append(Failure(method, status, None, None, after=successes))

    def clear_failures(self) -> None:
        """No more scripted failures or late answers."""
        with self._lock:
            self._failures.clear()
            self._delays.clear()

    def _failure(self, method: str) -> Failure | None:
        for failure in self._failures:
            if failure.method != method:
                continue
            if failure.after > 0:
                failure.after -= 1
                return None
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
            return failure
        return None
