"""A private scratch SQLite database: a process's own bookkeeping over millions of keys
(a CSV import's repeated rows, a sync's SKUs read) in a couple of MiB of cache instead
of a dict in memory. Nothing in it is kept: the file goes when the connection closes."""

from __future__ import annotations

import sqlite3


def scratch_database(schema: str) -> sqlite3.Connection:
    """A new scratch database with `schema` (one CREATE statement) made in it."""
    # "": a temporary file of SQLite's own. Nothing in it outlives the process, so
    # neither a journal nor a sync is needed. Any thread may use it: a sync reads an
    # account in one thread and may close its read in another.
    db = sqlite3.connect("", check_same_thread=False)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute(schema)
    return db
