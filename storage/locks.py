"""Named locks that hold across processes: a PostgreSQL advisory lock, or, for an embedded
SQLite file (one machine), an flock on a file beside it. Used where two runs must not
overlap: two syncs, two alert-history updates."""

from __future__ import annotations

import fcntl
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

# In-memory SQLite has no file to lock: one process, so a thread lock per name will do.
_memory_locks: dict[str, threading.Lock] = {}


def _key(name: str) -> int:
    return zlib.crc32(f"stockbot:{name}".encode())


@contextmanager
def exclusive(engine: Engine, name: str, wait: bool = True) -> Iterator[bool]:
    """Hold the lock `name` for the block; yields False (at once) when `wait` is off and
    another process holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            if wait:
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _key(name)})
                acquired = True
            else:
                acquired = bool(
                    connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)})
                )
            connection.commit()
            try:
                yield acquired
            finally:
                if acquired:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                    connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        lock = _memory_locks.setdefault(name, threading.Lock())
        acquired = lock.acquire(blocking=wait)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
        return
    path = Path(f"{database}.{name}.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            acquired = True
        except BlockingIOError:
            acquired = False
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle, fcntl.LOCK_UN)
