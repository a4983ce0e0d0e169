"""Money, numbers and times in each language's locale format, in the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_currency, format_decimal

from bot import formats
from bot.wording import cover_text, money_per_day, sales_text

BUCHAREST = ZoneInfo("Europe/Bucharest")
MOMENT = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


def test_english_money_is_the_code_then_the_amount() -> None:
    formats.activate("en", BUCHAREST)
    assert formats.money(Decimal("1234.5")) == "RON 1,234.50"
    assert money_per_day(69.3) == "RON 69.30/day"
    assert sales_text(1234.56) == "1,234.6/day"


def test_romanian_money_is_lei_with_comma_decimals() -> None:
    formats.activate("ro", BUCHAREST)
    assert formats.money(Decimal("1234.5")) == "1.234,50 lei"
    assert money_per_day(69.3) == "69,30 lei/zi"
    assert cover_text(86.66, 0.3) == "86,7 zile"


@pytest.mark.parametrize("language", ["en", "ro"])
def test_times_are_local_with_their_zone(language: str) -> None:
    formats.activate(language, BUCHAREST)
    assert formats.moment_text(MOMENT) == "2026-11-30 11:05 EET"
    summer = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)
    assert formats.moment_text(summer) == "2026-07-01 12:05 EEST"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        formats.activate("de", BUCHAREST)


SAMPLES = [0, -0.0, 0.05, 0.15, 0.25, 0.35, 2.5, -2.45, 999.95, 1234.56, -98765.4321]
SAMPLES += [Decimal("0.05"), Decimal("-1.2500"), Decimal("1E+3"), Decimal("123456789.125")]
SAMPLES += [i / 7 for i in range(-300, 3000, 13)] + [Decimal(i) / 8 for i in range(0, 900, 7)]
SAMPLES += [1e15 + 0.5, 7.0e-8, -3]


@pytest.mark.parametrize("language", ["en", "ro"])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_numbers_say_what_babel_says(language: str, digits: int) -> None:
    formats.activate(language, BUCHAREST)
    locale = formats.LOCALES[language]
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    for value in SAMPLES:
        assert formats.number(value, digits) == format_decimal(
            value, format=pattern, locale=locale
        ), value


def test_english_money_says_what_babel_says() -> None:
    formats.activate("en", BUCHAREST)
    for value in SAMPLES:
        assert formats.money(value) == format_currency(
            value, "RON", format="¤ #,##0.00", locale="en_GB"
        ), value
