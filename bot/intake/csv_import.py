"""`stockbot import FILE.csv`: offers per account from a CSV export (engine.md format).

Every row is checked before anything is written; one bad row means nothing is imported,
and every bad row is reported with its line number. The file's encoding and separator
(English or Romanian Excel) are found by csv_dialect.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from bot.engine import limits
from bot.engine.models import ACCOUNTS, OfferSnapshot, ProductSnapshot
from bot.i18n import _, engine_text
from bot.intake.csv_dialect import CsvDialect, DialectError, read
from bot.intake.csv_errors import CsvImportError, line_problem
from bot.intake.csv_lines import REQUIRED, kept_values, rows_of
from bot.intake.csv_rows import MAX_SOLD, QuickRows
from bot.intake.duplicates import Duplicates, Seen
from storage.plain_rows import OfferRows, offer_values, snapshots

TEXT_LIMITS = {
    "sku": limits.MAX_SKU,
    "account": limits.MAX_SKU,  # then refused unless main or fbe
    "pnk": limits.MAX_PNK,
    "ean": limits.MAX_EAN,
    "name": limits.MAX_NAME,
    "category": limits.MAX_CATEGORY,
}
T = TypeVar("T")
# At most Numeric(14, 4)'s 10 digits before the point and 4 after.
_PLAIN_PRICE = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,4})?")


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    now: datetime
    dialect: CsvDialect
    problems: list[str] = field(default_factory=list)
    _read: dict[str, Any] = field(default_factory=dict)

    def _checked(self, name: str, check: Callable[[str], T]) -> T | None:
        """The column's value checked once (a bad one is one problem however often it
        is asked for); None when empty or bad."""
        if name not in self._read:
            value = (self.values.get(name) or "").strip()
            self._read[name] = None
            if value:
                try:
                    self._read[name] = check(value)
                except limits.FieldError as exc:
                    self.problems.append(engine_text(str(exc)))
        return self._read[name]

    def text(self, name: str) -> str | None:
        """A text column, checked against its column's length (sku, pnk, ean, name)."""
        # The common case without the per-character scan: a printable value has no
        # control character (limits.text's refusal), and its length is within bounds.
        value = (self.values.get(name) or "").strip()
        if value.isprintable() and len(value) <= TEXT_LIMITS[name]:
            return value or None
        return self._checked(name, lambda value: limits.text(value, name, TEXT_LIMITS[name]))

    def whole(self, name: str, minimum: int, maximum: int) -> int | None:
        # ASCII digits in range are what limits.whole would return; anything else (a
        # sign, thousands dots, a bad value) takes the full check and its message.
        value = (self.values.get(name) or "").strip()
        if value.isdigit() and value.isascii() and len(value) <= 18:
            number = int(value)
            if minimum <= number <= maximum:
                return number
        return self._checked(
            name, lambda value: limits.whole(self.dialect.whole(value), name, minimum, maximum)
        )

    def decimal(self, name: str) -> Decimal | None:
        # A plain price in a ',' file ("187.06") is what the full check returns, unrounded.
        value = (self.values.get(name) or "").strip()
        if self.dialect.separator == "," and _PLAIN_PRICE.fullmatch(value):
            return Decimal(value)
        return self._checked(
            name, lambda value: limits.price(self.dialect.decimal(value, name), name)
        )

    def moment(self, name: str) -> datetime | None:
        return self._checked(name, lambda value: limits.moment(value, name, self.now))


def _offer(row: _Row, now: datetime) -> tuple[str, OfferSnapshot | None]:
    for name in ("sku", "account"):
        if not (row.values.get(name) or "").strip():
            row.problems.append(_("{name} is required").format(name=name))
    account = (row.text("account") or "").lower()
    if row.text("account") is not None and account not in ACCOUNTS:
        row.problems.append(
            _("account must be 'main' or 'fbe', not {value}").format(
                value=repr(row.text("account"))
            )
        )
    stock = row.whole("stock", 0, limits.MAX_STOCK)
    values: dict[str, Any] = {
        "stock": stock,
        "general_stock": stock,
        "estimated_stock": stock,
        "number_of_offers": row.whole("number_of_offers", 0, limits.MAX_OFFERS),
        "last_read_at": now,
    }
    # Optional columns only when the file has them: an update keeps what the file does
    # not say (the eMAG offer id, the send date, the sales velocity of a sync).
    optional = {
        "offer_id": lambda: row.whole("offer_id", 1, limits.MAX_OFFER_ID),
        "pnk": lambda: row.text("pnk"),
        "buy_button_rank": lambda: row.whole("buy_button_rank", 1, limits.MAX_RANK),
        "sale_price": lambda: row.decimal("sale_price"),
        "last_sent_at": lambda: row.moment("last_sent_at"),
        "status": lambda: row.whole("status", 0, max(limits.STATUSES)),
    }
    values |= {name: read() for name, read in optional.items() if name in row.values}
    if "sales_30d" in row.values:
        # Units sold on the account in the last 30 days; empty: unknown.
        values["units_sold_30d"] = row.whole("sales_30d", 0, MAX_SOLD)
    if values.get("status", 1) is None:
        values["status"] = 1
    if row.problems:
        return account, None
    # Validated again, not model_construct: pydantic-core's validation is the faster.
    return account, OfferSnapshot(account=account, **values)


