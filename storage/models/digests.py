"""The daily digest: its claim, its planned parts and the items they reported."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Digest(Base):
    """One digest for a channel; its unique row is the claim that makes it happen once.

    `slot` is "daily" for the scheduled digest (one per channel and day) and
    "manual:<time>" for a forced one. `channel` is STOCKBOT_ALERT_CHANNEL as configured (a
    name or an ID), `channel_id` the ID Slack answered with. A claim is a lease: whoever
    holds it renews `lease_until` while posting; once it lapses another run takes over.
    """

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("channel", "day", "slot", name="uq_digests_channel_day_slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(64), default="daily")
    # claimed -> sent, or claimed -> failed -> claimed (a later run) -> sent.
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class DigestMessage(Base):
    """One part of a digest, planned before posting; `ts` is set once Slack has it.

    Part 0 is the channel message, the others replies in its thread. `attempted_at` (wall
    clock) is when it was last sent: with no `ts`, its outcome is unknown until the
    channel's history says whether it arrived."""

    __tablename__ = "digest_messages"
    __table_args__ = (UniqueConstraint("digest_id", "part", name="uq_digest_messages_part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    part: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(64))
    # The message as planned, JSON ({"text": ..., "blocks": [...]}): what a resumed run
    # posts, and the first edit's starting point (then storage.messages holds what it shows).
    payload: Mapped[str] = mapped_column(Text)
    ts: Mapped[str | None] = mapped_column(String(32))
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestItem(Base):
    """A SKU as a digest reported it: the baseline for "new or worse" next time."""

    __tablename__ = "digest_items"
    __table_args__ = (
        UniqueConstraint("digest_id", "product_id", name="uq_digest_items_product"),
        Index("ix_digest_items_product", "product_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(8))
    issues: Mapped[str] = mapped_column(String(200))
    part: Mapped[int | None] = mapped_column(Integer)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
