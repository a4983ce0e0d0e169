"""What people did through Slack: snoozes, transfers marked done, once-only clicks, and the
current content of messages stockbot edits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Snooze(Base):
    """A SKU hidden from digests until a date, or until it gets worse."""

    __tablename__ = "snoozes"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    priority_at_snooze: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransferRecord(Base):
    """A transfer someone marked as done (who, when, how much)."""

    __tablename__ = "transfer_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    from_account: Mapped[str] = mapped_column(String(8))
    to_account: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the click came from (e.g. channel:ts:action); a second click finds it taken.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    main_stock_written: Mapped[bool] = mapped_column(Boolean, default=False)
    # The destination's stock when marked: it has arrived once the stock shows it.
    stock_before: Mapped[int | None] = mapped_column(Integer)
    # The source's stock when marked, less what it was sending already (None: marked
    # before this was kept), and when its stock showed the units gone: until then they
    # are not the source's to give again.
    source_before: Mapped[int | None] = mapped_column(Integer)
    left_source_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # in_transit -> arrived, or in_transit -> overdue (after transit_days) -> arrived | lost.
    status: Mapped[str] = mapped_column(
        String(16), default="in_transit", server_default="in_transit"
    )
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # RON a day the destination lost when the transfer was marked, and once it arrived:
    # what following the recommendation earned (the KPIs sum it per category).
    lost_before: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    lost_after: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))


class ActionClaim(Base):
    """A button click that must take effect once: the first click's row wins, a repeat
    (a double click, a retried delivery) finds it and does nothing."""

    __tablename__ = "action_claims"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageState(Base):
    """What a Slack message that stockbot edits shows now. Slack sends a click with the
    message as the clicker saw it; edits build on this row instead, under its lock, so
    two clicks (or a click and a digest follow-up) never undo each other."""

    __tablename__ = "message_states"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[str] = mapped_column(Text)  # JSON
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
