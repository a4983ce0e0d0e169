"""`stockbot import FILE.csv`: offers per account from a CSV export (engine.md format).

Every row is checked before anything is written; one bad row means nothing is imported,
and every bad row is reported with its line number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.engine.models import ACCOUNTS, OfferSnapshot, ProductSnapshot
from bot.engine.numbers import whole_number
from bot.errors import StockbotError
from storage.queries import lookup_key

REQUIRED = ("sku", "account", "stock", "number_of_offers")
MAX_SOLD = 10_000_000


class CsvImportError(StockbotError):
    """The file cannot be imported; `problems` lists each bad row as 'line N: ...'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"nothing imported, {len(problems)} problem(s): {shown}{more}")


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        value = (self.values.get(name) or "").strip()
        return value or None

    def whole(self, name: str, minimum: int, maximum: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        number = whole_number(value)
        if number is None or number < minimum or (maximum and number > maximum):
            upper = f"..{maximum}" if maximum else " or more"
            self.problems.append(f"{name} must be a whole number {minimum}{upper}, not {value!r}")
            return None
        return number

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number < 0:
            self.problems.append(f"{name} must be a decimal number >= 0, not {value!r}")
            return None
        return number

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.problems.append(f"{name} must be ISO 8601 with an offset, not {value!r}")
            return None
        return parsed


def _offer(row: _Row, now: datetime) -> tuple[str, OfferSnapshot | None]:
    for name in REQUIRED:
        if name in ("sku", "account") and row.text(name) is None:
            row.problems.append(f"{name} is required")
    account = (row.text("account") or "").lower()
    if row.text("account") is not None and account not in ACCOUNTS:
        row.problems.append(f"account must be 'main' or 'fbe', not {row.text('account')!r}")
    stock = row.whole("stock", 0, 65535)
    values: dict[str, Any] = {
        "stock": stock,
        "general_stock": stock,
        "estimated_stock": stock,
        "number_of_offers": row.whole("number_of_offers", 0),
        "last_read_at": now,
    }
    # Optional columns only when the file has them: an update keeps what the file does
    # not say (the eMAG offer id, the send date, the sales velocity of a sync).
    optional = {
        "offer_id": lambda: row.whole("offer_id", 1),
        "pnk": lambda: row.text("pnk"),
        "buy_button_rank": lambda: row.whole("buy_button_rank", 1),
        "sale_price": lambda: row.decimal("sale_price"),
        "last_sent_at": lambda: row.moment("last_sent_at"),
        "status": lambda: row.whole("status", 0, 2),
    }
    values |= {name: read() for name, read in optional.items() if name in row.values}
    if "sales_30d" in row.values:
        # Units sold on the account in the last 30 days; empty: unknown.
        values["units_sold_30d"] = row.whole("sales_30d", 0, MAX_SOLD)
    if values.get("status", 1) is None:
        values["status"] = 1
    if row.problems:
        return account, None
    return account, OfferSnapshot(account=account, **values)


def parse_offers_csv(lines: Iterable[str], now: datetime) -> list[ProductSnapshot]:
    """Products with their offers from CSV text, or CsvImportError listing every bad row."""
    reader = csv.DictReader(lines)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CsvImportError([f"line 1: missing required column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    problems: list[str] = []
    products: dict[str, ProductSnapshot] = {}
    seen: dict[tuple[str, str], int] = {}
    for values in reader:
        row = _Row(reader.line_num, {k: v for k, v in values.items() if k and isinstance(v, str)})
        account, offer = _offer(row, now)
        sku = row.text("sku") or ""
        key = (lookup_key(sku), account)
        if offer is not None and key in seen:
            row.problems.append(f"{sku} on {account} already given on line {seen[key]}")
        if row.problems:
            problems.extend(f"line {row.line}: {problem}" for problem in row.problems)
            continue
        seen[key] = row.line
        product = products.setdefault(lookup_key(sku), ProductSnapshot(sku=sku))
        product.pnk = product.pnk or row.text("pnk")
        product.ean = product.ean or row.text("ean")
        product.name = product.name or row.text("name")
        setattr(product, account, offer)
    if problems:
        raise CsvImportError(problems)
    if not products:
        raise CsvImportError(["the file has no data rows"])
    return list(products.values())
