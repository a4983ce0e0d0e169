"""Rows written and looked up by the database driver itself, under a session's
transaction: the bulk path of the CSV import and the demo seed.

SQLAlchemy Core's executemany processes every row's parameters through the compiled
statement (about 40 µs a row at 100k offers); the driver takes tuples as they are. The
column types' own bind processors are applied here, so what is stored is what Core would
have stored. On PostgreSQL, inserts go through psycopg's COPY.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Select, Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage.db import chunks

Processor = Callable[[Any], Any]


class Driver:
    """The DB-API connection of a session's transaction, for plain SQL on plain tuples."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.dialect = connection.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.raw: Any = connection.connection.driver_connection
        # sqlite3 takes qmark parameters, psycopg format ones.
        self.mark = "%s" if self.postgres else "?"

    @contextmanager
    def _cursor(self, sql: str) -> Iterator[Any]:
        """A cursor whose driver errors come as SQLAlchemy's (a locked SQLite file is an
        OperationalError, which the CLI and the bot say in one line)."""
        cursor = self.raw.cursor()
        error = self.dialect.loaded_dbapi.Error
        try:
            yield cursor
        except error as exc:
            raise DBAPIError.instance(sql, None, exc, error) from exc
        finally:
            cursor.close()

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def processors(
        self, table: Table, columns: Sequence[str], ready: Collection[str] = ()
    ) -> list[tuple[int, Processor]]:
        """(position, bind processor) of the columns whose type converts values (dates,
        decimals on SQLite), but those `ready`; a date's conversion is remembered, as a
        file repeats a few."""
        found = []
        for at, name in enumerate(columns):
            if name in ready:
                continue
            type_ = table.c[name].type
            process = type_.dialect_impl(self.dialect).bind_processor(self.dialect)
            if process is None:
                continue
            if isinstance(getattr(type_, "impl", type_), DateTime):
                process = functools.lru_cache(maxsize=4096)(process)
            found.append((at, process))
        return found

    def stored(self, table: Table, column: str, value: Any) -> Any:
        """`value` as the driver is given it for `column` (its type's bind processing):
        one value for every row of an insert converts once (`insert`'s `ready`)."""
        found = self.processors(table, (column,))
        return found[0][1](value) if found else value

    def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[Sequence],
        ready: Collection[str] = (),
    ) -> None:
        """Insert `rows` (values in `columns` order; those of the columns `ready` as
        `stored` gives them)."""
        converted = _converted(rows, self.processors(table, columns, ready))
        names = ", ".join(columns)
        if self.postgres:
            sql = f"COPY {table.name} ({names}) FROM STDIN"
            with self._cursor(sql) as cursor, cursor.copy(sql) as copy:
                for row in converted:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({self.marks(len(columns))})"
            with self._cursor(sql) as cursor:
                cursor.executemany(sql, converted)

    def update(
        self,
        table: Table,
        sql_set: str,
        columns: Sequence[str],
        rows: Iterable[Sequence],
        key: str = "id",
    ) -> None:
        """`UPDATE table SET sql_set WHERE key = ?` for each row: the values of `columns`
        (the set's parameters, in order), then the key's."""
        converted = _converted(rows, self.processors(table, columns))
        sql = f"UPDATE {table.name} SET {sql_set} WHERE {key} = {self.mark}"
        with self._cursor(sql) as cursor:
            cursor.executemany(sql, converted)

    def lookup(self, sql: str, values: Sequence[Any]) -> Iterator[tuple]:
        """The rows of `sql`, whose one `IN ({in})` is filled with `values` by chunks."""
        for chunk in chunks(values):
            filled = sql.format(**{"in": self.marks(len(chunk))})
            with self._cursor(filled) as cursor:
                cursor.execute(filled, chunk)
                found = cursor.fetchall()
            yield from found

    def execute(self, sql: str, values: Sequence[Any] = ()) -> list[tuple]:
        """Run `sql`; the rows it read (none for a write)."""
        with self._cursor(sql) as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall() if cursor.description else []


class IdSet:
    """Ids gathered over one transaction in a temporary table, named by `select`: a
    statement over many rows names them so, where an IN list of thousands is slow to
    build. An id added twice is there twice (an IN over the SELECT reads it once)."""

    def __init__(self, session: Session) -> None:
        self._db = db = Driver(session)
        # Without a key: adding is an append, whatever came before in the transaction.
        if db.postgres:
            db.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_IDS.name} (id integer NOT NULL) "
                "ON COMMIT DROP"
            )
        else:
            db.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_IDS.name} (id INTEGER NOT NULL)")
        # A write: on SQLite, it begins the transaction (sqlite3 begins none before DDL).
        db.execute(f"DELETE FROM {_IDS.name}")
        self.column = _IDS.c.id
        self.select: Select = select(self.column)
        self.empty = True

    def add(self, ids: Collection[int]) -> None:
        self._db.insert(_IDS, ("id",), ((id_,) for id_ in ids))
        self.empty = self.empty and not ids


_IDS = Table("bulk_written_ids", MetaData(), Column("id", Integer, nullable=False))


def _converted(
    rows: Iterable[Sequence], processors: list[tuple[int, Processor]]
) -> Iterable[Sequence]:
    if not processors:
        return rows
    return (_convert(row, processors) for row in rows)


def _convert(row: Sequence, processors: list[tuple[int, Processor]]) -> list:
    values = list(row)
    for at, process in processors:
        value = values[at]
        if value is not None:
            values[at] = process(value)
    return values
