"""Reads of the KPI history (alert records and daily numbers) over a period: plain rows
for bot/kpis.py to turn into figures, one query each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from storage.models import AlertRecord, DailyStats

SHORTAGES = ("zero_stock_with_competition", "low_stock_with_competition")


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
