"""Small builders for engine snapshots in tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.engine.models import OfferSnapshot, ProductSnapshot
from tests.conftest import NOW


def offer(
    account: str,
    stock: int | None,
    offers: int | None = 2,
    rank: int | None = None,
    sent_days_ago: float | None = 1,
    read_at: datetime | None = NOW,
    status: int | None = 1,
    velocity: str | None = None,
    price: str | None = "100.00",
    validation: int | None = None,
    documentation: int | None = None,
    in_transit: int = 0,
    overdue: int = 0,
) -> OfferSnapshot:
    return OfferSnapshot(
        account=account,
        in_transit=in_transit,
        overdue_transit=overdue,
        in_transit_since=NOW - timedelta(days=1) if in_transit else None,
        offer_validation=validation,
        offer_validation_text=None if validation in (None, 1) else "Invalid price",
        doc_validation=documentation,
        stock=stock,
        number_of_offers=offers,
        buy_button_rank=rank,
        status=status,
        sale_price=Decimal(price) if price is not None else None,
        sales_velocity=Decimal(velocity) if velocity is not None else None,
        last_read_at=read_at,
        last_sent_at=None if sent_days_ago is None else NOW - timedelta(days=sent_days_ago),
    )


def product(
    main: OfferSnapshot | None = None, fbe: OfferSnapshot | None = None, sku: str = "SKU1"
) -> ProductSnapshot:
    return ProductSnapshot(sku=sku, pnk="PNK000001", ean="5940000000001", main=main, fbe=fbe)


def pair(
    here: str, here_offer: dict, there_offer: dict | None, sku: str = "SKU1"
) -> ProductSnapshot:
    """A product seen from account `here`: `here_offer` on it, `there_offer` on the other."""
    there = "fbe" if here == "main" else "main"
    offers = {here: offer(here, **here_offer)}
    offers[there] = offer(there, **there_offer) if there_offer is not None else None
    return product(main=offers["main"], fbe=offers["fbe"], sku=sku)
