"""The process `/stock` is answered in, beside the process that acks it.

An answer is milliseconds of Python (the analysis, its blocks, the post to the
response_url); in the web process every one of them holds the interpreter while the
acks wait behind it. Measured with benchmarks/slack_ack.py --bare over 100k products,
answers in the web process's threads put the ack p50 at 3.1x a bare Bolt app's at 20 at
a time and 3.8x at 100; acking alone, 1.06x and 1.21x. So the web process acks the
command and hands its body over a pipe to this process, which answers it as the web
process would have: the same listener, the same bounded pool, the busy notice counted
from the ack. It runs at the lowest CPU priority, so the acks go first when both want
the cores, and a burst of commands is handed over once the acks pause (`_burst`).
Measured so (min of 5 rounds, the stand-in at idle priority): 1.10-1.18x at 20 and
1.25-1.30x at 100.

One such process per web process (each `serve --workers` process has its own). It ends
when its web process does, however that one ends, and the web process starts another if
it ends first.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.runtime import build_runtime, configure_logging
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.slack_pools import AnswerPool
from handlers.answering import ACKED_AT, queued
from handlers.commands import handle_stock_command

log = logging.getLogger("stockbot.slack")
# Spawned, not forked: the web process has threads (and their locks) a fork would copy.
_SPAWN = multiprocessing.get_context("spawn")
_CLOSE = None
# How long the acks must pause before the commands of a burst are handed over, and the
# longest a command is held for its burst (its answer's wait grows by at most this).
HAND_OVER_PAUSE = 0.005
HAND_OVER_LONGEST = 0.25


class CommandProcess:
    """`ack_listener` acks `/stock` and hands the command to the answer process.

    The hand-over is a pipe only this process writes to: when it ends, however it ends,
    the answer process reads the end of it, answers what it holds and exits. A thread
    here feeds the pipe, so an ack never waits on it (nor on the answer process starting)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._waiting: queue.SimpleQueue[tuple[dict[str, Any], float] | None] = queue.SimpleQueue()
        self._start()
        self._feeder = threading.Thread(target=self._feed, name="stockbot-handover", daemon=True)
        self._feeder.start()
        # Before multiprocessing's own exit hook, which waits for the process to end.
        atexit.register(self.close)

    def _start(self) -> None:
        reader, self._writer = _SPAWN.Pipe(duplex=False)
        self._process = _SPAWN.Process(
            target=answer_commands, args=(self._settings, reader), name="stockbot-answers"
        )
        self._process.start()
        reader.close()  # the answer process's copy is its own: the pipe ends with us

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def submit(self, command: dict[str, Any]) -> None:
        """Hand `command` (the slash command's body) over, with when it was acked."""
        self._waiting.put((command, time.time()))

    def ack_listener(self) -> Callable[..., None]:
        def handle_stock_command(ack: Ack, command: dict[str, Any]) -> None:
            ack()
            self.submit(command)

        return handle_stock_command

    def _feed(self) -> None:
        closing = False
        while not closing:
            batch = self._burst()
            closing = batch[-1] is _CLOSE
            commands = [item for item in batch if item is not _CLOSE]
            try:
                self._hand_over(commands)
            except Exception:  # this thread must go on, or every later command waits
                log.exception("/stock commands could not be handed to the answer process")
        self._writer.close()

    def _burst(self) -> list[tuple[dict[str, Any], float] | None]:
        """The commands of one burst: the first to come, then those that follow it until
        the acks pause for HAND_OVER_PAUSE (or HAND_OVER_LONGEST has passed). Handed over as
        they came (what waited at each wake-up), the commands woke this thread and the
        answer process again and again, whose work then took the cores from the acks still
        coming (an ack has Slack's 3 s, an answer its
        30 minutes): at 100 at a time, the ack p50 1.39-1.42x a bare Bolt app's, held for
        the pause 1.19-1.35x (benchmarks/slack_ack.py, min of 5 rounds)."""
        batch = [self._waiting.get()]
        until = time.monotonic() + HAND_OVER_LONGEST
        while batch[-1] is not _CLOSE and time.monotonic() < until:
            time.sleep(HAND_OVER_PAUSE)
            more = []
            with contextlib.suppress(queue.Empty):
                while True:
                    more.append(self._waiting.get_nowait())
            if not more:
                break
            batch += more
        return batch

    def _hand_over(self, commands: list[tuple[dict[str, Any], float]]) -> None:
        try:
            self._writer.send(commands)
        except OSError:  # the answer process is gone: what it held is lost, not this
            self._process.join(1)
            log.error(
                "the answer process ended (exit code %s); starting another",
                self._process.exitcode,
            )
            self._writer.close()
            self._start()
            self._writer.send(commands)

    def close(self, timeout: float = 10) -> None:
        """Let the commands handed over be answered, then end the answer process."""
        if not self._feeder.is_alive():
            return
        self._waiting.put(_CLOSE)
        self._feeder.join(timeout)
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()


def answer_commands(settings: Settings, commands: Connection) -> None:
    """The answer process: each command read from `commands` answered, until the web
    process closes it (or ends); then what is under way is finished."""
    if sys.platform == "linux":
        # The CPU only when the acks leave it: SCHED_IDLE, which the kernel preempts the
        # moment a normal task wakes (niceness 10 or 19 still let answers delay acks).
        # An ack has Slack's 3 s; an answer has 30 minutes and says "busy" after 2 s.
        # Set before any thread starts: the policy is per thread, and threads inherit it.
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    configure_logging()
    runtime = build_runtime(settings, migrate=False)  # the web process has checked it
    client = make_web_client(settings)
    answers = AnswerPool(settings.answer_threads, settings.busy_notice_seconds)
    answer = queued(handle_stock_command, busy=True)
    while True:
        try:
            batch = commands.recv()
        except EOFError:  # the web process closed the pipe or ended
            break
        for command, acked_at in batch:
            context = BoltContext({"runtime": runtime, "answers": answers, ACKED_AT: acked_at})
            respond = Respond(
                response_url=command.get("response_url"), proxy=client.proxy, ssl=client.ssl
            )
            answer(command=command, respond=respond, client=client, context=context)
    answers.close()
