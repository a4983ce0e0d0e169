"""Read both eMAG accounts into the snapshot, each account all or nothing.

`sync_accounts` reads MAIN and FBE at the same time, one thread per account, each with its
own client and therefore its own rate budget. An account's offers are converted page by
page and spooled to a temporary file, so memory stays flat in the catalogue's size; once
the account's read has completed, the spool is applied in chunks inside ONE transaction
that replaces that account's stored offers (on PostgreSQL; on SQLite, whose one write
lock would shut every other process out meanwhile, one transaction per chunk, see
`_store_chunks`):

- offers read get every field and `last_read_at = now` (never `last_sent_at`: only a
  successful write to eMAG sets that);
- offers of the account that the completed read did not return are DELETED for that
  account (the product, its history and the other account's offer stay). Deleting rather
  than marking keeps every reader simple: an offer row means "listed on eMAG".
- an account whose read failed (any EmagError after the client's retries) keeps every
  stored offer untouched, so their old `last_read_at` shows them as stale; the failure is
  recorded as a "failed" snapshot run and in the report.

A completed read that returns no offer at all while offers are stored is treated as a
failure too: an empty answer from a troubled API must not wipe the catalogue.

Sales velocity: orders of the last 30 days per account (order type 3 = MAIN, 2 = FBE),
units of orders not cancelled (status 0) or returned (status 5), divided by the days the
offer was in stock. We keep no per-day stock history, so "in stock" is approximated as the
window minus the days a zero-stock alert was open for that offer (alert history); offers
out of stock without competition are not alerted, so their velocity can be underestimated.
If the order read fails, the offers still apply and velocities keep their previous values.

Once both accounts are stored, one transaction records the competition history of the
offers read (storage.competition: the competitor watch) and then the alert history.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.emag.client import EmagClient
from bot.emag.errors import EmagError
from bot.emag.pnk import PnkIssue, pnk_issues
from bot.emag.progress import EmagProgress
from bot.emag.reading import VELOCITY_DAYS, AccountRead, read_account, spooled
from bot.engine.models import Account
from bot.runtime import Runtime
from storage.competition import record_competition
from storage.db import transaction
from storage.history import HISTORY_LOCK, record_history
from storage.locks import exclusive
from storage.models import Offer
from storage.sync_writes import (
    mark_account_unread,
    remove_unread_offers,
    store_category_names,
    stored_category_names,
    upsert_account_chunk,
)
from storage.velocity import apply_velocities
from storage.writes import record_run

logger = logging.getLogger(__name__)

SOURCE = "emag"
SYNC_LOCK = "emag-sync"
# Between two chunks stored on SQLite: long enough for a waiting writer's retry.
CHUNK_PAUSE_SECONDS = 0.05


class AccountSync(BaseModel):
    """How one account's sync went."""

    account: Account
    status: Literal["ok", "failed"]
    offers: int = 0
    removed: int = 0
    pages: int = 0
    skipped: int = 0  # items without a part_number (SKU) or offer id
    # Offers left out because an earlier offer of the account has the same SKU.
    sku_conflicts: list[str] = []
    velocity_updated: bool = False
    velocity_error: str | None = None
    error: str | None = None
    seconds: float = 0.0


class SyncReport(BaseModel):
    """What `sync_accounts` did, per account, and the PNK issues found afterwards."""

    started_at: datetime
    accounts: list[AccountSync]
    pnk_issues: list[PnkIssue] = []

    @property
    def ok(self) -> bool:
        return all(result.status == "ok" for result in self.accounts)

    @property
    def failed(self) -> list[AccountSync]:
        return [result for result in self.accounts if result.status == "failed"]


def _stored_offers(runtime: Runtime, account: str) -> int:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Offer).where(Offer.account == account))
            or 0
        )


def _apply(
    runtime: Runtime,
    read: AccountRead,
    now: datetime,
    started: float,
    write_lock: threading.Lock | None = None,
) -> int:
    """Replace the account's stored offers with the spool: in one transaction, or on
    SQLite chunk by chunk (`_store_chunks`). `write_lock` is shared by the accounts'
    threads: one of them writes at a time."""
    write_lock = write_lock or threading.Lock()
    rules = runtime.service.rules
    chunked = runtime.engine.dialect.name == "sqlite"
    if chunked:
        _store_chunks(runtime, read, now, write_lock)
    with write_lock, transaction(runtime.sessions) as session:
        if not chunked:
            mark_account_unread(session, read.account)
            for chunk in spooled(read.spool):
                upsert_account_chunk(session, read.account, chunk, now, rules)
        store_category_names(session, read.new_categories, now)
        removed = remove_unread_offers(
            session, read.account, rules, read_before=now if chunked else None
        )
        if read.units is not None:
            apply_velocities(session, read.account, read.units, now, VELOCITY_DAYS)
        finished = now + timedelta(seconds=time.monotonic() - started)
        record_run(session, read.account, SOURCE, now, finished, read.offers)
    return removed


