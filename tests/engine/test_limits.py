"""The field checks every edge shares (bot/engine/limits.py), and that their bounds are
the database's columns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.engine import limits
from storage.models import Offer, Product
from tests.conftest import NOW


def test_the_bounds_are_the_columns_of_the_schema() -> None:
    columns = Product.__table__.c
    assert columns.sku.type.length == columns.sku_key.type.length == limits.MAX_SKU
    assert columns.pnk.type.length == Offer.__table__.c.pnk.type.length == limits.MAX_PNK
    assert columns.ean.type.length == limits.MAX_EAN
    assert columns.name.type.length == limits.MAX_NAME
    price = Offer.__table__.c.sale_price.type
    assert (price.precision, price.scale) == (14, limits.PRICE_PLACES)
    assert len(str(limits.MAX_PRICE).replace(".", "")) == price.precision
    # Integer columns hold 32 bits; eMAG's offer ids and our stock bounds fit well within.
    assert max(limits.MAX_OFFER_ID, limits.MAX_STOCK, limits.MAX_OFFERS) < 2**31


@pytest.mark.parametrize(
    "value",
    ["1e400", "NaN", "nan", "Infinity", "-Infinity", "inf", "100000000000", "-1", "x", "1,5"],
)
def test_prices_that_no_numeric_14_4_column_holds_are_refused(value: str) -> None:
    with pytest.raises(limits.FieldError, match="sale_price must be a decimal number"):
        limits.price(value, "sale_price")


@pytest.mark.parametrize(
    ("value", "stored"),
    [("0", "0"), ("99.90", "99.90"), ("9999999999.9999", "9999999999.9999"), ("1.23456", "1.2346")],
)
def test_prices_within_the_column_are_kept_to_its_four_places(value: str, stored: str) -> None:
    assert str(limits.price(value, "sale_price")) == stored


@pytest.mark.parametrize("value", ["A\x00", "a\nb", "\x7f", "x\x1b[0m", "\ud800"])
def test_control_characters_are_refused_and_named(value: str) -> None:
    with pytest.raises(limits.FieldError, match=r"control character \(U\+"):
        limits.text(value, "name", 512)


def test_lengths_count_characters_not_bytes() -> None:
    assert limits.text("Ș" * 128, "sku", limits.MAX_SKU) == "Ș" * 128
    with pytest.raises(limits.FieldError, match="129 characters long, at most 128"):
        limits.lookup("Ș" * 129)


@pytest.mark.parametrize("value", ["", "   "])
def test_a_lookup_needs_something_to_look_up(value: str) -> None:
    with pytest.raises(limits.FieldError, match="sku is required"):
        limits.lookup(value)


@pytest.mark.parametrize("value", ["65536", "1e3", "²", "+-5", "99999999999999999999"])
def test_whole_numbers_out_of_range_or_not_whole_are_refused(value: str) -> None:
    with pytest.raises(limits.FieldError, match=r"stock must be a whole number 0\.\.65535"):
        limits.whole(value, "stock", 0, limits.MAX_STOCK)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2000-01-01T00:00:00+00:00", True),
        ("1999-12-31T23:59:59+00:00", False),
        ((NOW + timedelta(hours=23)).isoformat(), True),
        ((NOW + timedelta(days=2)).isoformat(), False),
        ("9999-12-31T00:00:00+00:00", False),
        ("2026-11-17", False),
    ],
)
def test_dates_between_2000_and_tomorrow(value: str, accepted: bool) -> None:
    if accepted:
        assert limits.moment(value, "last_sent_at", NOW).tzinfo is not None
    else:
        with pytest.raises(limits.FieldError, match="last_sent_at"):
            limits.moment(value, "last_sent_at", NOW)


def test_a_refusal_quotes_the_value_back_short_and_visible() -> None:
    with pytest.raises(limits.FieldError) as caught:
        limits.price("9" * 500 + "\x00", "sale_price")
    assert "\x00" not in str(caught.value) and len(str(caught.value)) < 120
    assert Decimal("0") == limits.price("0", "p")
