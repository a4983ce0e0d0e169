"""Migrations: they build the models' schema exactly, and go down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from bot.runtime import SchemaOutOfDate, check_schema
from storage.db import HEAD_REVISION, alembic_config, make_engine, schema_revision, upgrade
from storage.models import Base


def test_migrations_match_the_models(db_url):
    engine = make_engine(db_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def _downgrade(db_url: str, engine: Engine, revision: str) -> None:
    config = alembic_config(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_downgrade_to_base_and_upgrade_again(db_url):
    engine = make_engine(db_url)
    _downgrade(db_url, engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_head_revision_is_alembics_head_and_read_back(db_url):
    config = alembic_config(db_url)
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    engine = make_engine(db_url)
    assert schema_revision(engine) == HEAD_REVISION
    engine.dispose()


def test_a_schema_behind_is_upgraded_on_sqlite_and_refused_on_postgresql(db_url):
    engine = make_engine(db_url)
    _downgrade(db_url, engine, "-1")
    behind = schema_revision(engine)
    assert behind is not None and behind != HEAD_REVISION
    if engine.dialect.name == "sqlite":
        check_schema(engine)
        assert schema_revision(engine) == HEAD_REVISION
    else:
        with pytest.raises(SchemaOutOfDate, match=f"at {behind}, this stockbot needs"):
            check_schema(engine)
        assert schema_revision(engine) == behind
    engine.dispose()