def read_offers_csv(data: bytes, now: datetime) -> tuple[list[ProductSnapshot], CsvDialect]:
    """Products with their offers from a CSV file's bytes, and the dialect it was read in;
    or CsvImportError naming the encoding, separator or rows it refused."""
    try:
        text, dialect = read(data, REQUIRED)
    except DialectError as exc:
        raise CsvImportError([str(exc)]) from None
    return parse_offers_csv(io.StringIO(text, newline=""), now, dialect), dialect


def parse_offers_csv(
    lines: Iterable[str], now: datetime, dialect: CsvDialect | None = None
) -> list[ProductSnapshot]:
    """Products with their offers from CSV text (UTF-8 and ',' unless `dialect` says
    otherwise), or CsvImportError listing every bad row."""
    with OfferStream(lines, now, dialect or CsvDialect()) as stream:
        products = [product for batch in stream.batches(None) for product in snapshots(batch)]
        stream.check()
    return products


class OfferStream:
    """The products and offers of CSV text as plain rows (storage.bulk_writes.OfferRows)
    in batches of rows, read once: a batch's plain rows column by column (csv_rows), the
    others with the full checks of `_Row`. Bad rows are gathered as
    the file is read, and `check()` at the end refuses the whole file if there was one
    (the caller writes the batches in one transaction and rolls back). Once a bad row
    is seen no more batches come: the rest of the file is only checked.

    A SKU whose two accounts' rows fall in different batches comes in each of them with
    the offer of that row; its descriptive columns are then those of the later row that
    has them (within a batch, the first)."""

    def __init__(
        self,
        lines: Iterable[str],
        now: datetime,
        dialect: CsvDialect,
        advance: Callable[[int], None] | None = None,
    ) -> None:
        self._lines, self._now, self._dialect = lines, now, dialect
        self._advance = advance or (lambda _rows: None)
        self._problems: list[tuple[int, str]] = []
        self._duplicates = Duplicates()
        # Products read so far; after `check()`, the file's SKUs.
        self.products = 0

    def __enter__(self) -> OfferStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._duplicates.close()

    def batches(self, rows: int | None) -> Iterator[OfferRows]:
        """Products and offers of each `rows` data rows (all of them when None)."""
        lines = rows_of(self._lines, self._dialect, self._problems)
        header = next(lines, None)
        if header is None:
            return
        quick = QuickRows(header, self._dialect, self._now)
        while chunk := list(itertools.islice(lines, rows)):
            batch, seen = OfferRows(), []
            products, offers = batch.products, batch.offers
            read = quick.read([values for _line, values in chunk])
            for (line, values), got in zip(chunk, read, strict=True):
                columns = quick.columns
                if got is None:
                    columns, got = self._checked(line, kept_values(header, values))
                    if got is None:
                        continue
                sku, account, described, offer = got
                # The SKU is trimmed already: its lookup key is its upper case.
                key = sku.upper()
                seen.append((line, key, account, sku))
                product = products.get(key)
                if product is None:
                    products[key] = [sku, *described]
                else:
                    given = zip(product[1:], described, strict=True)
                    product[1:] = [old or new for old, new in given]
                offers[key, account] = (columns, offer)
            yield from self._flush(batch, seen, len(chunk))
            if rows is None:
                return

    def _checked(self, line: int, values: dict[str, str]) -> tuple[tuple[str, ...], Any]:
        """A row read with the full checks: its columns and what QuickRows.read gives,
        or None with its problems noted."""
        row = _Row(line, values, self._now, self._dialect)
        account, offer = _offer(row, self._now)
        described = tuple(row.text(name) for name in ("pnk", "ean", "name", "category"))
        sku = row.text("sku") or ""
        if row.problems or offer is None:
            self._problems.extend(
                (row.line, line_problem().format(line=row.line, problem=p)) for p in row.problems
            )
            return (), None
        columns, given = offer_values(offer)
        return columns, (sku, account, described, given)

    def _flush(self, batch: OfferRows, seen: list[Seen], read: int) -> Iterator[OfferRows]:
        self._duplicates.add(seen)
        self._advance(read)
        if batch.products and not self._problems:
            self.products += len(batch.products)
            yield batch

    def check(self) -> None:
        """CsvImportError listing every bad row (repeats included), by line; or naming
        a file without data rows."""
        found = list(self._problems)
        for line, sku, account, first in self._duplicates.repeats():
            problem = _("{sku} on {account} already given on line {line}").format(
                sku=sku, account=account, line=first
            )
            found.append((line, line_problem().format(line=line, problem=problem)))
        if found:
            found.sort(key=lambda item: item[0])
            raise CsvImportError([problem for _line_number, problem in found])
        if not self.products:
            raise CsvImportError([_("the file has no data rows")])
        self.products = self._duplicates.products()
