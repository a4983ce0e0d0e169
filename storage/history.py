"""The dated history the KPIs need: alert open/close records and daily key numbers.

`record_history` runs after every change of the snapshot (seed, import, sync, marked
transfer) and compares the catalogue's current issues with the open records.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    Subquery,
    and_,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from bot.engine.models import ACCOUNTS, Rules
from storage.classifier import classified_products
from storage.counts import catalogue_counts
from storage.models import AlertRecord, DailyStats, Offer, ProductStatus, StockDay
from storage.transits import settle_transits
from storage.types import UTCDateTime

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
}


_ISSUE_FLAGS = (
    ("zero_stock_with_competition", "zero"),
    ("low_stock_with_competition", "low"),
    ("needs_weekly_update", "update"),
    ("unsellable_offer", "unsellable"),
    ("transfer_not_arrived", "overdue"),
)


def _issues(classified: Subquery) -> list[tuple[str, str | None, ColumnElement]]:
    """(issue, account, the classification's flag for it) of every alert kept in history."""
    found: list[tuple[str, str | None, ColumnElement]] = [
        (issue, account, classified.c[f"{prefix}_{account}"])
        for account in ACCOUNTS
        for issue, prefix in _ISSUE_FLAGS
    ]
    return [*found, ("imbalanced", None, classified.c.imbalanced)]


def _same_account(record: type[AlertRecord] | Any, account: str | None) -> ColumnElement[bool]:
    return record.account.is_(None) if account is None else record.account == account


def _close_resolved(session: Session, classified: Subquery, now: datetime) -> int:
    """Close every open record whose issue is not open now, and the extra records should
    two runs ever have opened the same alert twice (the first one stays open)."""
    current = (
        select(classified.c.product_id)
        .where(
            classified.c.product_id == AlertRecord.product_id,
            classified.c.priority_rank > 0,
            or_(
                *(
                    and_(AlertRecord.issue == issue, _same_account(AlertRecord, account), flag != 0)
                    for issue, account, flag in _issues(classified)
                )
            ),
        )
        .exists()
    )
    twin = aliased(AlertRecord)
    first = (
        select(func.min(twin.id))
        .where(
            twin.closed_at.is_(None),
            twin.product_id == AlertRecord.product_id,
            twin.issue == AlertRecord.issue,
            func.coalesce(twin.account, "") == func.coalesce(AlertRecord.account, ""),
        )
        .scalar_subquery()
    )
    result = session.execute(
        update(AlertRecord)
        .where(AlertRecord.closed_at.is_(None), or_(~current, AlertRecord.id != first))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _open_new(session: Session, classified: Subquery, now: datetime) -> int:
    """A record for every issue open now that has no open record yet."""
    opened = 0
    for issue, account, flag in _issues(classified):
        already = (
            select(AlertRecord.id)
            .where(
                AlertRecord.closed_at.is_(None),
                AlertRecord.product_id == classified.c.product_id,
                AlertRecord.issue == issue,
                _same_account(AlertRecord, account),
            )
            .exists()
        )
        lost = classified.c.lost_sales if issue.startswith("zero") else null()
        rows = select(
            classified.c.product_id,
            literal(issue, String()),
            literal(account, String()),
            literal(_ISSUE_PRIORITY[issue], String()),
            literal(now, UTCDateTime()),
            lost,
        ).where(classified.c.priority_rank > 0, flag != 0, ~already)
        columns = ["product_id", "issue", "account", "priority", "opened_at"]
        result = session.execute(
            insert(AlertRecord).from_select([*columns, "lost_sales_per_day"], rows)
        )
        opened += result.rowcount or 0
    return opened


def _mark_recoveries(session: Session, now: datetime, rules: Rules) -> int:
    """Closed shortage alerts whose account holds the buy button within the window."""
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
                AlertRecord.issue.in_(
                    ["zero_stock_with_competition", "low_stock_with_competition"]
                ),
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
    """Open records for new issues, close resolved ones, note recoveries and the day:
    set-based, each a statement over the stored classification (flat memory however
    large the catalogue).

    Transfers in transit are settled first (the stock may show they arrived), so the
    issues compared are those of the snapshot with its transits."""
    settle_transits(session, now, rules)
    _record_stock_days(session, now)
    classified = classified_products(now, rules).subquery()
    closed = _close_resolved(session, classified, now)
    opened = _open_new(session, classified, now)
    recovered = _mark_recoveries(session, now, rules)
    _record_daily_stats(session, now, rules)
    return {"opened": opened, "closed": closed, "recovered": recovered}
