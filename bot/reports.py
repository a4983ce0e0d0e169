"""Catalogue-wide answers: alerts, summary and bulk results (engine.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from bot.engine.freshness import is_stale
from bot.engine.models import ACCOUNTS, Account, Analysis, Priority, Recommendation, Rules


class AlertEntry(BaseModel):
    """One product needing attention, with the numbers a seller decides by."""

    sku: str
    name: str | None
    priority: Priority
    issues: list[str]
    accounts: list[Account]
    listed_on: list[Account] = ["main", "fbe"]
    stock_main: int
    stock_fbe: int
    sales_per_day_main: float | None = None
    sales_per_day_fbe: float | None = None
    days_of_cover_main: float | None = None
    days_of_cover_fbe: float | None = None
    in_transit_main: int = 0
    in_transit_fbe: int = 0
    # RON a day lost now (both accounts); None when a losing account's pace is unknown.
    estimated_lost_sales_per_day: float | None
    top_recommendation: Recommendation | None
    stale: bool
    snoozed_until: datetime | None = None
    snoozed_by: str | None = None


class AlertsReport(BaseModel):
    alerts: list[AlertEntry]
    counts: dict[str, int]
    total: int
    limit: int
    # The seed's categories, over the whole catalogue.
    total_alerts: int = 0
    critical_issues: int = 0
    maintenance_needed: int = 0


def alerts_report(entries: list[AlertEntry], counts: dict[str, Any], limit: int) -> AlertsReport:
    """The alerts page with the catalogue's (or category's) counts per priority."""
    per_priority = {name: counts[name] for name in ("high", "medium", "low")}
    return AlertsReport(
        alerts=entries,
        counts=per_priority,
        total=sum(per_priority.values()),
        limit=limit,
        total_alerts=sum(per_priority.values()),
        critical_issues=counts["high"],
        maintenance_needed=counts["needs_weekly_update"],
    )


class AccountStatus(BaseModel):
    listed_offers: int
    offers_sent_within_week: int
    last_read_at: datetime | None
    last_run_status: str | None
    last_run_error: str | None


class Summary(BaseModel):
    products_tracked: int
    products_needing_attention: int
    high: int
    medium: int
    low: int
    zero_stock_with_competition: int
    needs_weekly_update: int
    # None: no offer listed, nothing to be compliant about (shown as "—").
    weekly_update_compliance_pct: float | None
    estimated_lost_sales_per_day: Decimal
    data_as_of: datetime | None
    data_age_hours: float | None
    stale: bool
    accounts: dict[str, AccountStatus]


class BulkItem(BaseModel):
    sku: str
    found: bool
    error: str | None = None
    analysis: Analysis | None = None


class CategorySummary(BaseModel):
    """The summary numbers of one category (None: products without a category)."""

    category: str | None
    products: int
    products_needing_attention: int
    high: int
    medium: int
    low: int
    estimated_lost_sales_per_day: Decimal
    weekly_update_compliance_pct: float | None


class BulkSummary(BaseModel):
    """The seed's bulk summary."""

    total_analyzed: int
    action_required: int
    high_priority: int


class BulkReport(BaseModel):
    requested: int
    found: int
    results: list[BulkItem]
    summary: BulkSummary


def lost_per_day(analysis: Analysis) -> float | None:
    """RON a day the product loses now over both accounts; None when a losing account's
    pace or price is unknown and no account's loss is known."""
    situation = analysis.current_situation
    values = [
        getattr(situation, f"lost_sales_per_day_{account}")
        for account in ACCOUNTS
        if account in analysis.listed_on
    ]
    known = [value for value in values if value is not None]
    if not known:
        return None
    return round(sum(known), 2)


def alert_entry(analysis: Analysis) -> AlertEntry:
    """An analysis as one line of the alerts (and of the digest)."""
    situation = analysis.current_situation
    involved = {
        account
        for rec in analysis.recommendations
        for account in (rec.from_account, rec.to_account, rec.account)
        if account
    }
    return AlertEntry(
        sku=analysis.sku,
        name=analysis.name,
        priority=analysis.priority,
        issues=analysis.issues,
        accounts=[account for account in ACCOUNTS if account in involved],
        listed_on=analysis.listed_on,
        stock_main=situation.stock_main,
        stock_fbe=situation.stock_fbe,
        sales_per_day_main=situation.sales_per_day_main,
        sales_per_day_fbe=situation.sales_per_day_fbe,
        days_of_cover_main=situation.days_of_cover_main,
        days_of_cover_fbe=situation.days_of_cover_fbe,
        in_transit_main=situation.in_transit_main,
        in_transit_fbe=situation.in_transit_fbe,
        estimated_lost_sales_per_day=lost_per_day(analysis),
        top_recommendation=analysis.recommendations[0] if analysis.recommendations else None,
        stale=analysis.stale,
        snoozed_until=analysis.snoozed_until,
        snoozed_by=analysis.snoozed_by,
    )


def summary_from(
    counts: dict[str, Any], runs: Mapping[str, Any], now: datetime, rules: Rules
) -> Summary:
    """The dashboard numbers from the whole-catalogue counts (storage.counts) and each
    account's newest snapshot run."""
    listed = sum(counts[f"listed_{account}"] for account in ACCOUNTS)
    compliant = sum(counts[f"compliant_{account}"] for account in ACCOUNTS)
    reads = [
        counts[f"read_{account}"]
        for account in ACCOUNTS
        if counts[f"listed_{account}"] and counts[f"read_{account}"] is not None
    ]
    as_of = min(reads) if reads else None
    accounts = {}
    for account in ACCOUNTS:
        run = runs.get(account)
        accounts[account] = AccountStatus(
            listed_offers=counts[f"listed_{account}"],
            offers_sent_within_week=counts[f"compliant_{account}"],
            last_read_at=counts[f"read_{account}"],
            last_run_status=run.status if run else None,
            last_run_error=run.error if run else None,
        )
    return Summary(
        products_tracked=counts["products"],
        products_needing_attention=counts["high"] + counts["medium"] + counts["low"],
        high=counts["high"],
        medium=counts["medium"],
        low=counts["low"],
        zero_stock_with_competition=counts["zero_stock_with_competition"],
        needs_weekly_update=counts["needs_weekly_update"],
        weekly_update_compliance_pct=round(100.0 * compliant / listed, 1) if listed else None,
        estimated_lost_sales_per_day=counts["lost_sales_per_day"],
        data_as_of=as_of,
        data_age_hours=round((now - as_of).total_seconds() / 3600, 1) if as_of else None,
        stale=is_stale(as_of, now, rules),
        accounts=accounts,
    )
