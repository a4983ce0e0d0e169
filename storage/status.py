"""Keeps `product_status` (the stored classification, and the weekly plan's moves) in
step with offers and rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.orm import Session

from bot.engine.models import Rules
from storage.classifier import rules_key, status_rows
from storage.db import chunks
from storage.models import CatalogueState, Product, ProductStatus
from storage.plan_lines import store_moves


def rule_groups(rules: Rules) -> list[tuple[Rules, ColumnElement[bool]]]:
    """The rule sets in force and the products each one classifies: one per category
    with rules of its own, then the global rules for every other product."""
    categories = sorted(rules.categories)
    groups = [(rules.for_category(key), Product.category_key == key) for key in categories]
    others = or_(Product.category_key.is_(None), Product.category_key.not_in(categories))
    groups.append((rules.for_category(None), others if categories else true()))
    return groups


def refresh_status(
    session: Session, rules: Rules, product_ids: Sequence[int] | Select | None = None
) -> None:
    """Reclassify the given products (all when None; or those a SELECT of ids names,
    one statement each for any number) from their current offers, each under its
    category's rules; the catalogue's version goes up with it (readers' cached counts
    are then stale)."""
    session.execute(update(CatalogueState).values(version=CatalogueState.version + 1))
    key = rules_key(rules)
    rule_sets = rule_groups(rules)

    def write(chosen: ColumnElement[bool]) -> None:
        for group, members in rule_sets:
            rows = status_rows(group, and_(members, chosen), key)
            names = [column.name for column in rows.selected_columns]
            session.execute(insert(ProductStatus).from_select(names, rows))

    if product_ids is None:
        session.execute(delete(ProductStatus))
        write(true())
        store_moves(session, rules, rule_sets, None)
        refresh_statistics(session)
        return
    if isinstance(product_ids, Select):
        session.execute(delete(ProductStatus).where(ProductStatus.product_id.in_(product_ids)))
        write(Product.id.in_(product_ids))
        store_moves(session, rules, rule_sets, product_ids)
        return
    for chunk in chunks(product_ids):
        session.execute(delete(ProductStatus).where(ProductStatus.product_id.in_(chunk)))
        write(Product.id.in_(chunk))
        # The plan's moves of the products with a stock issue, from the rows just made.
        store_moves(session, rules, rule_sets, list(chunk))


def refresh_statistics(session: Session) -> None:
    """PostgreSQL: new planner statistics for product_status after a bulk rewrite (a
    full reclassification, an import, a seed). Until autovacuum came round, the page's
    walk of the alert-order index was planned as a bitmap scan and sort of every row of
    each rank (240 ms at 100k products instead of 1 ms) and the rules check as a
    sequential scan; the plan's first lines (plan_entries), never analysed, took 280 ms
    instead of a walk of their order index. SQLite plans without them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE product_status, plan_entries"))


def made_under_other_rules(key: str | BindParameter[str]) -> ColumnElement[bool]:
    """Rows whose rules_key is not `key`: as two ranges, which the rules_key index finds
    at once, where `!=` walked all of it (~30 ms at 100k on PostgreSQL)."""
    return or_(ProductStatus.rules_key < key, ProductStatus.rules_key > key)


def ensure_status(session: Session, rules: Rules) -> bool:
    """Reclassify everything if a product has no stored row (a database upgraded from
    before the table existed) or a row was made with other thresholds.

    Returns True when it had to; the caller commits.
    """
    products, classified, other_rules = session.execute(
        select(
            select(func.count()).select_from(Product).scalar_subquery(),
            select(func.count()).select_from(ProductStatus).scalar_subquery(),
            select(ProductStatus.product_id)
            .where(made_under_other_rules(rules_key(rules)))
            .limit(1)
            .exists(),
        )
    ).one()
    if products == classified and not other_rules:
        return False
    refresh_status(session, rules)
    return True


def catalogue_version(session: Session) -> int:
    """The catalogue's version: it changes whenever a product is reclassified."""
    return session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0
