"""Rows of a CSV file given twice (the same SKU on the same account), found in constant
memory: each good row's key goes to a scratch SQLite file beside the import, and one
grouped query at the end names every repeat with the line that gave it first.

A dict of a million keys would hold ~130 MiB for this alone; the scratch file keeps a
couple of MiB of cache and is deleted when closed.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.scratch import scratch_database

# One good row: its line, the SKU's lookup key, the account and the SKU as written.
Seen = tuple[int, str, str, str]


class Duplicates:
    """Collects (line, key, account, sku) of good rows; `repeats()` names the second and
    later rows of each (key, account) with the line of the first."""

    def __init__(self) -> None:
        self._db = scratch_database(
            "CREATE TABLE seen (line INTEGER, key TEXT, account TEXT, sku TEXT)"
        )

    def add(self, rows: Iterable[Seen]) -> None:
        self._db.executemany("INSERT INTO seen VALUES (?, ?, ?, ?)", rows)

    def repeats(self) -> list[tuple[int, str, str, int]]:
        """(line, sku, account, first line) of every row whose key came before, by line."""
        found = self._db.execute(
            """
            SELECT seen.line, seen.sku, seen.account, firsts.line
            FROM seen JOIN (
                SELECT key, account, MIN(line) AS line FROM seen
                GROUP BY key, account HAVING COUNT(*) > 1
            ) AS firsts ON firsts.key = seen.key AND firsts.account = seen.account
            WHERE seen.line > firsts.line
            ORDER BY seen.line
            """
        )
        return list(found)

    def products(self) -> int:
        """SKUs seen (a SKU's rows in different batches count once)."""
        return self._db.execute("SELECT COUNT(DISTINCT key) FROM seen").fetchone()[0]

    def close(self) -> None:
        self._db.close()
