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
from storage.bulk_writes import UNITS, given_columns

MAX_SOLD = 10_000_000
# Numeric(14, 4)'s 10 digits before the mark and 4 after, with the file's decimal mark.
_PLAIN_PRICE = {
    ",": re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,4})?"),
    ";": re.compile(r"[0-9]{1,10}(?:,[0-9]{1,4})?"),
}
_BAD = object()
_DESCRIBED = (("pnk", limits.MAX_PNK), ("ean", limits.MAX_EAN), ("name", limits.MAX_NAME))
_DESCRIBED += (("category", limits.MAX_CATEGORY),)
# A read row: the SKU as written, its account, [pnk, ean, name, category], offer values.
Quick = tuple[str, str, list[str | None], tuple]
Getter = Callable[[list[str]], Any]


def _whole(at: int, low: int, high: int) -> Getter:
    def read(row: list[str]) -> Any:
        value = row[at].strip()
        if not value:
            return None
        if value.isdigit() and value.isascii() and len(value) <= 18:
            number = int(value)
            if low <= number <= high:
                return number
        return _BAD

    return read


def _text(at: int | None, limit: int) -> Getter:
    def read(row: list[str]) -> Any:
        value = row[at].strip()  # type: ignore[index]
        if value.isprintable() and len(value) <= limit:
            return value or None
        return _BAD

    return (lambda _row: None) if at is None else read


def _price(at: int, separator: str) -> Getter:
    plain = _PLAIN_PRICE[separator].fullmatch

    def read(row: list[str]) -> Any:
        value = row[at].strip()
        if not value:
            return None
        if plain(value):
            return Decimal(value.replace(",", "."))
        return _BAD

    return read


def _moment(at: int, now: datetime) -> Getter:
    seen: dict[str, datetime] = {}

    def read(row: list[str]) -> Any:
        value = row[at]
        if value in seen:
            return seen[value]
        stripped = value.strip()
        if not stripped:
            return None
        try:
            parsed = limits.moment(stripped, "last_sent_at", now)
        except limits.FieldError:
            return _BAD
        if len(seen) > 4096:
            seen.clear()
        seen[value] = parsed
        return parsed

    return read


def _status(at: int) -> Getter:
    whole = _whole(at, 0, max(limits.STATUSES))

    def read(row: list[str]) -> Any:
        value = whole(row)
        return 1 if value is None else value

    return read


class QuickRows:
    """Reads the plain rows of a file with this header (names trimmed, lower case)."""

    def __init__(self, header: list[str], dialect: CsvDialect, now: datetime) -> None:
        at = {name: index for index, name in enumerate(header) if name}
        self._width = len(header)
        self._sku, self._account = at["sku"], at["account"]
        stock = _whole(at["stock"], 0, limits.MAX_STOCK)
        getters: dict[str, Getter] = {
            "stock": stock,
            "general_stock": stock,
            "estimated_stock": stock,
            "number_of_offers": _whole(at["number_of_offers"], 0, limits.MAX_OFFERS),
            "last_read_at": lambda _row: now,
        }
        optional: dict[str, tuple[str, Callable[[int], Getter]]] = {
            "emag_offer_id": ("offer_id", lambda i: _whole(i, 1, limits.MAX_OFFER_ID)),
            "pnk": ("pnk", lambda i: _text(i, limits.MAX_PNK)),
            "buy_button_rank": ("buy_button_rank", lambda i: _whole(i, 1, limits.MAX_RANK)),
            "sale_price": ("sale_price", lambda i: _price(i, dialect.separator)),
            "last_sent_at": ("last_sent_at", lambda i: _moment(i, now)),
            "status": ("status", _status),
            UNITS: ("sales_30d", lambda i: _whole(i, 0, MAX_SOLD)),
        }
        for stored, (column, make) in optional.items():
            if column in at:
                getters[stored] = make(at[column])
        self.columns = given_columns(set(getters))
        self._getters = [getters[name] for name in self.columns]
        self._described = [_text(at.get(name), limit) for name, limit in _DESCRIBED]

    def read(self, row: list[str]) -> Quick | None:
        """The row's values, or None when it needs the full checks."""
        if len(row) != self._width:
            return None
        sku = row[self._sku].strip()
        if not sku or len(sku) > limits.MAX_SKU or not sku.isprintable():
            return None
        account = row[self._account].strip().lower()
        if account not in ACCOUNTS:
            return None
        values = tuple(get(row) for get in self._getters)
        described = [get(row) for get in self._described]
        if _BAD in values or _BAD in described:
            return None
        return sku, account, described, values
