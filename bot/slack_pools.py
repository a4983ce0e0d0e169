"""The thread pool the Slack answers run in: bounded to the cores, a queue rather than
dozens of threads fighting the acks for the interpreter, and able to say when a task has
waited too long to start (so a person gets "busy, answering in a moment", not silence).
Sending an answer to Slack is waiting, not work: it goes to a small pool of its own, so
a thread of the bounded pool never sits idle on the network.

Plain threading, no Slack: the Slack surface (handlers/answering.py) decides what a
waiting task's notice says and how it is sent.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
IO_THREADS = 8
# The answer threads' niceness: when they and the acks want the same cores, the kernel
# lets the acks (and the event loop) run first.
ANSWER_NICENESS = 10


def _yield_to_acks() -> None:
    """Lower this thread's CPU priority (Linux: niceness is per thread there; elsewhere
    setpriority would lower the whole process, so nothing is done)."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ANSWER_NICENESS)


@dataclass(order=True)
class _Waiting:
    deadline: float
    seq: int
    notice: Callable[[], None] = field(compare=False)
    started: threading.Event = field(compare=False, default_factory=threading.Event)


class AnswerPool:
    """`submit(task, notice)`: run `task` on one of `threads` threads; if it has not
    started `busy_after` seconds later, run `notice` on the I/O pool (so a full queue
    cannot hold the notices back). `deliver(send)`: run `send` on the I/O pool."""

    def __init__(self, threads: int, busy_after: float) -> None:
        self.busy_after = busy_after
        self._work = ThreadPoolExecutor(
            threads, thread_name_prefix="slack-answer", initializer=_yield_to_acks
        )
        self._io = ThreadPoolExecutor(IO_THREADS, thread_name_prefix="slack-send")
        self._waiting: list[_Waiting] = []
        self._seq = itertools.count()
        self._changed = threading.Condition()
        self._watch = threading.Thread(target=self._watchdog, name="slack-busy", daemon=True)
        self._watch.start()

    def __deepcopy__(self, memo: dict[int, object]) -> AnswerPool:
        # One per app: Bolt deep-copies the request context for its lazy listeners.
        return self

    def submit(
        self,
        task: Callable[[], None],
        notice: Callable[[], None] | None = None,
        since: float | None = None,
    ) -> None:
        """`since`: when the request arrived (time.time()), if it waited before it came
        here (handed over from another process): that wait counts towards `busy_after`."""
        started = threading.Event()

        def run() -> None:  # marks the start, so the watchdog knows not to say "busy"
            started.set()
            try:
                task()
            except Exception:  # the task reports its own failures; this is the last net
                log.exception("answer failed")

        if notice is not None:
            waited = 0.0 if since is None else max(0.0, time.time() - since)
            deadline = time.monotonic() + self.busy_after - waited
            waiting = _Waiting(deadline, next(self._seq), notice, started)
            with self._changed:
                heapq.heappush(self._waiting, waiting)
                self._changed.notify()
        self._work.submit(run)

    def deliver(self, send: Callable[[], None]) -> None:
        """Send an answer to Slack without holding a thread of the bounded pool."""
        self._io.submit(send)

    def close(self) -> None:
        """Finish the tasks submitted, then the answers they send."""
        self._work.shutdown()
        self._io.shutdown()

    def _watchdog(self) -> None:
        with self._changed:
            while True:  # a daemon thread: it ends with the process
                if not self._waiting:
                    self._changed.wait()
                    continue
                first = self._waiting[0]
                delay = first.deadline - time.monotonic()
                if delay > 0:
                    self._changed.wait(delay)
                    continue
                heapq.heappop(self._waiting)
                if not first.started.is_set():
                    self._io.submit(first.notice)
