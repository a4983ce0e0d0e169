"""The recommendations of engine.md's scenarios, for both accounts of one product, and
`analyze`, which puts them together.

No SQL, no HTTP and no clock reads here: callers pass `now` and the `Rules`. The SQL
classifier in `storage/classifier.py` mirrors `priority` and `issues` for whole-catalogue
counts; `tests/storage/test_classifier_matches_engine.py` keeps the two in step.
"""

from __future__ import annotations

from datetime import datetime

import bot.engine.phrases as phrases
from bot.engine.balance import balance_recommendations
from bot.engine.competition import Position, label, positions
from bot.engine.competition_watch import competition_view, watch_recommendations
from bot.engine.freshness import data_as_of, days_since, is_stale
from bot.engine.models import (
    ACCOUNTS,
    PRIORITY_RANK,
    Account,
    Analysis,
    Priority,
    ProductSnapshot,
    Recommendation,
    Rules,
    category_key,
)
from bot.engine.shortages import (
    fix_recommendations,
    overdue_recommendations,
    shortage_recommendations,
)
from bot.engine.situation import situation

_TYPE_ORDER = {
    "stock_transfer": 0,
    "stock_rebalance": 0,
    "stock_optimization": 0,
    "restock": 1,
    "stock_alert": 1,
    "fix_offer": 1,
    "check_transfer": 1,
    "buy_button_lost": 1,
    "new_seller": 1,
    "offer_update": 2,
}


def _update_recommendations(
    product: ProductSnapshot, now: datetime, rules: Rules
) -> list[Recommendation]:
    """Scenario 5: offers not sent to eMAG for `weekly_update_days` or more."""
    found = []
    for account in ACCOUNTS:
        offer = product.offer(account)
        if offer is None:
            continue
        days = days_since(offer.last_sent_at, now)
        if days is not None and days < rules.weekly_update_days:
            continue
        reason = phrases.NEVER_SENT if days is None else phrases.LAST_SYNC.format(days=days)
        found.append(
            Recommendation(
                type="offer_update",
                priority="low",
                account=account,
                days_since_update=days,
                reason=reason,
                suggested_action=phrases.UPDATE_OFFER,
            )
        )
    return found


def _without_contradictions(
    recommendations: list[Recommendation], where: dict[Account, Position]
) -> list[Recommendation]:
    """At most one transfer in total: the strongest, never two directions or two kinds."""
    transfers = [rec for rec in recommendations if rec.is_transfer]
    if len(transfers) <= 1:
        return recommendations

    def strength(rec: Recommendation) -> tuple[int, int, int]:
        destination = where[rec.to_account] if rec.to_account else None
        helps_competition = int(destination is not None and destination.has_competition)
        # Earlier scenarios win ties; `index` keeps max() stable on them.
        return (PRIORITY_RANK[rec.priority], helps_competition, -transfers.index(rec))

    keep = max(transfers, key=strength)
    return [rec for rec in recommendations if not rec.is_transfer or rec is keep]


def _ordered(recommendations: list[Recommendation]) -> list[Recommendation]:
    return sorted(
        recommendations,
        key=lambda rec: (-PRIORITY_RANK[rec.priority], _TYPE_ORDER[rec.type]),
    )


def _issues(recommendations: list[Recommendation]) -> list[str]:
    found = []
    types = {rec.type: rec for rec in recommendations}
    if any(
        rec.priority == "high" and rec.type in ("stock_transfer", "restock")
        for rec in recommendations
    ):
        found.append("zero_stock_with_competition")
    if "stock_alert" in types:
        found.append("low_stock_with_competition")
    if "offer_update" in types:
        found.append("needs_weekly_update")
    if any(rec.type in ("stock_rebalance", "stock_optimization") for rec in recommendations):
        found.append("imbalanced")
    if "fix_offer" in types:
        found.append("unsellable_offer")
    if "check_transfer" in types:
        found.append("transfer_not_arrived")
    if "buy_button_lost" in types:
        found.append("buy_button_lost")
    if "new_seller" in types:
        found.append("new_seller")
    return found


def highest_priority(recommendations: list[Recommendation]) -> Priority:
    """The strongest priority among `recommendations` ("normal" for none)."""
    best: Priority = "normal"
    for rec in recommendations:
        if PRIORITY_RANK[rec.priority] > PRIORITY_RANK[best]:
            best = rec.priority
    return best


def analyze(product: ProductSnapshot, now: datetime, rules: Rules) -> Analysis:
    """Every scenario of engine.md for both accounts of one product, under the rules of
    its category."""
    applied = applied_rules(product, rules)
    rules = rules.for_category(product.category)
    where = positions(product)
    found: list[Recommendation] = []
    for account in ACCOUNTS:
        found += shortage_recommendations(account, where, rules)
    urgent_directions = {(rec.from_account, rec.to_account) for rec in found if rec.is_transfer}
    for account in ACCOUNTS:
        found += [
            rec
            for rec in balance_recommendations(account, where, rules)
            if (rec.from_account, rec.to_account) not in urgent_directions
        ]
    found += fix_recommendations(where)
    found += overdue_recommendations(where, rules)
    found += _update_recommendations(product, now, rules)
    found += watch_recommendations(product, where, now, rules)
    recommendations = _ordered(_without_contradictions(found, where))

    notes = [
        phrases.COMPETITION_UNKNOWN.format(name=label(account))
        for account in ACCOUNTS
        if where[account].listed and where[account].competitors is None
    ]
    notes += [
        phrases.NOT_LISTED_ON.format(name=label(account))
        for account in ACCOUNTS
        if not where[account].listed
    ]
    if applied:
        notes.append(
            phrases.CATEGORY_RULES.format(
                category=product.category,
                rules=", ".join(f"{name} {value}" for name, value in sorted(applied.items())),
            )
        )
    priority = highest_priority(recommendations)
    as_of = data_as_of(product)
    return Analysis(
        sku=product.sku,
        pnk=product.pnk,
        ean=product.ean,
        name=product.name,
        listed_on=[account for account in ACCOUNTS if where[account].listed],
        current_situation=situation(product, where),
        recommendations=recommendations,
        priority=priority,
        action_required=priority in ("high", "medium"),
        issues=_issues(recommendations),
        notes=notes,
        data_as_of=as_of,
        stale=is_stale(as_of, now, rules),
        snoozed_until=product.snoozed_until,
        snoozed_by=product.snoozed_by,
        category=product.category,
        rules_applied=applied,
        competition=competition_view(product, where, now),
    )


def applied_rules(product: ProductSnapshot, rules: Rules) -> dict[str, int]:
    """The thresholds of the product's category that differ from the global ones."""
    if not product.category:
        return {}
    override = rules.categories.get(category_key(product.category))
    return dict(override.overrides) if override else {}
