"""KPIs from a history built by hand; every expected figure is worked out in the test."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import InvalidInput
from bot.kpis import kpis, parse_days
from storage.db import transaction
from storage.models import AlertRecord, DailyStats, Product
from tests.conftest import NOW

DAY = timedelta(days=1)


def _daily(day_offset: int, **values: object) -> DailyStats:
    taken = NOW - day_offset * DAY
    base = {
        "products": 10,
        "high": 1,
        "medium": 1,
        "low": 1,
        "zero_stock_with_competition": 1,
        "listed_offers": 20,
        "compliant_offers": 10,
        "stock_total": 100,
        "stock_with_competition": 50,
        "lost_sales_per_day": Decimal("100"),
    }
    return DailyStats(day=taken.date(), taken_at=taken, **{**base, **values})


def _alert(product: int, issue: str, account: str, opened, closed=None, recovered=None, lost=None):  # type: ignore[no-untyped-def]
    return AlertRecord(
        product_id=product,
        issue=issue,
        account=account,
        priority="high",
        opened_at=opened,
        closed_at=closed,
        recovered_at=recovered,
        lost_sales_per_day=lost,
    )


@pytest.fixture
def history(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        products = [
            Product(sku=f"P{i}", sku_key=f"P{i}", created_at=NOW, updated_at=NOW) for i in range(4)
        ]
        session.add_all(products)
        session.flush()
        a, b, c, d = (p.id for p in products)
        session.add_all(
            [
                _daily(
                    2, zero_stock_with_competition=3, compliant_offers=10, stock_with_competition=40
                ),
                _daily(
                    1, zero_stock_with_competition=2, compliant_offers=15, stock_with_competition=60
                ),
                _daily(
                    0,
                    zero_stock_with_competition=1,
                    compliant_offers=18,
                    stock_with_competition=75,
                    lost_sales_per_day=Decimal("40"),
                ),
                # Zero stock with competition, 30 RON/day, open 2 days ago, closed 1 day ago,
                # buy button back: 1 day x 30 = 30 RON; resolved in 24 h; recovered.
                _alert(
                    a,
                    "zero_stock_with_competition",
                    "main",
                    NOW - 2 * DAY,
                    NOW - DAY,
                    recovered=NOW - DAY / 2,
                    lost=Decimal("30"),
                ),
                # Still open since 40 days ago, 10 RON/day: only the 30 days of the period
                # count, 300 RON; not closed, so no resolution time.
                _alert(b, "zero_stock_with_competition", "fbe", NOW - 40 * DAY, lost=Decimal("10")),
                # Low stock, opened 3 days ago, closed 12 h ago, no recovery: 60 h.
                _alert(c, "low_stock_with_competition", "main", NOW - 3 * DAY, NOW - DAY / 2),
                # A weekly-update alert closed today after 6 h: counts for resolution time,
                # not for buy-button recovery.
                _alert(d, "needs_weekly_update", "main", NOW - timedelta(hours=6), NOW),
                # Closed before the period: ignored everywhere.
                _alert(
                    d,
                    "zero_stock_with_competition",
                    "main",
                    NOW - 50 * DAY,
                    NOW - 45 * DAY,
                    lost=Decimal("1000"),
                ),
            ]
        )
    return sessions


def test_kpis_over_30_days_match_the_hand_computed_figures(history) -> None:  # type: ignore[no-untyped-def]
    report = kpis(history, NOW, 30)

    assert report.zero_stock_with_competition.value == 1
    assert [p.value for p in report.zero_stock_with_competition.trend] == [3, 2, 1]
    assert report.zero_stock_with_competition.change == -2

    assert report.estimated_lost_sales.value == pytest.approx(30 + 300)
    assert [p.value for p in report.estimated_lost_sales.trend] == [100, 100, 40]

    # (24 + 60 + 6) / 3 closed alerts
    assert report.mean_time_to_resolution.value == pytest.approx(30.0)
    assert report.mean_time_to_resolution.unit == "hours"

    # 18 of 20 listed offers sent within the week on the last day; 50% -> 75% -> 90%.
    assert report.weekly_update_compliance.value == pytest.approx(90.0)
    assert [p.value for p in report.weekly_update_compliance.trend] == [50, 75, 90]
    assert report.weekly_update_compliance.change == 40

    assert report.distribution_efficiency.value == pytest.approx(75.0)
    assert report.distribution_efficiency.change == 35

    # Two shortage alerts closed in the period, one recovered.
    assert report.buy_button_recovery_rate.value == pytest.approx(50.0)


def test_a_short_period_counts_only_its_own_days(history) -> None:  # type: ignore[no-untyped-def]
    report = kpis(history, NOW, 1)
    # Alert a: open within the last day? It closed exactly 1 day ago: 0 days inside.
    # Alert b: open the whole day at 10 RON.
    assert report.estimated_lost_sales.value == pytest.approx(10)
    # Closed within the last day: c (60 h) and d (6 h); a closed at the boundary too.
    assert report.mean_time_to_resolution.value == pytest.approx((24 + 60 + 6) / 3)


def test_an_empty_history_has_no_figures_rather_than_zeros(sessions) -> None:  # type: ignore[no-untyped-def]
    report = kpis(sessions, NOW, 30)
    assert report.mean_time_to_resolution.value is None
    assert report.weekly_update_compliance.value is None
    assert report.estimated_lost_sales.value == 0
    assert report.weekly_update_compliance.trend == []


@pytest.mark.parametrize("bad", ["0", "-1", "366", "1.5", "week"])
def test_days_must_be_a_whole_number_in_range(bad: str) -> None:
    with pytest.raises(InvalidInput, match="days must be a whole number from 1 to 365"):
        parse_days(bad)


def test_the_trend_chart_is_a_png_with_history_and_without(history, sessions) -> None:  # type: ignore[no-untyped-def]
    from bot.web.chart import trend_chart

    with_history = trend_chart(history, NOW, 30)
    assert with_history.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(InvalidInput):
        trend_chart(history, NOW, 0)


def test_the_trend_chart_draws_an_empty_period(sessions) -> None:  # type: ignore[no-untyped-def]
    from bot.web.chart import trend_chart

    assert trend_chart(sessions, NOW, 7).startswith(b"\x89PNG\r\n\x1a\n")
