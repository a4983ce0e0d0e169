"""Reads of the KPI history (alert records and daily numbers) over a period: plain rows
for bot/kpis.py to turn into figures, one query each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from storage.models import AlertRecord, DailyStats, Product, TransferRecord

SHORTAGES = ("zero_stock_with_competition", "low_stock_with_competition")
# Alerts the buy-button recovery rate follows: shortages, and buy buttons lost in stock.
RECOVERABLE = (*SHORTAGES, "buy_button_lost")


def daily_stats(session: Session, since: datetime, until: datetime) -> list[DailyStats]:
    """The daily key numbers in [since, until], oldest first."""
    return list(
        session.scalars(
            select(DailyStats)
            .where(DailyStats.day >= since.date(), DailyStats.day <= until.date())
            .order_by(DailyStats.day)
        )
    )


def closed_alerts(session: Session, since: datetime, until: datetime) -> list[Row[Any]]:
    """Alerts that closed in [since, until]: issue, opened_at, closed_at, recovered_at."""
    return list(
        session.execute(
            select(
                AlertRecord.issue,
                AlertRecord.opened_at,
                AlertRecord.closed_at,
                AlertRecord.recovered_at,
            ).where(AlertRecord.closed_at >= since, AlertRecord.closed_at <= until)
        ).all()
    )


def zero_stock_spans(session: Session, since: datetime, until: datetime) -> list[Row[Any]]:
    """Zero-stock-with-competition alerts open at some time in [since, until] with a known
    daily loss: opened_at, closed_at (None while open), lost_sales_per_day."""
    return list(
        session.execute(
            select(
                AlertRecord.opened_at, AlertRecord.closed_at, AlertRecord.lost_sales_per_day
            ).where(
                AlertRecord.issue == "zero_stock_with_competition",
                AlertRecord.lost_sales_per_day.is_not(None),
                AlertRecord.opened_at <= until,
                or_(AlertRecord.closed_at.is_(None), AlertRecord.closed_at >= since),
            )
        ).all()
    )


def arrived_transfers(session: Session, since: datetime, until: datetime) -> list[Row[Any]]:
    """Transfers marked done whose units arrived in [since, until], with the RON a day
    their destination lost before and after, and the product's category."""
    return list(
        session.execute(
            select(Product.category, TransferRecord.lost_before, TransferRecord.lost_after)
            .join(Product, Product.id == TransferRecord.product_id)
            .where(
                TransferRecord.status == "arrived",
                TransferRecord.settled_at >= since,
                TransferRecord.settled_at <= until,
            )
        ).all()
    )


def shortage_outcomes(session: Session, since: datetime, until: datetime) -> list[Row[Any]]:
    """Shortage alerts closed in [since, until]: the category, whether the buy button
    came back, and whether someone marked a transfer for it while it was open."""
    followed = (
        select(TransferRecord.id)
        .where(
            TransferRecord.product_id == AlertRecord.product_id,
            TransferRecord.to_account == AlertRecord.account,
            TransferRecord.recorded_at >= AlertRecord.opened_at,
            TransferRecord.recorded_at <= AlertRecord.closed_at,
        )
        .exists()
    )
    return list(
        session.execute(
            select(
                Product.category,
                AlertRecord.recovered_at.is_not(None).label("recovered"),
                followed.label("followed"),
            )
            .join(Product, Product.id == AlertRecord.product_id)
            .where(
                AlertRecord.issue.in_(SHORTAGES),
                AlertRecord.closed_at >= since,
                AlertRecord.closed_at <= until,
            )
        ).all()
    )
