"""Numbers, money and dates as a person reads them, in STOCKBOT_LANGUAGE's locale formats
(Babel): "1.234,50 lei" in Romanian, "RON 1,234.50" in English. JSON and the REST API
never come here: they stay plain numbers and ISO 8601 UTC."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberPattern,
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

LOCALES = {"en": "en_GB", "ro": "ro_RO"}
_active: dict[str, object] = {"language": "en", "zone": ZoneInfo("UTC")}


def activate(language: str, zone: ZoneInfo) -> None:
    """The language and time zone every later rendering uses (set from the settings at
    start)."""
    if language not in LOCALES:
        raise ValueError(f"unknown language {language!r}: use one of {', '.join(LOCALES)}")
    _active.update(language=language, zone=zone)


def activate_from_environment() -> None:
    """The language STOCKBOT_LANGUAGE names, before the settings are read (the command
    line's own help and errors); a wrong value stays English and the settings refuse it."""
    wanted = os.environ.get("STOCKBOT_LANGUAGE", "en").strip().lower()
    activate(wanted if wanted in LOCALES else "en", active_zone())


def language() -> str:
    return str(_active["language"])


def active_zone() -> ZoneInfo:
    zone = _active["zone"]
    assert isinstance(zone, ZoneInfo)
    return zone


def _locale() -> Locale:
    return _parsed_locale(LOCALES[language()])


# Parsed once: Babel parses a locale and a pattern afresh on every call.
@cache
def _parsed_locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


@cache
def _symbols(name: str) -> tuple[str, str]:
    """The locale's group and decimal separators."""
    locale = _parsed_locale(name)
    return get_group_symbol(locale), get_decimal_symbol(locale)


def number(value: float | Decimal, digits: int = 1) -> str:
    """e.g. "1,234.5" (en) or "1.234,5" (ro), always with `digits` decimals.

    What Babel's format_decimal gives for "#,##0.0..." (tests/core/test_formats.py holds
    the two equal), without its general machinery: a digest formats thousands."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if not exact.is_finite() or exact.adjusted() > 20:
        pattern = _pattern("#,##0" + ("." + "0" * digits if digits else ""))
        return format_decimal(value, format=pattern, locale=_locale())
    group, point = _symbols(LOCALES[language()])
    rounded = abs(exact).normalize().quantize(Decimal(1).scaleb(-digits))
    whole, _dot, fraction = f"{rounded:,f}".partition(".")
    text = whole.replace(",", group) + (point + fraction if digits else "")
    return "-" + text if exact.is_signed() else text


def money(value: float | Decimal) -> str:
    """Lei with two decimals: "RON 1,234.50" (en), "1.234,50 lei" (ro)."""
    amount = number(value, 2)
    if language() == "ro":
        return f"{amount} lei"
    # CLDR writes the code against the number ("RON1,234.50"); sellers read it spaced.
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    return f"{sign}{_currency_symbol(LOCALES[language()])} {digits}"


@cache
def _currency_symbol(name: str) -> str:
    return get_currency_symbol("RON", _parsed_locale(name))


def day(moment: datetime, zone: ZoneInfo) -> str:
    """A short local date, e.g. "Mon 30 Nov" (en), "lun. 30 nov." (ro)."""
    return format_date(moment.astimezone(zone), "EEE d MMM", locale=_locale())


def clock(moment: datetime, zone: ZoneInfo, pattern: str = "dd MMM HH:mm") -> str:
    """A local time in a CLDR `pattern`, e.g. "30 Nov 11:05" (en), "30 nov. 11:05" (ro)."""
    return format_datetime(moment.astimezone(zone), pattern, locale=_locale())


def calendar_day(value: date) -> str:
    """A calendar day with its weekday, e.g. "Mon 30 Nov" (en), "lun. 30 nov." (ro)."""
    return format_date(value, "EEE dd MMM", locale=_locale())


def moment_text(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """A local date and time with its zone, e.g. "2026-11-30 11:00 EET"."""
    local = moment.astimezone(zone or active_zone())
    return f"{format_datetime(local, 'yyyy-MM-dd HH:mm', locale=_locale())} {local.tzname()}"