def _store_chunks(
    runtime: Runtime, read: AccountRead, now: datetime, write_lock: threading.Lock
) -> None:
    """Store the spool one chunk per transaction, pausing between them.

    SQLite has one write lock for the whole file: held for a 100k-offer account, it would
    keep every other process's write (a snooze, a click) waiting past its busy timeout.
    Committing per chunk is safe because a chunk holds whole offers: until the last one
    is in, each offer is either this read's (`last_read_at = now`) or the previous one
    with its older read time, shown as stale; nothing is deleted until every chunk is in
    (`remove_unread_offers(read_before=now)`). A process killed in between leaves exactly
    that, and the next sync completes it. The pause lets a writer that waits for the
    lock (SQLite retries every 100 ms or so) take it between two chunks. `write_lock` is
    taken per chunk, so the other account's chunks go in between: its Python work (the
    rows, the lookups) runs while SQLite writes this one's, and the two stores overlap.
    """
    rules = runtime.service.rules
    for number, chunk in enumerate(spooled(read.spool)):
        if number:
            time.sleep(CHUNK_PAUSE_SECONDS)
        with write_lock, transaction(runtime.sessions) as session:
            upsert_account_chunk(session, read.account, chunk, now, rules)


def _record_failure(runtime: Runtime, account: str, now: datetime, error: str) -> None:
    try:
        with transaction(runtime.sessions) as session:
            record_run(session, account, SOURCE, now, now, 0, status="failed", error=error)
    except SQLAlchemyError:
        logger.exception("%s: could not record the failed sync", account.upper())


def _sync_one(
    runtime: Runtime,
    client: EmagClient,
    now: datetime,
    write_lock: threading.Lock,
    progress: EmagProgress,
) -> AccountSync:
    account = client.account
    started = time.monotonic()
    try:
        with runtime.sessions() as session:
            known = stored_category_names(session)
        read = read_account(client, now, known, progress)
    except EmagError as exc:
        error = str(exc)
        logger.warning("%s: sync failed, previous snapshot kept: %s", client.label, error)
        _record_failure(runtime, account, now, error)
        return AccountSync(
            account=account,
            status="failed",
            error=error,
            seconds=round(time.monotonic() - started, 3),
        )
    try:
        result = AccountSync(
            account=account,
            status="ok",
            offers=read.offers,
            pages=read.pages,
            skipped=read.skipped,
            sku_conflicts=read.conflicts,
            velocity_updated=read.units is not None,
            velocity_error=read.velocity_error,
        )
        if read.offers == 0 and (stored := _stored_offers(runtime, account)):
            error = (
                f"{client.label}: eMAG returned no offers while {stored} are stored; "
                "the previous snapshot was kept"
            )
            _record_failure(runtime, account, now, error)
            return result.model_copy(update={"status": "failed", "error": error})
        progress.storing(account)
        # One writer at a time (SQLite has a single write lock; on PostgreSQL the two
        # accounts' transactions would wait on each other's product rows): _apply takes
        # write_lock per transaction, so on SQLite the two stores interleave by chunk.
        try:
            result.removed = _apply(runtime, read, now, started, write_lock)
        except SQLAlchemyError as exc:
            error = f"{client.label}: the snapshot could not be stored ({type(exc).__name__})"
            logger.exception("%s", error)
            _record_failure(runtime, account, now, error)
            return result.model_copy(update={"status": "failed", "error": error})
        result.seconds = round(time.monotonic() - started, 3)
        return result
    finally:
        read.close()


def _as_clients(clients: Iterable[EmagClient] | Mapping[str, EmagClient]) -> list[EmagClient]:
    values = list(clients.values() if isinstance(clients, Mapping) else clients)
    accounts = [client.account for client in values]
    if len(set(accounts)) != len(accounts):
        raise ValueError(f"one client per account, got {accounts}")
    return values


def read_and_store(
    runtime: Runtime,
    clients: Iterable[EmagClient] | Mapping[str, EmagClient],
    now: datetime,
    progress: EmagProgress | None = None,
) -> list[AccountSync]:
    """The accounts' concurrent reads and per-account stores of `sync_accounts`, without
    the catalogue-wide history update that follows them."""
    accounts = _as_clients(clients)
    write_lock = threading.Lock()
    progress = progress or EmagProgress()
    with ThreadPoolExecutor(max_workers=max(1, len(accounts)), thread_name_prefix="sync") as pool:
        futures = [
            pool.submit(_sync_one, runtime, client, now, write_lock, progress)
            for client in accounts
        ]
        return [future.result() for future in futures]


def sync_accounts(
    runtime: Runtime,
    clients: Iterable[EmagClient] | Mapping[str, EmagClient],
    now: datetime,
    progress: EmagProgress | None = None,
) -> SyncReport:
    """Read every given account concurrently and store each one that completed.

    Never raises for an eMAG failure: a failed account is in the report (and the snapshot
    runs) and keeps its previous offers. See the module docstring for the rules.
    `progress` hears how each account's read goes (bot.emag.progress); it changes nothing.
    """
    with exclusive(runtime.engine, SYNC_LOCK, wait=False) as acquired:
        if not acquired:
            # Two overlapping syncs (the worker's and a manual one) would race on the
            # same offers and history; the second has nothing to add.
            busy = "another sync is running; this one did nothing"
            return SyncReport(
                started_at=now,
                accounts=[
                    AccountSync(account=client.account, status="failed", error=busy)
                    for client in _as_clients(clients)
                ],
            )
        results = read_and_store(runtime, clients, now, progress)
        if any(result.status == "ok" for result in results):
            # Once, after both accounts: alert records compare the whole catalogue, and
            # the competition points count our own offers on sale on both alike.
            with exclusive(runtime.engine, HISTORY_LOCK), transaction(runtime.sessions) as session:
                record_competition(session, now, runtime.service.rules)
                record_history(session, now, runtime.service.rules)
    return SyncReport(started_at=now, accounts=results, pnk_issues=pnk_issues(runtime))
