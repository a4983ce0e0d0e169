"""Migrated test databases, copied rather than migrated again for each test.

The migrations run once per process (per xdist worker) into a SQLite file, which each
test copies; a PostgreSQL test database is created from a migrated template database
(tests/conftest.py). The same migrations, run for every one of some 300 tests, were
minutes of the suite.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from storage.db import make_engine, upgrade

_migrated: Path | None = None


def migrate(url: str) -> None:
    """Bring the database at `url` to the head revision, leaving no connection open (a
    file copy or a TEMPLATE copy of it needs none)."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite file at `path` holding the migrated, empty schema."""
    global _migrated
    if _migrated is None:
        folder = tempfile.mkdtemp(prefix="stockbot-migrated-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / "stockbot.db"
        migrate(f"sqlite:///{template}")
        _migrated = template
    shutil.copyfile(_migrated, path)
    return f"sqlite:///{path}"
