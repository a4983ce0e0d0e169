"""Sales velocity per offer: units sold per in-stock day over a window, from the orders a
sync read (or a CSV's `sales_30d`) and the stock history (the days without stock)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from bot.engine.demand import sales_per_day
from storage.db import chunks
from storage.models import Offer, Product, StockDay


def out_of_stock_days(
    session: Session,
    account: str,
    since: datetime,
    now: datetime,
    product_ids: Sequence[int] | None = None,
) -> dict[int, int]:
    """Days in [since, now] each product's offer on `account` had no stock, from the
    stock history (storage.history records each day's last snapshot); of `product_ids`
    only when given."""
    query = (
        select(StockDay.product_id, func.count())
        .where(
            StockDay.account == account,
            StockDay.day >= since.date(),
            StockDay.day <= now.date(),
        )
        .group_by(StockDay.product_id)
    )
    if product_ids is not None:
        query = query.where(StockDay.product_id.in_(product_ids))
    return {product_id: count for product_id, count in session.execute(query)}


def in_stock_days(missing: int, window_days: int) -> int:
    """Days of the window with stock; all of them when there is no history."""
    return max(0, window_days - missing)


class SoldLine(NamedTuple):
    """Units of one order line: the seller's offer id and our part number (SKU key), as
    the line gives them (either may be missing)."""

    offer_id: int | None
    sku_key: str | None
    units: int


def units_per_offer(session: Session, account: str, lines: Iterable[SoldLine]) -> dict[int, int]:
    """Units sold per stored offer (row id) of the account: a line counts for the offer
    whose eMAG id it names, else for the offer of its SKU. Only the offers the lines name
    are looked up, so memory follows the orders, not the catalogue."""
    lines = list(lines)
    by_emag_id: dict[int, int] = {}
    for chunk in chunks({line.offer_id for line in lines if line.offer_id is not None}):
        by_emag_id.update(
            session.execute(
                select(Offer.emag_offer_id, Offer.id).where(
                    Offer.account == account, Offer.emag_offer_id.in_(chunk)
                )
            ).all()
        )
    unmatched = {
        line.sku_key
        for line in lines
        if line.sku_key is not None and by_emag_id.get(line.offer_id) is None  # type: ignore[arg-type]
    }
    by_sku: dict[str, int] = {}
    for chunk in chunks(unmatched):
        by_sku.update(
            session.execute(
                select(Product.sku_key, Offer.id)
                .join(Product, Product.id == Offer.product_id)
                .where(Offer.account == account, Product.sku_key.in_(chunk))
            ).all()
        )
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
    the window minus the days the stock history shows it without stock; an offer with no
    day of stock has no known pace (None). Returns the offers with sales.
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
            days = in_stock_days(missing.get(product_id, 0), window_days)
            updates.append({"row_id": row_id, "pace": sales_per_day(units[row_id], days)})
    if updates:
        # Core executemany: the ORM's bulk UPDATE prepares every row in Python first.
        table = Offer.__table__
        session.execute(
            table.update()
            .where(table.c.id == bindparam("row_id"))
            .values(sales_velocity=bindparam("pace")),
            updates,
        )
    return len(updates)


def apply_units(
    session: Session,
    units: dict[tuple[int, str], int | None],
    now: datetime,
    window_days: int,
) -> None:
    """Set the pace of these offers (product id, account) from units sold in the window,
    as a CSV's `sales_30d` gives them; None clears the pace (unknown)."""
    since = now - timedelta(days=window_days)
    table = Offer.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("key_id"))
        .values(sales_velocity=bindparam("pace"))
    )
    for account in sorted({account for _, account in units}):
        wanted = {pid: sold for (pid, acc), sold in units.items() if acc == account}
        for chunk in chunks(list(wanted)):
            # The history of these products only: a batch of an import asks for its own.
            missing = out_of_stock_days(session, account, since, now, chunk)
            rows = session.execute(
                select(Offer.id, Offer.product_id).where(
                    Offer.account == account, Offer.product_id.in_(chunk)
                )
            ).all()
            values = [
                {
                    "key_id": row_id,
                    "pace": sales_per_day(
                        wanted[product_id], in_stock_days(missing.get(product_id, 0), window_days)
                    ),
                }
                for row_id, product_id in rows
            ]
            if values:
                session.connection().execute(statement, values)
