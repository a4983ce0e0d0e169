"""Catalogue-wide answers: alerts, summary and bulk results (engine.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from bot.engine.models import Account, Analysis, Priority, Recommendation


class AlertEntry(BaseModel):
    sku: str
    name: str | None
    priority: Priority
    issues: list[str]
    accounts: list[Account]
    stock_main: int
    stock_fbe: int
    estimated_lost_sales_per_day: Decimal
    top_recommendation: Recommendation | None
    stale: bool


class AlertsReport(BaseModel):
    alerts: list[AlertEntry]
    counts: dict[str, int]
    total: int
    limit: int


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
    weekly_update_compliance_pct: float
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


class BulkReport(BaseModel):
    requested: int
    found: int
    results: list[BulkItem]
