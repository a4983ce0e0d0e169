"""Digest bookkeeping: the claim that makes a digest happen once, its planned parts,
and the items it reported (the baseline for "new or worse" and for follow-ups)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Digest, DigestItem, DigestMessage

# A claim this old with no outcome belongs to a process that died; another may take it.
ABANDONED_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    digest_id: int
    resumed: bool
    previous_error: str | None


def claim_digest(
    session: Session, channel: str, day: date, slot: str, owner: str, now: datetime
) -> Claim | None:
    """Take the digest of `channel` for `day`/`slot`, or None when it is sent or taken.

    The unique (channel, day, slot) row is the lock: a second process's insert fails,
    and it may only take over a failed or abandoned claim, with a compare-and-set.
    """
    try:
        with session.begin_nested():
            digest = Digest(
                channel=channel,
                day=day,
                slot=slot,
                status="claimed",
                claimed_by=owner,
                claimed_at=now,
                attempts=1,
            )
            session.add(digest)
        return Claim(digest.id, resumed=False, previous_error=None)
    except IntegrityError:
        pass
    existing = session.scalars(
        select(Digest).where(Digest.channel == channel, Digest.day == day, Digest.slot == slot)
    ).one()
    retryable = existing.status == "failed" or (
        existing.status == "claimed" and existing.claimed_at < now - ABANDONED_AFTER
    )
    if not retryable:
        return None
    taken = session.execute(
        update(Digest)
        .where(
            Digest.id == existing.id,
            Digest.status == existing.status,
            Digest.attempts == existing.attempts,
        )
        .values(status="claimed", claimed_by=owner, claimed_at=now, attempts=Digest.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    return Claim(existing.id, resumed=True, previous_error=existing.error or "did not finish")


def earlier_failures(session: Session, channel: str, before: date) -> list[Digest]:
    """Digests of earlier days that failed, or whose process died while posting them,
    that no later digest has made up for."""
    unfinished = or_(
        Digest.status == "failed",
        and_(Digest.status == "claimed", Digest.finished_at.is_(None)),
    )
    return list(
        session.scalars(
            select(Digest)
            .where(Digest.channel == channel, unfinished, Digest.day < before)
            .order_by(Digest.day)
        )
    )


def supersede(session: Session, digests: Sequence[Digest]) -> None:
    for digest in digests:
        digest.status = "superseded"


def has_posted(session: Session, digest_id: int) -> bool:
    """Whether any part of the digest reached Slack (then its plan must be kept)."""
    posted = select(DigestMessage.id).where(
        DigestMessage.digest_id == digest_id, DigestMessage.ts.is_not(None)
    )
    return session.scalar(posted.limit(1)) is not None


def drop_plan(session: Session, digest_id: int) -> None:
    """Forget an unposted plan, so a retry plans afresh from the current snapshot."""
    session.execute(delete(DigestMessage).where(DigestMessage.digest_id == digest_id))
    session.execute(delete(DigestItem).where(DigestItem.digest_id == digest_id))


def save_plan(
    session: Session,
    digest_id: int,
    channel: str,
    payloads: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]],
) -> None:
    """Store the parts to post and the items they report, before anything is posted."""
    session.add_all(
        DigestMessage(digest_id=digest_id, part=index, channel=channel, payload=json.dumps(payload))
        for index, payload in enumerate(payloads)
    )
    if items:
        session.execute(
            DigestItem.__table__.insert(), [{**item, "digest_id": digest_id} for item in items]
        )


def unposted_parts(session: Session, digest_id: int) -> list[DigestMessage]:
    return list(
        session.scalars(
            select(DigestMessage)
            .where(DigestMessage.digest_id == digest_id, DigestMessage.ts.is_(None))
            .order_by(DigestMessage.part)
        )
    )


def mark_posted(session: Session, message_id: int, ts: str, now: datetime) -> None:
    message = session.get(DigestMessage, message_id)
    assert message is not None
    message.ts, message.posted_at = ts, now
    # Items shown in this part now know their message, for follow-ups.
    session.execute(
        update(DigestItem)
        .where(DigestItem.digest_id == message.digest_id, DigestItem.part == message.part)
        .values(message_ts=ts)
        .execution_options(synchronize_session=False)
    )


def finish(session: Session, digest_id: int, now: datetime, error: str | None = None) -> None:
    digest = session.get(Digest, digest_id)
    assert digest is not None
    digest.status = "failed" if error else "sent"
    digest.error = error
    digest.finished_at = now


def baseline_items(session: Session, channel: str) -> dict[int, DigestItem]:
    """The items of the channel's newest sent digest, by product id."""
    last = session.scalar(
        select(Digest.id)
        .where(Digest.channel == channel, Digest.status == "sent")
        .order_by(Digest.claimed_at.desc(), Digest.id.desc())
        .limit(1)
    )
    if last is None:
        return {}
    items = session.scalars(select(DigestItem).where(DigestItem.digest_id == last))
    return {item.product_id: item for item in items}


def shown_unresolved(session: Session, channel: str, alerting: Select) -> list[DigestItem]:
    """Items shown in a posted message, not marked resolved, whose product is no longer
    among `alerting` (a select of product ids)."""
    return list(
        session.scalars(
            select(DigestItem)
            .join(Digest, Digest.id == DigestItem.digest_id)
            .where(
                Digest.channel == channel,
                DigestItem.message_ts.is_not(None),
                DigestItem.resolved_at.is_(None),
                DigestItem.product_id.not_in(alerting),
            )
        )
    )


def message_by_ts(session: Session, channel: str, ts: str) -> DigestMessage | None:
    return session.scalar(
        select(DigestMessage).where(DigestMessage.channel == channel, DigestMessage.ts == ts)
    )
