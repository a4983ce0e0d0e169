"""Writes that people make from Slack: snoozes, transfers marked done, and the claims
that make a button click take effect once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import ActionClaim, Product, Snooze, TransferRecord


def product_id(session: Session, sku: str) -> int | None:
    return session.scalar(select(Product.id).where(Product.sku_key == sku.strip().upper()))


def claim(
    sessions: sessionmaker[Session], key: str, user: str, now: datetime
) -> ActionClaim | None:
    """Claim `key` for `user`; None when this call got it, else the earlier claim.

    The primary key decides between concurrent clicks, in any number of processes."""
    try:
        with sessions() as session, session.begin():
            session.add(ActionClaim(key=key[:255], user_id=user, claimed_at=now))
        return None
    except IntegrityError:
        with sessions() as session:
            return session.get(ActionClaim, key[:255])


def release(sessions: sessionmaker[Session], key: str) -> None:
    """Give a claim back when the work it guarded did not happen."""
    with sessions() as session, session.begin():
        session.execute(delete(ActionClaim).where(ActionClaim.key == key[:255]))


def set_snooze(
    session: Session, product: int, until: datetime, priority: str, user: str, now: datetime
) -> None:
    snooze = session.get(Snooze, product)
    if snooze is None:
        snooze = Snooze(product_id=product)
        session.add(snooze)
    snooze.until, snooze.priority_at_snooze = until, priority
    snooze.created_by, snooze.created_at = user, now


def clear_snooze(session: Session, product: int) -> bool:
    return session.execute(delete(Snooze).where(Snooze.product_id == product)).rowcount > 0


def transfer_record(session: Session, key: str) -> TransferRecord | None:
    return session.scalar(select(TransferRecord).where(TransferRecord.idempotency_key == key))
