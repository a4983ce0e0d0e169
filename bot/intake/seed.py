"""Writing a snapshot in batches: the demo catalogue, a CSV import (and anything given
whole), streamed so memory stays flat in catalogue size."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import ACCOUNTS, ProductSnapshot, Rules
from bot.intake import DEMO_PRODUCTS
from bot.intake.demo_data import GENERATED_FIELDS, emg331, generated_rows
from storage.bulk_load import bulk_load, reclassify
from storage.bulk_writes import snapshot_rows, write_offer_rows
from storage.db import transaction
from storage.history import HISTORY_LOCK, record_history
from storage.locks import exclusive
from storage.plain_rows import WRITE_BATCH, OfferRows, given_columns, paused_gc
from storage.queries import lookup_key
from storage.status import refresh_statistics
from storage.writes import record_run, upsert_snapshots

# Offers written beyond which the stored classification gets new planner statistics.
BULK_WRITE = 1000


def batched(snapshots: Iterable[ProductSnapshot]) -> Iterator[list[ProductSnapshot]]:
    """`snapshots` in lists of WRITE_BATCH, read as they come."""
    items = iter(snapshots)
    while batch := list(itertools.islice(items, WRITE_BATCH)):
        yield batch


def store_batches(
    sessions: sessionmaker[Session],
    batches: Iterable[Sequence[ProductSnapshot] | OfferRows],
    source: str,
    now: datetime,
    rules: Rules,
    advance: Callable[[int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Upsert each batch of products (a SKU at most once per batch; pydantic snapshots,
    or the plain rows of the import and the seed), note the run per
    account and update the history: all or nothing. `advance(n)` hears of each batch of
    `n` products written (for a progress bar); `before_commit()` may refuse the whole
    write by raising, after the last batch (an import that found a bad row)."""
    # The history lock before the transaction: taken inside it, a SQLite write lock
    # already held would make two writers wait on each other.
    with (
        paused_gc(),
        exclusive(sessions.kw["bind"], HISTORY_LOCK),
        transaction(sessions) as session,
    ):
        written = dict.fromkeys(ACCOUNTS, 0)
        with bulk_load(session) as written_ids:
            for batch in batches:
                if isinstance(batch, OfferRows):
                    counts = write_offer_rows(session, batch, now, rules, written_ids)
                    size = len(batch.products)
                else:
                    counts, size = upsert_snapshots(session, batch, now, rules), len(batch)
                for account, count in counts.items():
                    written[account] += count
                if advance:
                    advance(size)
            if before_commit:
                before_commit()
            reclassify(session, rules, written_ids)
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


def demo_batches(now: datetime, products: int) -> Iterator[OfferRows]:
    """EMG331 and `products` generated products, as rows in batches of WRITE_BATCH."""
    first = snapshot_rows([emg331(now)])
    stored = {"emag_offer_id" if name == "offer_id" else name for name in GENERATED_FIELDS}
    columns = given_columns(stored)
    generated = generated_rows(products, now)
    batch, size = first, len(first.products)
    while True:
        for sku, pnk, ean, name, main, fbe in itertools.islice(generated, WRITE_BATCH - size):
            key = lookup_key(sku)
            batch.products[key] = [sku, pnk, ean, name, None]
            if main is not None:
                batch.offers[(key, "main")] = (columns, main)
            if fbe is not None:
                batch.offers[(key, "fbe")] = (columns, fbe)
        if not batch.products:
            return
        yield batch
        batch, size = OfferRows(), 0


def seed_demo(
    sessions: sessionmaker[Session],
    now: datetime,
    rules: Rules,
    products: int = DEMO_PRODUCTS,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """EMG331 plus `products` generated products; running it again resets them."""
    written = store_batches(sessions, demo_batches(now, products), "demo", now, rules, advance)
    return {"products": products + 1, **written}
