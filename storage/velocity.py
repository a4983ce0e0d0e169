"""Sales velocity per offer: units sold per in-stock day over a window, from the orders a
sync read and the alert history (the days an offer was out of stock)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.db import chunks
from storage.models import AlertRecord, Offer, Product

_VELOCITY_PLACES = Decimal("0.0001")


def out_of_stock_days(
    session: Session, account: str, since: datetime, now: datetime
) -> dict[int, float]:
    """Days since `since` each product spent with a zero-stock alert open on `account`.

    Only zero stock *with competition* is recorded as an alert, so this undercounts the
    days without stock of offers nobody else sells; it is the best history we keep.
    """
    rows = session.execute(
        select(AlertRecord.product_id, AlertRecord.opened_at, AlertRecord.closed_at).where(
            AlertRecord.account == account,
            AlertRecord.issue == "zero_stock_with_competition",
            AlertRecord.opened_at < now,
            or_(AlertRecord.closed_at.is_(None), AlertRecord.closed_at > since),
        )
    )
    days: dict[int, float] = {}
    for product_id, opened_at, closed_at in rows:
        start, end = max(opened_at, since), min(closed_at or now, now)
        if end > start:
            days[product_id] = days.get(product_id, 0.0) + (end - start) / timedelta(days=1)
    return days


class SoldLine(NamedTuple):
    """Units of one order line: the seller's offer id and our part number (SKU key), as
    the line gives them (either may be missing)."""

    offer_id: int | None
    sku_key: str | None
    units: int


def units_per_offer(session: Session, account: str, lines: Iterable[SoldLine]) -> dict[int, int]:
    """Units sold per stored offer (row id) of the account: a line counts for the offer
    whose eMAG id it names, else for the offer of its SKU."""
    by_emag_id: dict[int, int] = {}
    by_sku: dict[str, int] = {}
    for emag_id, key, row_id in session.execute(
        select(Offer.emag_offer_id, Product.sku_key, Offer.id)
        .join(Product, Product.id == Offer.product_id)
        .where(Offer.account == account)
    ):
        if emag_id is not None:
            by_emag_id[emag_id] = row_id
        by_sku[key] = row_id
    units: dict[int, int] = {}
    for line in lines:
        row_id = by_emag_id.get(line.offer_id) if line.offer_id is not None else None
        if row_id is None and line.sku_key is not None:
            row_id = by_sku.get(line.sku_key)
        if row_id is not None:
            units[row_id] = units.get(row_id, 0) + line.units
    return units


def apply_velocities(
    session: Session,
    account: str,
    lines: Iterable[SoldLine],
    now: datetime,
    window_days: int,
) -> int:
    """Set the account's `sales_velocity`: units sold per in-stock day over the window.

    Offers with no sale get 0 (the orders were read: no sale is known). In-stock days are
    the window minus the days a zero-stock alert was open (see `out_of_stock_days`), at
    least one day. Returns the offers with sales.
    """
    since = now - timedelta(days=window_days)
    session.execute(
        update(Offer)
        .where(Offer.account == account)
        .values(sales_velocity=Decimal(0))
        .execution_options(synchronize_session=False)
    )
    units = units_per_offer(session, account, lines)
    if not units:
        return 0
    missing = out_of_stock_days(session, account, since, now)
    updates = []
    for chunk in chunks(list(units)):
        for row_id, product_id in session.execute(
            select(Offer.id, Offer.product_id).where(Offer.id.in_(chunk))
        ):
            in_stock = max(1.0, window_days - missing.get(product_id, 0.0))
            velocity = (Decimal(units[row_id]) / Decimal(str(in_stock))).quantize(
                _VELOCITY_PLACES, rounding=ROUND_HALF_UP
            )
            updates.append({"id": row_id, "sales_velocity": velocity})
    if updates:
        session.execute(update(Offer), updates)
    return len(updates)
