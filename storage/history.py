"""The dated history the KPIs need: alert open/close records and daily key numbers.

`record_history` runs after every change of the snapshot (seed, import, sync, marked
transfer) and compares the catalogue's current issues with the open records.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Date, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.engine.models import ACCOUNTS, Rules
from storage.classifier import classified_products
from storage.counts import catalogue_counts
from storage.kpi_history import RECOVERABLE
from storage.models import AlertRecord, DailyStats, Offer, ProductStatus, StockDay
from storage.transits import settle_transits

RECOVERY_WINDOW = timedelta(days=7)
# Days of stock history kept: the pace window (30 days) and a margin.
STOCK_DAYS_KEPT = 40
# Callers hold this lock (storage.locks) around a transaction that calls record_history.
HISTORY_LOCK = "alert-history"
_PRIORITY_NAMES = {3: "high", 2: "medium", 1: "low"}
_ISSUE_PRIORITY = {
    "zero_stock_with_competition": "high",
    "low_stock_with_competition": "medium",
    "needs_weekly_update": "low",
    "imbalanced": "low",
    "unsellable_offer": "medium",
    "transfer_not_arrived": "medium",
    "buy_button_lost": "medium",
    "new_seller": "low",
}


def _current_issues(session: Session, now: datetime, rules: Rules) -> dict[tuple, Decimal | None]:
    """(product, issue, account) -> the daily loss, for every issue open now. Plain tuples,
    not ORM objects: this holds one entry per open issue of the whole catalogue."""
    classified = classified_products(now, rules).subquery()
    rows = session.execute(select(classified).where(classified.c.priority_rank > 0))
    found: dict[tuple, Decimal | None] = {}
    for row in rows:
        for account in ACCOUNTS:
            for issue, flag in (
                ("zero_stock_with_competition", f"zero_{account}"),
                ("low_stock_with_competition", f"low_{account}"),
                ("needs_weekly_update", f"update_{account}"),
                ("unsellable_offer", f"unsellable_{account}"),
                ("transfer_not_arrived", f"overdue_{account}"),
                ("buy_button_lost", f"lost_{account}"),
            ):
                if getattr(row, flag):
                    found[(row.product_id, issue, account)] = row.lost_sales
        if row.imbalanced:
            found[(row.product_id, "imbalanced", None)] = None
        if row.new_sellers:
            found[(row.product_id, "new_seller", None)] = None
    return found


def _mark_recoveries(session: Session, now: datetime, rules: Rules) -> int:
    """Closed shortage and lost-buy-button alerts whose account holds the buy button
    within the window: a buy button won back counts as recovered the sync it closes."""
    classified = classified_products(now, rules).subquery()
    recovered = 0
    for account in ACCOUNTS:
        holders = select(classified.c.product_id).where(
            getattr(classified.c, f"rank_{account}") == 1
        )
        result = session.execute(
            update(AlertRecord)
            .where(
                AlertRecord.account == account,
                AlertRecord.issue.in_(RECOVERABLE),
                AlertRecord.closed_at.is_not(None),
                AlertRecord.closed_at >= now - RECOVERY_WINDOW,
                AlertRecord.recovered_at.is_(None),
                AlertRecord.product_id.in_(holders),
            )
            .values(recovered_at=now)
            .execution_options(synchronize_session=False)
        )
        recovered += result.rowcount or 0
    return recovered


def _record_daily_stats(session: Session, now: datetime, rules: Rules) -> None:
    counts = catalogue_counts(session, now, rules)
    total, competing = session.execute(
        select(
            func.coalesce(func.sum(ProductStatus.stock_main + ProductStatus.stock_fbe), 0),
            func.coalesce(
                func.sum(
                    ProductStatus.stock_main * ProductStatus.competition_main
                    + ProductStatus.stock_fbe * ProductStatus.competition_fbe
                ),
                0,
            ),
        )
    ).one()
    values = {
        "day": now.date(),
        "taken_at": now,
        **{
            name: counts[name]
            for name in ("products", "high", "medium", "low", "zero_stock_with_competition")
        },
        "listed_offers": sum(counts[f"listed_{account}"] for account in ACCOUNTS),
        "compliant_offers": sum(counts[f"compliant_{account}"] for account in ACCOUNTS),
        "stock_total": int(total),
        "stock_with_competition": int(competing),
        "lost_sales_per_day": counts["lost_sales_per_day"],
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DailyStats).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DailyStats.day],
            set_={key: value for key, value in values.items() if key != "day"},
        )
    )


def _record_stock_days(session: Session, now: datetime) -> None:
    """Today is a day without stock for every offer at 0 now, and a day with stock for
    the others (the last snapshot of the day wins); rows past the pace window go."""
    today = now.date()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    empty = select(Offer.product_id, Offer.account, literal(today, Date())).where(
        func.coalesce(Offer.stock, 0) == 0
    )
    session.execute(
        dialect.insert(StockDay)
        .from_select(["product_id", "account", "day"], empty)
        .on_conflict_do_nothing()
    )
    restocked = (
        select(Offer.id)
        .where(
            Offer.product_id == StockDay.product_id,
            Offer.account == StockDay.account,
            func.coalesce(Offer.stock, 0) > 0,
        )
        .exists()
    )
    session.execute(delete(StockDay).where(StockDay.day == today, restocked))
    session.execute(delete(StockDay).where(StockDay.day < today - timedelta(days=STOCK_DAYS_KEPT)))


def record_history(session: Session, now: datetime, rules: Rules) -> dict[str, int]:
    """Open records for new issues, close resolved ones, note recoveries and the day.

    Transfers in transit are settled first (the stock may show they arrived), so the
    issues compared are those of the snapshot with its transits."""
    settle_transits(session, now, rules)
    _record_stock_days(session, now)
    current = _current_issues(session, now, rules)
    # Every open record per key: should two runs ever have opened the same alert twice,
    # the extra records close here instead of staying open for good.
    open_records: dict[tuple, list[int]] = {}
    for record_id, product_id, issue, account in session.execute(
        select(AlertRecord.id, AlertRecord.product_id, AlertRecord.issue, AlertRecord.account)
        .where(AlertRecord.closed_at.is_(None))
        .order_by(AlertRecord.id)
    ):
        open_records.setdefault((product_id, issue, account), []).append(record_id)
    opened = [
        {
            "product_id": product_id,
            "issue": issue,
            "account": account,
            "priority": _ISSUE_PRIORITY[issue],
            "opened_at": now,
            "lost_sales_per_day": lost if issue.startswith("zero") else None,
        }
        for (product_id, issue, account), lost in current.items()
        if (product_id, issue, account) not in open_records
    ]
    for start in range(0, len(opened), 5000):
        session.execute(AlertRecord.__table__.insert(), opened[start : start + 5000])
    opened_count = len(opened)
    del opened
    closed = [
        record_id
        for key, record_ids in open_records.items()
        for record_id in (record_ids if key not in current else record_ids[1:])
    ]
    for start in range(0, len(closed), 5000):
        session.execute(
            update(AlertRecord)
            .where(AlertRecord.id.in_(closed[start : start + 5000]))
            .values(closed_at=now)
            .execution_options(synchronize_session=False)
        )
    recovered = _mark_recoveries(session, now, rules)
    _record_daily_stats(session, now, rules)
    return {"opened": opened_count, "closed": len(closed), "recovered": recovered}
