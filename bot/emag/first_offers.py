"""The first offer read for each SKU of one account's read, kept in a scratch SQLite
database rather than a dict: the sync allows one offer per SKU and account, so every
offer of a read is checked against those before it.

A dict of the read's SKUs lived through the whole read among the pages' short-lived
objects and pinned the allocator's memory around them: with it the sync's RSS grew
89 -> 114 MiB over the reads of 2 x 30k offers, with this 89 -> 105 MiB, and 95 -> 108
MiB over 2 x 100k. The scratch file holds a couple of MiB of cache and goes when closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.scratch import scratch_database


class FirstOffers:
    """`firsts(page)`: for each (SKU key, offer id) of a page, in order, the offer id first
    read under that key (this one, unless an earlier offer, on this page or before,
    took the key)."""

    def __init__(self) -> None:
        self._db = scratch_database(
            "CREATE TABLE first (key TEXT PRIMARY KEY, offer_id) WITHOUT ROWID"
        )

    def firsts(self, page: Sequence[tuple[str, int]]) -> list[int]:
        if not page:
            return []
        # In order, so the first of a key repeated on this page is the one kept.
        self._db.executemany("INSERT OR IGNORE INTO first VALUES (?, ?)", page)
        keys = sorted({key for key, _offer in page})
        marks = ", ".join("?" * len(keys))
        found = dict(
            self._db.execute(f"SELECT key, offer_id FROM first WHERE key IN ({marks})", keys)
        )
        return [found[key] for key, _offer in page]

    def close(self) -> None:
        self._db.close()
