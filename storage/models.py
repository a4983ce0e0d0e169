"""SQLAlchemy 2.0 models: the offer snapshot, its history, and what people did with it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Product(Base):
    """One eMAG product (PNK) sold under one SKU from both accounts."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))
    # The SKU as people type it: trimmed and upper-cased, so lookups ignore case.
    sku_key: Mapped[str] = mapped_column(String(128), unique=True)
    pnk: Mapped[str | None] = mapped_column(String(32), index=True)
    ean: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Offer(Base):
    """Our offer for a product on one account, as last read from eMAG."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("product_id", "account", name="uq_offers_product_account"),
        Index("ix_offers_account_offer_id", "account", "emag_offer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    account: Mapped[str] = mapped_column(String(8))
    emag_offer_id: Mapped[int | None] = mapped_column(BigInteger)
    # The PNK as this account reports it; differs from the product's on a mismatch.
    pnk: Mapped[str | None] = mapped_column(String(32))
    stock: Mapped[int | None] = mapped_column(Integer)
    general_stock: Mapped[int | None] = mapped_column(Integer)
    estimated_stock: Mapped[int | None] = mapped_column(Integer)
    number_of_offers: Mapped[int | None] = mapped_column(Integer)
    buy_button_rank: Mapped[int | None] = mapped_column(Integer)
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    best_offer_sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    status: Mapped[int | None] = mapped_column(Integer)
    # Units sold per day over the last 30 days, out-of-stock days excluded.
    sales_velocity: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SnapshotRun(Base):
    """One refresh of the snapshot (demo seed, CSV import or eMAG sync) per account."""

    __tablename__ = "snapshot_runs"
    __table_args__ = (Index("ix_snapshot_runs_account_finished", "account", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offers_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class AlertRecord(Base):
    """When one issue of one product opened and closed: the KPI history."""

    __tablename__ = "alert_records"
    __table_args__ = (
        Index("ix_alert_records_open", "closed_at", "product_id"),
        Index("ix_alert_records_opened", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    issue: Mapped[str] = mapped_column(String(40))
    account: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the account held the buy button (rank 1) within 7 days of the close.
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Estimated sales lost per day while open (velocity x price), when known.
    lost_sales_per_day: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))


class DailyStats(Base):
    """The catalogue's key numbers, one row per day (the last snapshot of the day wins)."""

    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    products: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    medium: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    zero_stock_with_competition: Mapped[int] = mapped_column(Integer)
    listed_offers: Mapped[int] = mapped_column(Integer)
    compliant_offers: Mapped[int] = mapped_column(Integer)
    stock_total: Mapped[int] = mapped_column(Integer)
    stock_with_competition: Mapped[int] = mapped_column(Integer)
    lost_sales_per_day: Mapped[Decimal] = mapped_column(Numeric(16, 4))


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


class ProductStatus(Base):
    """A product's classification by the rules in force: what does not depend on the clock.

    Refreshed from the offers whenever the snapshot changes (storage/status.py), so the
    whole-catalogue reads scan one narrow table. `rules_key` says which thresholds made it.
    """

    __tablename__ = "product_status"
    __table_args__ = (Index("ix_product_status_rules_key", "rules_key"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    # The hot columns first: SQLite reads a row's columns in order.
    # 3 zero stock with competition, 2 low stock with competition, 1 imbalanced, 0 none.
    stock_rank: Mapped[int] = mapped_column(Integer)
    # The oldest send among the listed offers (never sent = the epoch); None if unlisted.
    oldest_sent: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lost_sales: Mapped[Decimal] = mapped_column(Numeric(16, 4))
    sku: Mapped[str] = mapped_column(String(128))
    rules_key: Mapped[str] = mapped_column(String(32))
    zero: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    imbalanced: Mapped[int] = mapped_column(Integer)
    zero_main: Mapped[int] = mapped_column(Integer)
    zero_fbe: Mapped[int] = mapped_column(Integer)
    low_main: Mapped[int] = mapped_column(Integer)
    low_fbe: Mapped[int] = mapped_column(Integer)
    listed_main: Mapped[int] = mapped_column(Integer)
    listed_fbe: Mapped[int] = mapped_column(Integer)
    stock_main: Mapped[int] = mapped_column(Integer)
    stock_fbe: Mapped[int] = mapped_column(Integer)
    competition_main: Mapped[int] = mapped_column(Integer)
    competition_fbe: Mapped[int] = mapped_column(Integer)
    rank_main: Mapped[int | None] = mapped_column(Integer)
    rank_fbe: Mapped[int | None] = mapped_column(Integer)
    sent_main: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_fbe: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_main: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_fbe: Mapped[datetime | None] = mapped_column(UTCDateTime())
