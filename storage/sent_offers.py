"""What the write-back to eMAG reads and records: the stored offers to write, and, only
after eMAG accepted a write, the new stock and `last_sent_at`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from bot.engine.models import Rules
from storage.db import chunks
from storage.models import Offer, Product
from storage.queries import lookup_key
from storage.status import refresh_status


@dataclass(frozen=True, slots=True)
class StoredOffer:
    """What a write-back needs of one stored offer."""

    id: int
    product_id: int
    sku: str
    account: str
    emag_offer_id: int | None
    sale_price: Decimal | None
    stock: int | None
    last_read_at: datetime | None
    last_sent_at: datetime | None


_STORED = (
    Offer.id,
    Offer.product_id,
    Product.sku,
    Offer.account,
    Offer.emag_offer_id,
    Offer.sale_price,
    Offer.stock,
    Offer.last_read_at,
    Offer.last_sent_at,
)


def find_offer(session: Session, sku: str, account: str) -> StoredOffer | None:
    """The account's stored offer of the product with this SKU (any case)."""
    row = session.execute(
        select(*_STORED)
        .join(Product, Product.id == Offer.product_id)
        .where(Product.sku_key == lookup_key(sku), Offer.account == account)
    ).first()
    return StoredOffer(*row) if row else None


def _due(account: str, sent_before: datetime | None) -> list[ColumnElement[bool]]:
    """The account's offers with an eMAG id and, when `sent_before` is given, not sent
    since then (never sent included)."""
    due = [Offer.account == account, Offer.emag_offer_id.is_not(None)]
    if sent_before is not None:
        due.append(or_(Offer.last_sent_at.is_(None), Offer.last_sent_at < sent_before))
    return due


def offers_to_resend(
    session: Session,
    account: str,
    sent_before: datetime | None,
    after_id: int = 0,
    limit: int = 50,
) -> list[StoredOffer]:
    """The next `limit` offers of the account (by row id, after `after_id`) with an eMAG id
    and, when `sent_before` is given, not sent since then (never sent included)."""
    query = (
        select(*_STORED)
        .join(Product, Product.id == Offer.product_id)
        .where(*_due(account, sent_before), Offer.id > after_id)
        .order_by(Offer.id)
        .limit(limit)
    )
    return [StoredOffer(*row) for row in session.execute(query)]


def count_to_resend(session: Session, account: str, sent_before: datetime | None) -> int:
    """How many offers `offers_to_resend` goes through, page after page."""
    query = select(func.count()).select_from(Offer).where(*_due(account, sent_before))
    return session.scalar(query) or 0


def mark_sent(session: Session, offer_row_ids: Sequence[int], now: datetime, rules: Rules) -> None:
    """Note a successful write to eMAG: `last_sent_at` of these offers (row ids) is now."""
    product_ids: list[int] = []
    for chunk in chunks(offer_row_ids):
        session.execute(
            update(Offer)
            .where(Offer.id.in_(chunk))
            .values(last_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        product_ids.extend(session.scalars(select(Offer.product_id).where(Offer.id.in_(chunk))))
    refresh_status(session, rules, product_ids)


def set_sent_stock(
    session: Session, offer_row_id: int, stock: int, now: datetime, rules: Rules
) -> None:
    """After eMAG accepted a MAIN stock write: store the stock and the send time."""
    offer = session.get(Offer, offer_row_id)
    if offer is None:
        return
    offer.stock = stock
    offer.general_stock = stock
    # eMAG recomputes reservations; until the next read, assume none.
    offer.estimated_stock = stock
    offer.last_sent_at = now
    session.flush()
    refresh_status(session, rules, [offer.product_id])
