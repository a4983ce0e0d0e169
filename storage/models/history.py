"""The dated history the KPIs and the sales pace need: alert records, daily key numbers,
and the days an offer had no stock."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


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


class StockDay(Base):
    """A day an offer had no stock at the last snapshot of that day: the sales pace
    leaves these days out (engine.md, Demand). Days without a row had stock."""

    __tablename__ = "stock_days"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class CompetitionRecord(Base):
    """One offer's competition at one eMAG sync: what the competitor watch compares
    with the previous sync and with a week ago (kept COMPETITION_DAYS_KEPT days)."""

    __tablename__ = "competition_history"
    __table_args__ = (Index("ix_competition_history_taken_at", "taken_at"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(8), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    buy_button_rank: Mapped[int | None] = mapped_column(Integer)
    number_of_offers: Mapped[int | None] = mapped_column(Integer)
    # Our own offers on sale then (MAIN, FBE), and number_of_offers minus them.
    own_active: Mapped[int] = mapped_column(Integer)
    competitors: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)
    sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    best_offer_sale_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
