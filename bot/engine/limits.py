"""What a field may hold, checked where data enters (CSV import, REST API, Slack, CLI), so
SQLite and PostgreSQL hold the same things and every surface can show them.

The bounds follow the database columns (`storage/models.py`; a test holds the two
together) and eMAG's own: a SKU is String(128), a price Numeric(14, 4), an offer id at
most 16,777,215. SQLite would store a 3,000-character SKU or an infinite price that
PostgreSQL refuses with a traceback, and that every surface then trips over (a Slack
button value is at most 2,000 characters, `Inf` breaks every sum); here both are refused
with a message that names the field.

Each check takes the text as given and returns the value to store, or raises FieldError
whose message names the field and what is wrong; callers add where it was (a CSV line, an
API field, a Slack command).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from bot.engine.numbers import whole_number

MAX_SKU = 128  # products.sku, sku_key
MAX_PNK = 32  # products.pnk, offers.pnk (eMAG's are 9 characters)
MAX_EAN = 32  # products.ean (an EAN-13 is 13)
MAX_NAME = 512  # products.name
MAX_CATEGORY = 128  # products.category
MAX_STOCK = 65535  # eMAG's stock values; the engine's transfer amounts
MAX_OFFERS = 65535  # sellers on one PNK: far beyond any real product
MAX_RANK = 65535
MAX_OFFER_ID = 16_777_215  # eMAG's offer ids on save (emag-api.md)
STATUSES = (0, 1, 2)
PRICE_PLACES = 4  # Numeric(14, 4): 10 digits before the point, 4 after
MAX_PRICE = Decimal("9999999999.9999")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=1)  # clocks differ; a send date beyond tomorrow is wrong


class FieldError(ValueError):
    """A value that cannot be stored or looked up; the message says which and why."""


def _shown(value: str) -> str:
    """The value as it can be quoted back: clipped, control characters visible."""
    return repr(value[:40] + ("..." if len(value) > 40 else ""))


def _control_character(value: str) -> str | None:
    for character in value:
        # Cc: NUL, newlines, escapes (PostgreSQL refuses NUL in text outright);
        # Cs: lone surrogates, which cannot be encoded to store.
        if unicodedata.category(character) in ("Cc", "Cs"):
            return f"U+{ord(character):04X}"
    return None


def text(value: str, name: str, limit: int) -> str:
    """`value` trimmed, at most `limit` characters, without control characters."""
    cleaned = value.strip()
    bad = _control_character(cleaned)
    if bad:
        raise FieldError(f"{name} contains a control character ({bad}), not allowed")
    if len(cleaned) > limit:
        raise FieldError(f"{name} is {len(cleaned)} characters long, at most {limit} allowed")
    return cleaned


def lookup(value: str, name: str = "sku") -> str:
    """A SKU, PNK or EAN someone asks about: non-empty, a SKU's length at most, no
    control characters (a NUL would fail the PostgreSQL query, not just find nothing)."""
    cleaned = text(value, name, MAX_SKU)
    if not cleaned:
        raise FieldError(f"{name} is required")
    return cleaned


def whole(value: str, name: str, low: int, high: int) -> int:
    """A whole number in low..high, written in ASCII digits."""
    number = whole_number(value)
    if number is None or not low <= number <= high:
        raise FieldError(f"{name} must be a whole number {low}..{high}, not {_shown(value)}")
    return number


def price(value: str, name: str) -> Decimal:
    """A finite decimal >= 0 that Numeric(14, 4) holds, rounded to its 4 places (as
    PostgreSQL would round it, so SQLite stores the same)."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > MAX_PRICE:
        raise FieldError(f"{name} must be a decimal number 0..{MAX_PRICE}, not {_shown(value)}")
    if number.as_tuple().exponent >= -PRICE_PLACES:  # type: ignore[operator]
        return number
    return number.quantize(Decimal(1).scaleb(-PRICE_PLACES), rounding=ROUND_HALF_EVEN)


def moment(value: str, name: str, now: datetime) -> datetime:
    """An ISO 8601 time with an offset, from 2000-01-01 to a day after `now`."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise FieldError(f"{name} must be ISO 8601 with an offset, not {_shown(value)}")
    if not EARLIEST <= parsed <= now + LATEST_AHEAD:
        raise FieldError(
            f"{name} must be between {EARLIEST:%Y-%m-%d} and tomorrow, not {_shown(value)}"
        )
    return parsed
