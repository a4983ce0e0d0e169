"""Writing a whole snapshot at once: the demo catalogue (and anything else given whole)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import ACCOUNTS, ProductSnapshot, Rules
from bot.intake.demo_data import emg331, generated_catalogue
from storage.db import transaction
from storage.history import HISTORY_LOCK, record_history
from storage.locks import exclusive
from storage.writes import record_run, upsert_snapshots

DEMO_PRODUCTS = 500
# Products per upsert: small enough for a progress bar to move, large enough to stay set-based.
WRITE_BATCH = 5000


def store_snapshots(
    sessions: sessionmaker[Session],
    snapshots: Iterable[ProductSnapshot],
    source: str,
    now: datetime,
    rules: Rules,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Upsert `snapshots`, note the run per account and update the history: all or nothing.
    `advance(n)` hears of each batch of `n` products written (for a progress bar)."""
    items = list(snapshots)
    # The history lock before the transaction: taken inside it, a SQLite write lock
    # already held would make two writers wait on each other.
    with exclusive(sessions.kw["bind"], HISTORY_LOCK), transaction(sessions) as session:
        written = dict.fromkeys(ACCOUNTS, 0)
        for start in range(0, len(items), WRITE_BATCH):
            batch = items[start : start + WRITE_BATCH]
            for account, count in upsert_snapshots(session, batch, now, rules).items():
                written[account] += count
            if advance:
                advance(len(batch))
        for account in (account for account in ACCOUNTS if written[account]):
            record_run(session, account, source, now, now, written[account])
        record_history(session, now, rules)
    return written


def seed_demo(
    sessions: sessionmaker[Session],
    now: datetime,
    rules: Rules,
    products: int = DEMO_PRODUCTS,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """EMG331 plus `products` generated products; running it again resets them."""
    catalogue = [emg331(now), *generated_catalogue(products, now)]
    written = store_snapshots(sessions, catalogue, "demo", now, rules, advance)
    return {"products": len(catalogue), **written}
