"""`stockbot import FILE.csv`: offers per account from a CSV export (engine.md format).

Every row is checked before anything is written; one bad row means nothing is imported,
and every bad row is reported with its line number. The file's encoding and separator
(English or Romanian Excel) are found by csv_dialect.
"""

from __future__ import annotations

import csv
import io
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
from bot.intake.csv_rows import MAX_SOLD, QuickRows
from bot.intake.duplicates import Duplicates, Seen
from storage.bulk_writes import OfferRows, offer_values, snapshots
from storage.queries import lookup_key

REQUIRED = ("sku", "account", "stock", "number_of_offers")
DECIMALS = ("sale_price",)
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


def _rows(
    lines: Iterable[str], dialect: CsvDialect, problems: list[tuple[int, str]]
) -> Iterator[Any]:
    """The header (names trimmed, lower case), then (line, values) of each data row, read
    strictly: a quote left open swallows the lines after it into one field (or runs to
    the end of the file), which is a bad row, not a long name. Rows refused for their
    shape go to `problems` as (line, problem). Lines are counted as csv.DictReader counts
    them (a blank line is skipped, but counted for the row after it)."""
    reader = csv.reader(lines, strict=True, delimiter=dialect.separator)
    last = 1
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            names = ", ".join(missing)
            found = (
                _("separator {found} found but missing required columns: {names}").format(
                    found=repr(dialect.separator), names=names
                )
                if len(header) > 1
                else _(
                    "no ',' or ';' in the header line, missing required columns: {names}"
                ).format(names=names)
            )
            raise CsvImportError([line_problem().format(line=1, problem=found)])
        yield header
        last = reader.line_num
        for values in reader:
            number = reader.line_num
            while values == []:
                values = next(reader, None)
                if values is None:
                    return
            first, last = last + 1, number
            if last > first:
                problems.append(
                    (
                        first,
                        _(
                            "line {line}: a quoted field runs on to line {last} (a quote left "
                            "open?)"
                        ).format(line=first, last=last),
                    )
                )
                continue
            # A row as long as the header has the shape it should.
            if len(values) != len(header):
                shape = dialect.row_problem(_as_dict(header, values), DECIMALS)
                if shape:
                    problems.append((first, line_problem().format(line=first, problem=shape)))
                    continue
            yield first, values
    except csv.Error as exc:
        problem = f"{exc} ({_('a quote left open?')})"
        problems.append((last + 1, line_problem().format(line=last + 1, problem=problem)))


def _kept(header: list[str], values: list[str]) -> dict[str, str]:
    """The row's values by column name, those of a named column given."""
    return {k: v for k, v in _as_dict(header, values).items() if k and isinstance(v, str)}


def _as_dict(header: list[str], values: list[str]) -> dict[str | None, Any]:
    """The row as csv.DictReader gives it: extra values under None, missing ones None."""
    row: dict[str | None, Any] = dict(zip(header, values, strict=False))
    if len(header) < len(values):
        row[None] = values[len(header) :]
    for name in header[len(values) :]:
        row[name] = None
    return row


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
    """The products of CSV text in batches of rows, read once: bad rows are gathered as
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
        lines = _rows(self._lines, self._dialect, self._problems)
        header = next(lines, None)
        if header is None:
            return
        quick = QuickRows(header, self._dialect, self._now)
        batch, seen, read = OfferRows(), [], 0
        for line, values in lines:
            read += 1
            got = quick.read(values)
            columns = quick.columns
            if got is None:
                columns, got = self._checked(line, _kept(header, values))
            if got is not None:
                sku, account, described, offer = got
                key = lookup_key(sku)
                seen.append((line, key, account, sku))
                product = batch.products.get(key)
                if product is None:
                    batch.products[key] = [sku, *described]
                else:
                    for at, value in enumerate(described, start=1):
                        product[at] = product[at] or value
                batch.offers[(key, account)] = (columns, offer)
            if rows is not None and read >= rows:
                yield from self._flush(batch, seen, read)
                batch, seen, read = OfferRows(), [], 0
        yield from self._flush(batch, seen, read)

    def _checked(self, line: int, values: dict[str, str]) -> tuple[tuple[str, ...], Any]:
        """A row read with the full checks: its columns and what QuickRows.read gives,
        or None with its problems noted."""
        row = _Row(line, values, self._now, self._dialect)
        account, offer = _offer(row, self._now)
        described = [row.text(name) for name in ("pnk", "ean", "name", "category")]
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
