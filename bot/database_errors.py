"""When the database cannot answer right now, said in one line on every surface: an
ephemeral in Slack, stderr in the CLI, JSON 503 in the API.

SQLite has one write lock for the whole file. A second process (the web process while
the worker stores a sync) waits for it up to the busy timeout, then gets "database is
locked"; that is a moment's wait for the person, not a crash. A PostgreSQL server that is
down or refusing connections is "unavailable".
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.engine.phrases import N_

BUSY = N_("the database is busy (another stockbot process is writing); try again in a moment")
UNAVAILABLE = N_("the database is unavailable right now; try again in a moment")
Trouble = Literal["busy", "unavailable"]


def database_trouble(error: BaseException) -> tuple[Trouble, str] | None:
    """("busy" | "unavailable", the line to show), or None when `error` is something else."""
    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        return "busy", BUSY
    if isinstance(error, PoolTimeout):
        return "busy", BUSY
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return "unavailable", UNAVAILABLE
    return None
