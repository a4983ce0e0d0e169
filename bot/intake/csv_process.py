"""The CSV import's reading in a process of its own, beside the writes.

Reading and checking the rows (csv_import.OfferStream) is pure Python, as is much of
writing them, so in one process the two take turns on one core. A forked child reads the
file and sends each batch of plain rows down a pipe; the parent writes them as they come,
on the other core. `stockbot import` forks it as the command starts (bot.cli.csvreading),
before the database's libraries load and before any thread of ours (the progress bar's)
exists, so it reads while the parent starts. It holds up to AHEAD batches ahead of the
parent, then waits: memory stays flat in file size. It ends with os._exit, never
touching the parent's database connections.

What the parent sees is OfferStream's: `batches`, `check` and `products`; the child's
refusal (CsvImportError) or failure is raised in the parent at the point OfferStream
would have raised it. Where fork is not available, OfferStream runs in the process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from bot.errors import StockbotError
from bot.i18n import _
from bot.intake.csv_dialect import CsvDialect
from bot.intake.csv_errors import CsvImportError
from bot.intake.csv_import import OfferStream
from storage.plain_rows import OfferRows, paused_gc

_ROWS, _BATCH, _REFUSED, _FAILED, _END = range(5)
_FORK = "fork" in multiprocessing.get_all_start_methods()
# Batches (of 10,000 rows for an import, about 1.2 MB pickled) the child may have read
# ahead of the parent.
AHEAD = 8


def offer_stream(
    lines: Iterable[str], now: datetime, dialect: CsvDialect, rows: int | None
) -> ReadAside | InProcess:
    """The rows of `lines` in batches of `rows` data rows, read aside in a child process
    where the system can fork, else in this one."""
    return (ReadAside if _FORK else InProcess)(lines, now, dialect, rows)


class InProcess:
    """OfferStream itself, behind ReadAside's face."""

    def __init__(
        self, lines: Iterable[str], now: datetime, dialect: CsvDialect, rows: int | None
    ) -> None:
        self._rows = rows
        self._advance: Callable[[int], None] = lambda _rows: None
        self._stream = OfferStream(lines, now, dialect, lambda count: self._advance(count))

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.__exit__(*exc)

    @property
    def products(self) -> int:
        return self._stream.products

    def on_rows(self, advance: Callable[[int], None]) -> None:
        self._advance = advance

    def batches(self) -> Iterator[OfferRows]:
        return self._stream.batches(self._rows)

    def check(self) -> None:
        self._stream.check()


class ReadAside:
    """OfferStream's batches, read by a forked child; a context manager that stops the
    child on the way out."""

    def __init__(
        self, lines: Iterable[str], now: datetime, dialect: CsvDialect, rows: int | None
    ) -> None:
        self.products = 0
        self._advance: Callable[[int], None] = lambda _rows: None
        self._ending: tuple[int, Any] | None = None
        reader, writer = multiprocessing.Pipe(duplex=False)
        context = multiprocessing.get_context("fork")
        self._child = context.Process(
            target=_read, args=(lines, now, dialect, rows, reader, writer), daemon=True
        )
        self._child.start()
        writer.close()
        self._reader = reader

    def __enter__(self) -> ReadAside:
        return self

    def __exit__(self, *_exc: object) -> None:
        # An error in the writes leaves the child waiting on a full pipe: it is not needed.
        if self._child.is_alive():
            self._child.kill()
        self._child.join()
        self._reader.close()

    def on_rows(self, advance: Callable[[int], None]) -> None:
        """`advance(n)` hears of every `n` rows the child has read (for a progress bar)."""
        self._advance = advance

    def batches(self) -> Iterator[OfferRows]:
        while True:
            kind, value = self._next()
            if kind == _ROWS:
                self._advance(value)
            elif kind == _BATCH:
                yield pickle.loads(value)
            else:
                self._ending = (kind, value)
                return

    def check(self) -> None:
        """What OfferStream.check said in the child: CsvImportError, or the products."""
        for _batch in self.batches():  # the rest, if the caller stopped reading early
            pass
        kind, value = self._ending
        if kind == _REFUSED:
            raise CsvImportError(value)
        if kind == _FAILED:
            raise value
        self.products = value

    def _next(self) -> tuple[int, Any]:
        if self._ending is not None:
            return self._ending
        try:
            return self._reader.recv()
        except EOFError:
            self._child.join()
            failure = StockbotError(
                _("the CSV reader process ended unexpectedly (exit code {code})").format(
                    code=self._child.exitcode
                )
            )
            self._ending = (_FAILED, failure)
            return self._ending


def _read(
    lines: Iterable[str],
    now: datetime,
    dialect: CsvDialect,
    rows: int | None,
    reader: Connection,
    writer: Connection,
) -> None:
    """The child: every batch, then how the file ended; os._exit, so nothing of the
    parent's (its database connections above all) is closed or flushed from here."""
    reader.close()
    code = 0
    sender = _Sender(writer)
    try:
        with (
            paused_gc(),
            OfferStream(lines, now, dialect, lambda count: sender.send((_ROWS, count))) as stream,
        ):
            try:
                for batch in stream.batches(rows):
                    sender.send((_BATCH, pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)))
                stream.check()
            except CsvImportError as exc:
                sender.send((_REFUSED, exc.problems))
            except Exception as exc:  # raised in the parent, where OfferStream raises it
                sender.send((_FAILED, _portable(exc)))
            else:
                sender.send((_END, stream.products))
        sender.finish()
    except BaseException:  # the parent is gone (a broken pipe) or the child was stopped
        code = 1
    finally:
        os._exit(code)


class _Sender(threading.Thread):
    """Sends the child's messages from a queue holding up to AHEAD batches: the child
    reads on while the parent is still starting (it is forked before the database's
    libraries load) or busy with a batch, beyond what the pipe's own buffer (64 KiB, a
    fraction of one batch) would hold. Memory stays bounded by AHEAD batches."""

    def __init__(self, writer: Connection) -> None:
        super().__init__(daemon=True)
        self._writer = writer
        self._queue: queue.SimpleQueue[tuple[int, Any] | None] = queue.SimpleQueue()
        self._room = threading.BoundedSemaphore(AHEAD)
        self.sent = False
        self.start()

    def run(self) -> None:
        # A broken pipe (the parent gone) ends the thread; send() and finish() see it.
        with contextlib.suppress(OSError):
            while (message := self._queue.get()) is not None:
                self._writer.send(message)
                if message[0] == _BATCH:
                    self._room.release()
            self.sent = True

    def send(self, message: tuple[int, Any] | None) -> None:
        if message is not None and message[0] == _BATCH:
            while not self._room.acquire(timeout=0.1):
                if not self.is_alive():
                    raise BrokenPipeError("the importing process stopped reading")
        self._queue.put(message)

    def finish(self) -> None:
        """Every message sent, then the thread ended."""
        self.send(None)
        self.join()
        if not self.sent:
            raise BrokenPipeError("the importing process stopped reading")


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling as it is, else a StockbotError that says it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return StockbotError(f"{type(exc).__name__}: {exc}")
    return exc
