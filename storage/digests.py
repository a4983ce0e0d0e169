"""Digest claims: the row that makes a digest happen once per channel and day, held as a
short lease that its run renews while posting and another run takes over once it lapses
(or once its process is gone), and the digest's outcome. Its parts and items are in
`storage/digest_parts.py`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Digest


@dataclass(frozen=True)
class Claim:
    digest_id: int
    resumed: bool
    previous_error: str | None
    channel_id: str | None


@dataclass(frozen=True)
class Taken:
    """The digest is sent, or another run holds it; `reason` says which."""

    reason: str


def claim_digest(
    session: Session,
    channel: str,
    day: date,
    slot: str,
    owner: str,
    now: datetime,
    lease: timedelta,
    gone: Callable[[str, int], bool],
) -> Claim | Taken:
    """Take the digest of `channel` for `day`/`slot` for `lease`, or say why not.

    The unique (channel, day, slot) row is the lock: a second process's insert fails,
    and it may only take over a failed claim, or a claimed one whose lease lapsed or whose
    holder is `gone` (given the holder and the digest id), with a compare-and-set."""
    try:
        with session.begin_nested():
            digest = Digest(
                channel=channel,
                channel_id=known_channel_id(session, channel),
                day=day,
                slot=slot,
                status="claimed",
                claimed_by=owner,
                claimed_at=now,
                lease_until=now + lease,
                attempts=1,
            )
            session.add(digest)
        return Claim(digest.id, resumed=False, previous_error=None, channel_id=digest.channel_id)
    except IntegrityError:
        pass
    existing = session.scalars(
        select(Digest).where(Digest.channel == channel, Digest.day == day, Digest.slot == slot)
    ).one()
    if existing.status not in ("failed", "claimed"):
        return Taken(f"the digest of {day} for {channel} is {existing.status}")
    if existing.status == "claimed":
        until = existing.lease_until or existing.claimed_at + lease
        if until > now and not gone(existing.claimed_by, existing.id):
            return Taken(
                f"the digest of {day} for {channel} is being posted by {existing.claimed_by} "
                f"(its claim lapses at {until:%H:%M:%S} UTC unless renewed)"
            )
    taken = session.execute(
        update(Digest)
        .where(
            Digest.id == existing.id,
            Digest.status == existing.status,
            Digest.attempts == existing.attempts,
        )
        .values(
            status="claimed",
            claimed_by=owner,
            claimed_at=now,
            lease_until=now + lease,
            attempts=Digest.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return Taken(f"another run took the digest of {day} for {channel} just now")
    return Claim(
        existing.id,
        resumed=True,
        previous_error=existing.error or "did not finish",
        channel_id=existing.channel_id or known_channel_id(session, channel),
    )


def renew(session: Session, digest_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Extend `owner`'s claim; False when it is no longer theirs (taken over)."""
    renewed = session.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.claimed_by == owner, Digest.status == "claimed")
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def known_channel_id(session: Session, channel: str) -> str | None:
    """The ID Slack gave for `channel` (a name or an ID as configured), from the newest
    digest that learnt it: a name is resolved once."""
    return session.scalar(
        select(Digest.channel_id)
        .where(Digest.channel == channel, Digest.channel_id.is_not(None))
        .order_by(Digest.id.desc())
        .limit(1)
    )


def set_channel_id(session: Session, digest_id: int, channel_id: str) -> None:
    session.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(channel_id=channel_id)
        .execution_options(synchronize_session=False)
    )


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


def finish(session: Session, digest_id: int, now: datetime, error: str | None = None) -> None:
    digest = session.get(Digest, digest_id)
    assert digest is not None
    digest.status = "failed" if error else "sent"
    digest.error = error
    digest.finished_at = now
    digest.lease_until = None


def left_claimed(session: Session, channel: str, day: date) -> bool:
    """Whether the day's scheduled digest was claimed and never finished (its run died)."""
    found = select(Digest.id).where(
        Digest.channel == channel, Digest.day == day, Digest.slot == "daily"
    )
    return session.scalar(found.where(Digest.status == "claimed").limit(1)) is not None


def last_sent(session: Session, channel: str) -> Digest | None:
    """The channel's newest sent digest: the baseline of the next one."""
    return session.scalar(
        select(Digest)
        .where(Digest.channel == channel, Digest.status == "sent")
        .order_by(Digest.claimed_at.desc(), Digest.id.desc())
        .limit(1)
    )
