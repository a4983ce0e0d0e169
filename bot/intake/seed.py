"""Writing a snapshot in batches: the demo catalogue, a CSV import (and anything given
whole), streamed so memory stays flat in catalogue size."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import ACCOUNTS, ProductSnapshot, Rules
from bot.intake.demo_data import emg331, generated_catalogue
from storage.db import transaction
from storage.history import HISTORY_LOCK, record_history
from storage.locks import exclusive
from storage.status import refresh_statistics
from storage.writes import record_run, upsert_snapshots

DEMO_PRODUCTS = 500
# Products per upsert: small enough for a progress bar to move, large enough to stay set-based.
WRITE_BATCH = 5000
# Offers written beyond which the stored classification gets new planner statistics.
BULK_WRITE = 1000


def batched(snapshots: Iterable[ProductSnapshot]) -> Iterator[list[ProductSnapshot]]:
    """`snapshots` in lists of WRITE_BATCH, read as they come."""
    items = iter(snapshots)
    while batch := list(itertools.islice(items, WRITE_BATCH)):
        yield batch


def store_batches(
    sessions: sessionmaker[Session],
    batches: Iterable[Sequence[ProductSnapshot]],
    source: str,
    now: datetime,
    rules: Rules,
    advance: Callable[[int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Upsert each batch of products (a SKU at most once per batch), note the run per
    account and update the history: all or nothing. `advance(n)` hears of each batch of
    `n` products written (for a progress bar); `before_commit()` may refuse the whole
    write by raising, after the last batch (an import that found a bad row)."""
    # The history lock before the transaction: taken inside it, a SQLite write lock
    # already held would make two writers wait on each other.
    with exclusive(sessions.kw["bind"], HISTORY_LOCK), transaction(sessions) as session:
        written = dict.fromkeys(ACCOUNTS, 0)
        for batch in batches:
            for account, count in upsert_snapshots(session, batch, now, rules).items():
                written[account] += count
            if advance:
                advance(len(batch))
        if before_commit:
            before_commit()
        if sum(written.values()) > BULK_WRITE:
            refresh_statistics(session)
        for account in (account for account in ACCOUNTS if written[account]):
            record_run(session, account, source, now, now, written[account])
        record_history(session, now, rules)
    return written


def store_snapshots(
    sessions: sessionmaker[Session],
    snapshots: Iterable[ProductSnapshot],
    source: str,
    now: datetime,
    rules: Rules,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """`store_batches` of `snapshots` (each SKU once), in batches of WRITE_BATCH."""
    return store_batches(sessions, batched(snapshots), source, now, rules, advance)


def seed_demo(
    sessions: sessionmaker[Session],
    now: datetime,
    rules: Rules,
    products: int = DEMO_PRODUCTS,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """EMG331 plus `products` generated products; running it again resets them."""
    catalogue = itertools.chain([emg331(now)], generated_catalogue(products, now))
    written = store_snapshots(sessions, catalogue, "demo", now, rules, advance)
    return {"products": products + 1, **written}
