"""One transaction's bulk load of plain rows (the CSV import, the demo seed): the
products written are reclassified once, after the last batch, and a first load into
an empty SQLite catalogue builds its secondary indexes once, at the end.

Classifying batch by batch cost statements per rule set and batch and rewrote rows a
later batch could touch again; nothing reads the classification in between (the history
step comes after, in the same transaction), so one pass over them leaves the same rows.
It goes by ranges of ids, so the plan's moves read back (storage.plan_lines) stay few.

The indexes: a million products inserted into an index on a random key (the PNK, the
alert order) walk the whole B-tree out of SQLite's page cache, row after row; made
after the load, each index is one sort. The DROP and CREATE are in the transaction, so
a failed load leaves the indexes (and everything else) as they were, and other
connections keep reading the old catalogue through them. Not on PostgreSQL, where
DROP INDEX would lock readers out of the tables until the commit, and COPY is the fast
path already.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.engine.models import Rules
from storage.bulk import Driver, IdSet
from storage.models import AlertRecord, Offer, PlanEntry, Product, ProductStatus
from storage.status import refresh_status

# Products reclassified per statement (and plan moves read back at once, about a third).
CLASSIFY_RANGE = 100_000
# SQLite's page cache during a load (KiB; the default is 2 MiB): the unique indexes
# kept still take rows in an order of their own.
LOAD_CACHE_KIB = 24 * 1024
_FILLED = (Product, Offer, ProductStatus, PlanEntry, AlertRecord)
_REBUILT = tuple(model.__tablename__ for model in _FILLED)


@contextmanager
def bulk_load(session: Session) -> Iterator[IdSet]:
    """The set the batches add their product ids to; the caller reclassifies them with
    `reclassify` after the last batch, then writes the history, before leaving (which
    makes the indexes dropped for a first load). On an error the caller's transaction
    rolls back, indexes included."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    written = IdSet(session)
    indexes = _drop_indexes(session) if sqlite and _empty(session) else []
    cache = _page_cache(session, -LOAD_CACHE_KIB) if sqlite else None
    try:
        yield written
        for create in indexes:
            session.execute(text(create))
    finally:
        if cache is not None:
            _page_cache(session, cache)


def reclassify(session: Session, rules: Rules, written: IdSet) -> None:
    """Reclassify the products written under `rules`, by ranges of ids. Batches of
    pydantic snapshots classify themselves (then nothing is written here)."""
    if written.empty:
        return
    ids = written.column
    low, high = session.execute(select(func.min(ids), func.max(ids))).one()
    for start in range(low, high + 1, CLASSIFY_RANGE):
        chosen = written.select.where(ids >= start, ids < start + CLASSIFY_RANGE)
        refresh_status(session, rules, chosen)


def _empty(session: Session) -> bool:
    """No product yet, and no alert record (with foreign keys on there can be none)."""
    found = [select(model.id).limit(1).exists() for model in (Product, AlertRecord)]
    return not any(session.execute(select(*found)).one())


def _drop_indexes(session: Session) -> list[str]:
    """Drop the secondary indexes of the tables a load fills; their CREATE statements
    (those of the schema as migrated, read from it). A UNIQUE constraint's own index
    stays: it has no statement, and the writes rely on it.

    Only inside a transaction already begun: sqlite3 begins one before a write, not
    before DDL, and an index dropped outside one would stay dropped on a rollback."""
    if not Driver(session).raw.in_transaction:
        return []
    found = session.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(name) for name in _REBUILT)})"
        )
    ).all()
    for name, _create in found:
        session.execute(text(f'DROP INDEX "{name}"'))
    return [create for _name, create in found]


def _page_cache(session: Session, size: int) -> int:
    """Set this connection's SQLite page cache (`PRAGMA cache_size`: pages, or KiB when
    negative); the size it had."""
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = {int(size)}"))
    return before
