"""Writing a whole snapshot at once: the demo catalogue (and anything else given whole)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.engine.models import ACCOUNTS, ProductSnapshot, Rules
from bot.intake.demo_data import emg331, generated_catalogue
from storage.db import transaction
from storage.history import HISTORY_LOCK, record_history
from storage.locks import exclusive
from storage.writes import record_run, upsert_snapshots

DEMO_PRODUCTS = 500


def store_snapshots(
    sessions: sessionmaker[Session],
    snapshots: Iterable[ProductSnapshot],
    source: str,
    now: datetime,
    rules: Rules,
) -> dict[str, int]:
    """Upsert `snapshots`, note the run per account and update the history: all or nothing."""
    items = list(snapshots)
    # The history lock before the transaction: taken inside it, a SQLite write lock
    # already held would make two writers wait on each other.
    with exclusive(sessions.kw["bind"], HISTORY_LOCK), transaction(sessions) as session:
        written = upsert_snapshots(session, items, now, rules)
        for account in (account for account in ACCOUNTS if written[account]):
            record_run(session, account, source, now, now, written[account])
        record_history(session, now, rules)
    return written


def seed_demo(
    sessions: sessionmaker[Session], now: datetime, rules: Rules, products: int = DEMO_PRODUCTS
) -> dict[str, int]:
    """EMG331 plus `products` generated products; running it again resets them."""
    catalogue = [emg331(now), *generated_catalogue(products, now)]
    written = store_snapshots(sessions, catalogue, "demo", now, rules)
    return {"products": len(catalogue), **written}
