"""The long-running processes' log (bot.runtime.configure_logging): lines are queued by
the thread that logs and written to stderr by a thread of their own; none is lost at exit,
tracebacks included. Run in a fresh interpreter, as a serve, worker or answer process is."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

SCRIPT = """
import logging
from bot.runtime import configure_logging

configure_logging()
log = logging.getLogger("stockbot.web")
for number in range(2000):
    log.info("line %d of %s", number, "2000")
log.debug("not at INFO")
try:
    {}["missing"]
except KeyError:
    log.exception("the last line")
"""


def test_every_queued_line_is_written_before_the_process_ends() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stderr.splitlines()
    written = [line for line in lines if " stockbot.web line " in line]
    assert len(written) == 2000
    assert written[0].endswith("stockbot.web line 0 of 2000")
    assert written[-1].endswith("stockbot.web line 1999 of 2000")
    assert "not at INFO" not in done.stderr
    assert lines[-1] == "KeyError: 'missing'"
    assert any(line.endswith("stockbot.web the last line") for line in lines)


WRITER_MASK = """
import logging, threading
from bot.runtime import configure_logging

configure_logging()
[writer] = [t for t in threading.enumerate() if t is not threading.main_thread()]
with open(f"/proc/self/task/{writer.native_id}/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("SigBlk:")))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_writer_thread_leaves_ctrl_c_to_the_main_thread() -> None:
    # A SIGINT the kernel handed to the writer would leave a main thread blocked in a
    # wait (the worker's scheduler) asleep: `stockbot worker` hung on Ctrl-C, now and then.
    done = subprocess.run(
        [sys.executable, "-c", WRITER_MASK], capture_output=True, text=True, timeout=60, check=True
    )
    blocked = int(done.stdout.strip(), 16)
    for number in (signal.SIGINT, signal.SIGTERM):
        assert blocked & (1 << (number - 1))
