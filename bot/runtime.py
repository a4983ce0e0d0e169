"""The process's shared parts, built once from settings: database, sessions, service."""

from __future__ import annotations

import atexit
import logging
import queue
import signal
from dataclasses import dataclass
from logging.handlers import QueueHandler, QueueListener

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import formats
from bot.errors import StockbotError
from bot.rules_file import check_categories
from bot.service import StockService
from bot.settings import Settings
from storage.counts import category_keys
from storage.db import HEAD_REVISION, make_engine, make_session_factory, schema_revision, upgrade

LOG_FORMAT = "%(asctime)s %(name)s %(message)s"


def configure_logging() -> None:
    """INFO lines with their time and source, for the web, worker and answer processes,
    written to stderr by a thread of their own: the thread that logs (the web process's
    event loop, with a line per request) only queues the record. Written there, to the
    pipe a log collector reads, the lines were a fifth of the web process's busy samples
    in a burst of acks (benchmarks/slack_ack.py, sampled with py-spy), and a collector
    slow to read would have held the acks. Like basicConfig, it does nothing when
    the root logger has handlers already; the lines queued are written at exit."""
    root = logging.getLogger()
    if root.handlers:
        return
    written = logging.StreamHandler()
    written.setFormatter(logging.Formatter(LOG_FORMAT))
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = QueueListener(lines, written)
    # Its thread takes the signal mask of the one starting it: with every signal blocked
    # there, the kernel gives a Ctrl-C to the main thread, whose blocking wait (the
    # worker's scheduler) would otherwise sleep through one handled elsewhere.
    if hasattr(signal, "pthread_sigmask"):
        before = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            writer.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
    else:
        writer.start()
    atexit.register(writer.stop)
    root.addHandler(QueueHandler(lines))
    root.setLevel(logging.INFO)


class SchemaOutOfDate(StockbotError):
    """The PostgreSQL schema is behind this version of stockbot."""


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    service: StockService

    def __deepcopy__(self, memo: dict[int, object]) -> Runtime:
        # One per process: the engine's pool and the sessions are shared, never copied
        # (Bolt deep-copies the request context for its lazy listeners).
        return self


def check_schema(engine: Engine) -> None:
    """Upgrade an embedded SQLite file; on PostgreSQL, insist on `stockbot db upgrade`."""
    current = schema_revision(engine)
    if current == HEAD_REVISION:
        return
    if engine.dialect.name == "sqlite":
        from alembic.util import CommandError

        try:
            upgrade(engine)
        except CommandError as exc:
            # A file written by a newer stockbot: its revision is unknown here.
            raise SchemaOutOfDate(
                f"the database was made by a newer stockbot ({exc}); upgrade stockbot"
            ) from None
        return
    raise SchemaOutOfDate(
        f"database schema is at {current or 'nothing'}, this stockbot needs {HEAD_REVISION}: "
        "run `stockbot db upgrade`"
    )


def build_runtime(settings: Settings, migrate: bool = True) -> Runtime:
    formats.activate(settings.language, settings.zone)
    engine = make_engine(settings.database_url, settings.sqlite_busy_timeout_ms)
    if migrate:
        check_schema(engine)
    sessions = make_session_factory(engine)
    rules = settings.rules()
    if settings.rules_file and rules.categories and migrate:
        with sessions() as session:
            check_categories(settings.rules_file, rules, category_keys(session))
    return Runtime(settings, engine, sessions, StockService(sessions, rules))
