"""Sales velocity per offer: units sold per in-stock day over a window, from the orders a
sync read and the alert history (the days an offer was out of stock)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

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


def apply_velocities(
    session: Session,
    account: str,
    units_by_key: Mapping[str, int],
    now: datetime,
    window_days: int,
) -> int:
    """Set the account's `sales_velocity`: units sold per in-stock day over the window.

    Offers with no sale get 0. In-stock days are the window minus the days a zero-stock
    alert was open (see `out_of_stock_days`), at least one day. Returns offers updated.
    """
    since = now - timedelta(days=window_days)
    session.execute(
        update(Offer)
        .where(Offer.account == account)
        .values(sales_velocity=Decimal(0))
        .execution_options(synchronize_session=False)
    )
    if not units_by_key:
        return 0
    missing = out_of_stock_days(session, account, since, now)
    keys = list(units_by_key)
    updates = []
    for chunk in chunks(keys):
        rows = session.execute(
            select(Product.sku_key, Offer.id, Offer.product_id)
            .join(Offer, Offer.product_id == Product.id)
            .where(Offer.account == account, Product.sku_key.in_(chunk))
        )
        for key, offer_id, product_id in rows:
            in_stock = max(1.0, window_days - missing.get(product_id, 0.0))
            velocity = (Decimal(units_by_key[key]) / Decimal(str(in_stock))).quantize(
                _VELOCITY_PLACES, rounding=ROUND_HALF_UP
            )
            updates.append({"id": offer_id, "sales_velocity": velocity})
    if updates:
        session.execute(update(Offer), updates)
    return len(updates)
