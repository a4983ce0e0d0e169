"""The KPIs of engine.md "Metrics", over a period, each with its trend.

- zero_stock_with_competition: products in that state (latest day), trend per day.
- estimated_lost_sales: RON lost over the period by zero-stock-with-competition alerts
  (their daily loss x the days each was open within the period); trend: the daily loss.
- mean_time_to_resolution: hours from an alert's opening to its close, over the alerts
  that closed in the period; trend: per closing day.
- weekly_update_compliance: % of listed offers sent within the weekly period (latest
  day), trend per day.
- distribution_efficiency: % of stock held on accounts that have competition (stock
  elsewhere cannot win a buy button), latest day, trend per day.
- buy_button_recovery_rate: % of shortage and lost-buy-button alerts closed in the period
  whose account held the buy button within 7 days of the close (a buy button won back
  holds it at the close); trend per closing day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from bot.earnings import EarningsReport, earnings
from bot.service import parse_limit
from storage import kpi_history
from storage.models import DailyStats

MAX_DAYS = 365


class TrendPoint(BaseModel):
    day: date
    value: float


class Kpi(BaseModel):
    value: float | None
    unit: str
    trend: list[TrendPoint]
    change: float | None  # last point minus first point of the trend


class KpiReport(BaseModel):
    days: int
    since: datetime
    until: datetime
    zero_stock_with_competition: Kpi
    estimated_lost_sales: Kpi
    mean_time_to_resolution: Kpi
    weekly_update_compliance: Kpi
    distribution_efficiency: Kpi
    buy_button_recovery_rate: Kpi
    # What following the recommendations earned over the period (bot/earnings.py).
    earnings: EarningsReport


def parse_days(value: object) -> int:
    return parse_limit(value, MAX_DAYS, "days")


def _kpi(value: float | None, unit: str, trend: list[TrendPoint]) -> Kpi:
    change = round(trend[-1].value - trend[0].value, 2) if len(trend) > 1 else None
    return Kpi(
        value=None if value is None else round(value, 2), unit=unit, trend=trend, change=change
    )


def _percent(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def _daily(
    stats: list[DailyStats], figure: Callable[[DailyStats], float | None]
) -> list[TrendPoint]:
    points = [(row.day, figure(row)) for row in stats]
    return [
        TrendPoint(day=day, value=round(value, 2)) for day, value in points if value is not None
    ]


def _per_closing_day(
    rows: Iterable[tuple[date, float]], combine: Callable[[list[float]], float]
) -> list[TrendPoint]:
    by_day: dict[date, list[float]] = defaultdict(list)
    for day, value in rows:
        by_day[day].append(value)
    return [TrendPoint(day=day, value=round(combine(by_day[day]), 2)) for day in sorted(by_day)]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _lost_over(spans: Iterable, since: datetime, until: datetime) -> float:
    total = Decimal(0)
    for opened, closed, per_day in spans:
        start, end = max(opened, since), min(closed or until, until)
        if end > start:
            total += per_day * Decimal((end - start).total_seconds()) / Decimal(86400)
    return float(total)


def kpi_report(session: Session, until: datetime, days: int) -> KpiReport:
    """The KPIs over the `days` days up to `until`, from the stored history."""
    since = until - timedelta(days=days)
    stats = kpi_history.daily_stats(session, since, until)
    closed = kpi_history.closed_alerts(session, since, until)
    latest = stats[-1] if stats else None

    hours = [
        (row.closed_at.date(), (row.closed_at - row.opened_at).total_seconds() / 3600)
        for row in closed
    ]
    shortages = [row for row in closed if row.issue in kpi_history.RECOVERABLE]
    recovered = [
        (row.closed_at.date(), 100.0 * (row.recovered_at is not None)) for row in shortages
    ]

    def compliance(row: DailyStats) -> float | None:
        return _percent(row.compliant_offers, row.listed_offers)

    def efficiency(row: DailyStats) -> float | None:
        return _percent(row.stock_with_competition, row.stock_total)

    return KpiReport(
        days=days,
        since=since,
        until=until,
        earnings=earnings(session, since, until),
        zero_stock_with_competition=_kpi(
            latest.zero_stock_with_competition if latest else None,
            "products",
            _daily(stats, lambda row: row.zero_stock_with_competition),
        ),
        estimated_lost_sales=_kpi(
            _lost_over(kpi_history.zero_stock_spans(session, since, until), since, until),
            "RON",
            _daily(stats, lambda row: float(row.lost_sales_per_day)),
        ),
        mean_time_to_resolution=_kpi(
            _mean([h for _, h in hours]) if hours else None,
            "hours",
            _per_closing_day(hours, _mean),
        ),
        weekly_update_compliance=_kpi(
            compliance(latest) if latest else None, "%", _daily(stats, compliance)
        ),
        distribution_efficiency=_kpi(
            efficiency(latest) if latest else None, "%", _daily(stats, efficiency)
        ),
        buy_button_recovery_rate=_kpi(
            _mean([v for _, v in recovered]) if recovered else None,
            "%",
            _per_closing_day(recovered, _mean),
        ),
    )


def kpis(sessions: sessionmaker[Session], until: datetime, days: object = 30) -> KpiReport:
    period = parse_days(days)
    with sessions() as session:
        return kpi_report(session, until, period)
