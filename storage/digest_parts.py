"""A digest's planned parts (stored before the first post, so a run that dies resumes),
what happened to each (attempted, posted), and the items it reported: the baseline for
"new or worse" and what the follow-up marks resolved."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from storage.db import chunks
from storage.models import Digest, DigestItem, DigestMessage


def started(session: Session, digest_id: int) -> bool:
    """Whether any part was sent (posted, or sent with its outcome unknown): then the plan
    must be kept, not planned afresh."""
    sent = select(DigestMessage.id).where(
        DigestMessage.digest_id == digest_id,
        DigestMessage.ts.is_not(None) | DigestMessage.attempted_at.is_not(None),
    )
    return session.scalar(sent.limit(1)) is not None


def drop_plan(session: Session, digest_id: int) -> None:
    """Forget an unsent plan, so a retry plans afresh from the current snapshot."""
    session.execute(delete(DigestMessage).where(DigestMessage.digest_id == digest_id))
    session.execute(delete(DigestItem).where(DigestItem.digest_id == digest_id))


def save_plan(
    session: Session, digest_id: int, channel: str, payloads: Sequence[dict[str, Any]]
) -> None:
    """Store the parts to post, before anything is posted: one multi-row insert."""
    rows = [
        {"digest_id": digest_id, "part": index, "channel": channel, "payload": json.dumps(payload)}
        for index, payload in enumerate(payloads)
    ]
    if rows:
        session.execute(DigestMessage.__table__.insert(), rows)


def save_items(session: Session, digest_id: int, items: Sequence[dict[str, Any]]) -> None:
    """Store items the digest reports (the rest of its baseline is written set-based)."""
    for batch in chunks(items):
        session.execute(
            DigestItem.__table__.insert(), [{**item, "digest_id": digest_id} for item in batch]
        )


def parts(session: Session, digest_id: int) -> list[DigestMessage]:
    """Every part of the digest, the channel message first."""
    return list(
        session.scalars(
            select(DigestMessage)
            .where(DigestMessage.digest_id == digest_id)
            .order_by(DigestMessage.part)
        )
    )


def note_attempt(session: Session, message_id: int, at: datetime | None) -> None:
    """When the part was last sent (None: known not to be in the channel)."""
    session.execute(
        update(DigestMessage)
        .where(DigestMessage.id == message_id)
        .values(attempted_at=at)
        .execution_options(synchronize_session=False)
    )


def mark_posted(session: Session, message_id: int, ts: str, channel_id: str, now: datetime) -> None:
    message = session.get(DigestMessage, message_id)
    assert message is not None
    message.ts, message.channel, message.posted_at = ts, channel_id, now
    # Items shown in this part now know their message, for follow-ups.
    session.execute(
        update(DigestItem)
        .where(DigestItem.digest_id == message.digest_id, DigestItem.part == message.part)
        .values(message_ts=ts)
        .execution_options(synchronize_session=False)
    )


def shown_unresolved(
    session: Session, channel: str, alerting: Callable[[Any], ColumnElement[bool]]
) -> list[tuple[DigestMessage, DigestItem]]:
    """Items shown in a posted message of the channel's digests, not marked resolved,
    whose product no longer alerts (`alerting(product_id)`: a condition on one product,
    looked up for these items only, not the catalogue), each with the message that
    shows it."""
    rows = session.execute(
        select(DigestMessage, DigestItem)
        .join(Digest, Digest.id == DigestMessage.digest_id)
        .join(DigestItem, DigestItem.message_ts == DigestMessage.ts)
        .where(
            Digest.channel == channel,
            DigestMessage.ts.is_not(None),
            DigestItem.resolved_at.is_(None),
            ~alerting(DigestItem.product_id),
        )
        .order_by(DigestMessage.id)
    )
    return [(message, item) for message, item in rows]


def record_resolved(session: Session, item_ids: Iterable[int], now: datetime) -> None:
    """These items now show as resolved in their message (Slack took the update)."""
    for batch in chunks(item_ids):
        session.execute(
            update(DigestItem)
            .where(DigestItem.id.in_(batch))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )
