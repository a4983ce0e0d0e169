"""Database engines, sessions and schema upgrades (SQLite embedded, PostgreSQL shared)."""

from __future__ import annotations

import importlib
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool, StaticPool

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.sql.dml import Insert

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision (tests/storage/test_migrations.py holds it to
# Alembic's head): a database already there is checked without loading Alembic, a
# quarter of a CLI command's start.
HEAD_REVISION = "0011"
# Rows or ids per statement: keeps IN (...) lists under SQLite's bound-parameter limit and
# PostgreSQL's 65,535 parameters per statement.
CHUNK = 5000
T = TypeVar("T")


# How long a SQLite writer waits for another process's write lock before it is told the
# database is busy (bot/database_errors.py says so in one line).
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets the web and worker processes read while one of them writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


# Every engine this process made, for dispose_engines.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for `url`; SQLite gets the pragmas a multi-process app needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _ENGINES.add(engine)
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine made (before a process exits
    without its collector: bot.cli.main.run)."""
    for engine in list(_ENGINES):
        engine.dispose()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls everything back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic), on the engine's own connection."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (Alembic's own table), None if none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, in order."""
    batch = list(items)
    for start in range(0, len(batch), size):
        yield batch[start : start + size]


def dialect_insert(session: Session, table: Any) -> Insert:
    """The INSERT of the session's database dialect, with its ON CONFLICT clauses; the
    dialect's module imported when first used, so a SQLite run never loads PostgreSQL's
    (nor asyncio, which it brings)."""
    name = session.get_bind().dialect.name
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert(table)


class SideReads:
    """Reads run on threads of their own, each on its own pooled connection, beside the
    caller's work: both drivers let go of the GIL while the database works, so a long
    scan costs the caller only what it outlasts the caller's own reads.

    The threads start with the first read (and again in a forked child, which has none
    of its parent's)."""

    def __init__(self, threads: int = 4) -> None:
        self._threads = threads
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid = 0

    @staticmethod
    def usable(sessions: sessionmaker[Session]) -> bool:
        """Whether another thread reads the same database: not where the engine keeps one
        connection (an in-memory SQLite database is one per connection)."""
        return not isinstance(sessions.kw["bind"].pool, SingletonThreadPool | StaticPool)

    def submit(self, read: Callable[..., T], *args: object) -> Future[T]:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="side-read")
                self._pid = os.getpid()
            return self._pool.submit(read, *args)
