"""The process's shared parts, built once from settings: database, sessions, service."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
    """INFO lines with their time and source, for the web, worker and answer processes."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


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
