"""The usual CSV row read without the general checks: a row whose every value is written
the plain way (ASCII digits in range, a plain price, printable text within its length, a
send date seen before) is turned into stored values at once. Anything else, a bad value
above all, returns None and the caller reads the row with csv_import's full checks,
which give the same values for a good row and name the problems of a bad one (a test
holds the two together).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.engine import limits
from bot.engine.models import ACCOUNTS
from bot.intake.csv_dialect import CsvDialect
from storage.plain_rows import UNITS, given_columns

MAX_SOLD = 10_000_000
# Numeric(14, 4)'s 10 digits before the mark and 4 after, with the file's decimal mark.
_PLAIN_PRICE = {
    ",": re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,4})?"),
    ";": re.compile(r"[0-9]{1,10}(?:,[0-9]{1,4})?"),
}
_BAD = object()
_DESCRIBED = (("pnk", limits.MAX_PNK), ("ean", limits.MAX_EAN), ("name", limits.MAX_NAME))
_DESCRIBED += (("category", limits.MAX_CATEGORY),)
# A read row: the SKU as written, its account, (pnk, ean, name, category), offer values.
Quick = tuple[str, str, tuple[str | None, ...], tuple]
# One column's trimmed values to the stored values; the rows whose value needs the full
# check are added to the set.
Reader = Callable[[list[str], set[int]], list[Any]]


def _cell_by_cell(cells: list[str], one: Callable[[str], Any], bad: set[int]) -> list[Any]:
    values = [one(value) for value in cells]
    bad.update(at for at, value in enumerate(values) if value is _BAD)
    return values


def _whole(low: int, high: int) -> Reader:
    def one(value: str) -> Any:
        if not value:
            return None
        if value.isdigit() and value.isascii() and len(value) <= 18:
            number = int(value)
            if low <= number <= high:
                return number
        return _BAD

    def read(cells: list[str], bad: set[int]) -> list[Any]:
        # The whole column checked at once, cell by cell only when that fails.
        joined = "".join(cells)
        if not joined:
            return [None] * len(cells)
        if joined.isdigit() and joined.isascii() and max(map(len, cells)) <= 18:
            if "" in cells:
                numbers = [int(value) if value else None for value in cells]
                given = [number for number in numbers if number is not None]
            else:
                numbers = given = [*map(int, cells)]
            if low <= min(given) and max(given) <= high:
                return numbers
        return _cell_by_cell(cells, one, bad)

    return read


def _text(limit: int) -> Reader:
    def one(value: str) -> Any:
        return (value or None) if value.isprintable() and len(value) <= limit else _BAD

    def read(cells: list[str], bad: set[int]) -> list[Any]:
        if "".join(cells).isprintable() and max(map(len, cells)) <= limit:
            return [value or None for value in cells]
        return _cell_by_cell(cells, one, bad)

    return read


def _price(separator: str) -> Reader:
    plain = _PLAIN_PRICE[separator].fullmatch
    comma = separator == ";"

    def one(value: str) -> Any:
        if not value:
            return None
        if plain(value):
            return Decimal(value.replace(",", ".") if comma else value)
        return _BAD

    return lambda cells, bad: _cell_by_cell(cells, one, bad)


def _moment(now: datetime) -> Reader:
    seen: dict[str, Any] = {"": None}

    def one(value: str) -> Any:
        if value in seen:
            return seen[value]
        try:
            parsed: Any = limits.moment(value, "last_sent_at", now)
        except limits.FieldError:
            parsed = _BAD
        if len(seen) > 4096:
            seen.clear()
            seen[""] = None
        seen[value] = parsed
        return parsed

    return lambda cells, bad: _cell_by_cell(cells, one, bad)


def _status(cells: list[str], bad: set[int]) -> list[Any]:
    # An empty status is 1 (a saleable offer).
    read = _whole(0, max(limits.STATUSES))(cells, bad)
    return [1 if value is None else value for value in read]


class QuickRows:
    """Reads the plain rows of a file with this header (names trimmed, lower case)."""

    def __init__(self, header: list[str], dialect: CsvDialect, now: datetime) -> None:
        at = {name: index for index, name in enumerate(header) if name}
        self._width = len(header)
        self._sku, self._account = at["sku"], at["account"]
        self._now = now
        readers: dict[str, tuple[int, Reader]] = {
            "stock": (at["stock"], _whole(0, limits.MAX_STOCK)),
            "number_of_offers": (at["number_of_offers"], _whole(0, limits.MAX_OFFERS)),
        }
        optional: dict[str, tuple[str, Reader]] = {
            "emag_offer_id": ("offer_id", _whole(1, limits.MAX_OFFER_ID)),
            "pnk": ("pnk", _text(limits.MAX_PNK)),
            "buy_button_rank": ("buy_button_rank", _whole(1, limits.MAX_RANK)),
            "sale_price": ("sale_price", _price(dialect.separator)),
            "last_sent_at": ("last_sent_at", _moment(now)),
            "status": ("status", _status),
            UNITS: ("sales_30d", _whole(0, MAX_SOLD)),
        }
        for stored, (column, reader) in optional.items():
            if column in at:
                readers[stored] = (at[column], reader)
        self._readers = readers
        names = {*readers, "general_stock", "estimated_stock", "last_read_at"}
        self.columns = given_columns(names)
        self._described = [(at.get(name), _text(limit)) for name, limit in _DESCRIBED]

    def read(self, rows: list[list[str]]) -> list[Quick | None]:
        """Each row's values, or None for one that needs the full checks."""
        plain = [row for row in rows if len(row) == self._width]
        if not plain:
            return [None] * len(rows)
        cells = [[value.strip() for value in column] for column in zip(*plain, strict=True)]
        bad: set[int] = set()
        skus = cells[self._sku]
        sku_ok = all(skus) and "".join(skus).isprintable()
        if not sku_ok or max(map(len, skus)) > limits.MAX_SKU:
            bad.update(at for at, sku in enumerate(skus) if not _plain_sku(sku))
        accounts = [value.lower() for value in cells[self._account]]
        if not set(accounts) <= _ACCOUNTS:
            bad.update(at for at, account in enumerate(accounts) if account not in _ACCOUNTS)
        read = {name: reader(cells[at], bad) for name, (at, reader) in self._readers.items()}
        read["general_stock"] = read["estimated_stock"] = read["stock"]
        read["last_read_at"] = [self._now] * len(plain)
        none = [None] * len(plain)
        described = [
            none if at is None else reader(cells[at], bad) for at, reader in self._described
        ]
        offers = zip(*(read[name] for name in self.columns), strict=True)
        found: list[Quick | None] = list(
            zip(skus, accounts, zip(*described, strict=True), offers, strict=True)
        )
        for at in bad:
            found[at] = None
        if len(plain) == len(rows):
            return found
        quick = iter(found)
        return [next(quick) if len(row) == self._width else None for row in rows]


_ACCOUNTS = set(ACCOUNTS)


def _plain_sku(sku: str) -> bool:
    return bool(sku) and len(sku) <= limits.MAX_SKU and sku.isprintable()
