"""The wall clock stockbot dates its work by: aware, in UTC.

A module of its own, importing nothing of the service or the database, so what starts
before them (the CSV import's reader, forked as the command starts) reads the same
clock as everything else.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
