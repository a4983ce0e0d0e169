"""On SQLite the sync stores an account one chunk per transaction, so another process's
write gets the file's one write lock between chunks instead of waiting out the whole
account; what is stored in the end is the same as in one transaction."""

from __future__ import annotations

import pickle
import sqlite3
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.emag import reading, sync
from bot.emag.reading import AccountRead
from bot.runtime import Runtime
from storage.models import Offer
from storage.sync_writes import SyncedOffer
from tests.conftest import NOW


def _read(account: str, count: int) -> AccountRead:
    read = AccountRead(account)  # type: ignore[arg-type]
    offers = [
        SyncedOffer(
            f"CH{n:05d}", None, None, None, n + 1, 3, 3, 3, 2, None, Decimal("9.5"), None, 1
        )
        for n in range(count)
    ]
    for start in range(0, count, 100):
        pickle.dump(offers[start : start + 100], read.spool)
    read.offers = count
    return read


def test_another_writer_gets_the_lock_between_chunks_and_the_result_is_whole(
    runtime: Runtime, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no file-wide write lock; it stores in one transaction")
    monkeypatch.setattr(reading, "APPLY_CHUNK", 200)
    read = _read("main", 3000)  # 15 chunks
    done = threading.Event()
    got_in: list[float] = []

    def other_process() -> None:
        connection = sqlite3.connect(str(runtime.engine.url.database), isolation_level=None)
        connection.execute("PRAGMA busy_timeout=300")
        while not done.is_set():
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                continue  # busy for 300 ms: try again
            connection.execute("ROLLBACK")
            if not done.is_set():
                got_in.append(time.monotonic())
            time.sleep(0.02)
        connection.close()

    writer = threading.Thread(target=other_process)
    with sync.exclusive(runtime.engine, sync.SYNC_LOCK):
        writer.start()
        try:
            sync._apply(runtime, read, NOW, time.monotonic())
        finally:
            done.set()
            writer.join(timeout=5)
            read.close()
    assert len(got_in) >= 3, "the other writer never got in while the account was stored"
    with runtime.sessions() as session:
        stored = session.scalar(
            select(func.count()).select_from(Offer).where(Offer.last_read_at == NOW)
        )
    assert stored == 3000
