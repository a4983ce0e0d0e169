"""Whole-catalogue counts (per priority, per issue, weekly-update compliance, data age),
for all products, one category, or every category at once; and the catalogue's
categories. One scan of the stored classification each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, func, select
from sqlalchemy.orm import Session

from bot.engine.models import ACCOUNTS, Rules
from storage.classifier import NOW_EPOCH, epoch_of, has_priority, rules_key
from storage.models import Product, ProductStatus
from storage.status import made_under_other_rules


def _count_columns() -> tuple[list[Any], list[str]]:
    """The counts as aggregates over product_status itself: `count(*) FILTER (WHERE ...)`
    per condition rather than `sum(CASE ...)` over a subquery's computed columns, the
    cheaper form on both SQLite and PostgreSQL (one test per row and aggregate, no
    CASE result to add up)."""
    s = ProductStatus
    filters: dict[str, Any] = {
        "high": has_priority(3, NOW_EPOCH),
        "medium": has_priority(2, NOW_EPOCH),
        "low": has_priority(1, NOW_EPOCH),
        "zero_stock_with_competition": s.zero == 1,
        "needs_weekly_update": s.oldest_due <= NOW_EPOCH,
    }
    for account in ACCOUNTS:
        listed, due = getattr(s, f"listed_{account}"), getattr(s, f"due_{account}")
        filters[f"listed_{account}"] = listed == 1
        filters[f"compliant_{account}"] = and_(listed == 1, due > NOW_EPOCH)
    columns = [func.count().label("products")]
    columns += [func.count().filter(test).label(name) for name, test in filters.items()]
    columns.append(func.coalesce(func.sum(s.lost_sales), 0).label("lost_sales_per_day"))
    columns += [
        func.max(getattr(s, f"read_{account}")).label(f"read_{account}") for account in ACCOUNTS
    ]
    return columns, [*filters, "lost_sales_per_day"]


def _counts_of(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    counts: dict[str, Any] = {
        name: int(row[name]) for name in ["products", *names] if name != "lost_sales_per_day"
    }
    counts["lost_sales_per_day"] = Decimal(row["lost_sales_per_day"]).quantize(Decimal("0.01"))
    for account in ACCOUNTS:
        counts[f"read_{account}"] = row[f"read_{account}"]
    return counts


_CATEGORY = bindparam("category", type_=String())
_RULES_KEY = bindparam("rules_key", type_=String())


@cache
def _statement(shape: str) -> tuple[Select, list[str]]:
    """The counts' statement, built once per shape (building it cost more than the
    scan's own overhead): "whole", "category" (:category), "grouped" (per category) or
    "checked" (whole, plus what storage.status.ensure_status checks, on :rules_key).
    Rules() fills the signature only: the clock-dependent part reads no thresholds."""
    columns, names = _count_columns()
    key = ProductStatus.category_key
    if shape == "grouped":
        grouped = select(key.label("category"), *columns).select_from(ProductStatus)
        return grouped.group_by(key), names
    if shape == "checked":
        products = select(func.count()).select_from(Product).scalar_subquery()
        # correlate(None): a check of the whole table, not of the row being counted.
        other = (
            select(ProductStatus.product_id)
            .where(made_under_other_rules(_RULES_KEY))
            .correlate(None)
        )
        columns += [products.label("in_catalogue"), other.limit(1).exists().label("other_rules")]
    statement = select(*columns).select_from(ProductStatus)
    return (statement.where(key == _CATEGORY) if shape == "category" else statement), names


def catalogue_counts(
    session: Session, now: datetime, rules: Rules, category: str | None = None
) -> dict[str, Any]:
    """Products per priority and per issue, offers listed and sent within the weekly
    window, and the newest read per account, over the whole catalogue (or one category,
    by its key): one scan of the stored classification (made under `rules`)."""
    statement, names = _statement("whole" if category is None else "category")
    row = session.execute(statement, {"now_epoch": epoch_of(now), "category": category}).one()
    return _counts_of(row._asdict(), names)


def checked_counts(session: Session, now: datetime, rules: Rules) -> dict[str, Any] | None:
    """catalogue_counts of the whole catalogue if its stored classification is current
    (every product has its row, all made under `rules`), else None: the check
    storage.status.ensure_status makes, in the same scan."""
    statement, names = _statement("checked")
    values = {"now_epoch": epoch_of(now), "rules_key": rules_key(rules)}
    row = session.execute(statement, values).one()
    if row.in_catalogue != row.products or row.other_rules:
        return None
    return _counts_of(row._asdict(), names)


def counts_by_category(session: Session, now: datetime, rules: Rules) -> dict[str | None, dict]:
    """catalogue_counts for every category at once (None: products without one)."""
    statement, names = _statement("grouped")
    rows = session.execute(statement, {"now_epoch": epoch_of(now)}).all()
    return {row.category: _counts_of(row._asdict(), names) for row in rows}


def skus_in_category(
    session: Session, category: str, after: str = "", limit: int = 1000
) -> list[str]:
    """The SKUs of a category (by its key), in SKU order after `after`, a page at a time."""
    return list(
        session.scalars(
            select(Product.sku)
            .where(Product.category_key == category, Product.sku_key > after.upper())
            .order_by(Product.sku_key)
            .limit(limit)
        )
    )


def category_names(session: Session) -> dict[str, str]:
    """Each category's key and its name as the catalogue spells it."""
    rows = session.execute(
        select(Product.category_key, func.min(Product.category))
        .where(Product.category_key.is_not(None))
        .group_by(Product.category_key)
    )
    return {key: name for key, name in rows}


def category_keys(session: Session) -> list[str]:
    """The categories the catalogue's products are in (compared keys)."""
    return list(
        session.scalars(
            select(Product.category_key).where(Product.category_key.is_not(None)).distinct()
        )
    )
