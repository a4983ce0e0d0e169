"""Scenarios 1, 2 and 6 of engine.md: an account at zero or low stock while others
compete (a transfer from the other account, else a restock), an offer eMAG will not sell
(fixed, never stocked), and a transfer marked done that never showed up."""

from __future__ import annotations

import bot.engine.phrases as phrases
from bot.engine.competition import Position, label
from bot.engine.demand import keep, need, restock_amount, shortage_amount
from bot.engine.models import ACCOUNTS, Account, Recommendation, Rules, other_account


def is_short(position: Position, rules: Rules) -> bool:
    """Zero or low stock on an offer that sells, while others compete."""
    return position.sellable and position.has_competition and position.stock < rules.low_stock


def covered_by_transit(position: Position, rules: Rules) -> bool:
    """What is in transit already makes up for the shortage: nothing more to send."""
    if position.in_transit <= 0:
        return False
    wanted = need(position, rules)
    if wanted is None:
        return position.in_transit >= rules.transfer_cap
    return wanted <= 0


def shortage_recommendations(
    account: Account, where: dict[Account, Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 1 and 2 for `account`: zero or low stock while others compete."""
    here, source_account = where[account], other_account(account)
    # Stock sent to an offer eMAG will not sell sells nothing: fix_offer speaks for it.
    if not is_short(here, rules) or covered_by_transit(here, rules):
        return []
    amount = shortage_amount(here, where[source_account], rules)
    name = label(account)
    transfer = (
        Recommendation(
            type="stock_transfer",
            priority="high" if here.stock == 0 else "medium",
            from_account=source_account,
            to_account=account,
            suggested_amount=amount,
            reason=(
                phrases.ZERO_STOCK.format(name=name)
                if here.stock == 0
                else phrases.LOW_STOCK.format(name=name, stock=here.stock)
            ),
            impact=(
                phrases.REGAIN_BUY_BUTTON if here.stock == 0 else phrases.KEEP_BUY_BUTTON
            ).format(name=name),
        )
        if amount > 0
        else None
    )
    if here.stock == 0:
        if transfer is not None:
            return [transfer]
        both_short = is_short(where[source_account], rules) and where[source_account].stock == 0
        lead = here.lead_time or rules.supply_lead_days
        positions = [here, where[source_account]]
        units = restock_amount(positions, lead, rules, both_short)
        return [
            Recommendation(
                type="restock",
                priority="high",
                account=account,
                current_stock=0,
                suggested_amount=units,
                reason=phrases.ZERO_NO_SPARE.format(
                    name=name, why=_why_no_spare(source_account, where[source_account], rules)
                ),
                suggested_action=(
                    phrases.RESTOCK_UNITS.format(
                        name=name, units=units, lead=lead, cover=rules.cover_days
                    )
                    if units is not None
                    else phrases.RESTOCK_NO_DATA.format(name=name)
                ),
            )
        ]
    found = [transfer] if transfer is not None else []
    found.append(
        Recommendation(
            type="stock_alert",
            priority="medium",
            account=account,
            current_stock=here.stock,
            reason=phrases.AT_RISK.format(name=name, stock=here.stock),
            suggested_action=phrases.RAISE_STOCK.format(name=name, low=rules.low_stock),
        )
    )
    return found


def _why_no_spare(account: Account, source: Position, rules: Rules) -> str:
    """Why `account` cannot give stock to the other (its reason in a restock)."""
    name = label(account)
    if not source.listed:
        return phrases.NOT_LISTED.format(name=name)
    # What it holds of its own: units it has sent already are not there to give.
    stock = source.on_hand
    if stock == 0:
        return phrases.NONE_EITHER.format(name=name)
    kept = keep(source, rules)
    if source.sales_per_day is not None and kept > max(rules.source_floor, rules.low_stock):
        return phrases.NEEDS_ITS_OWN.format(name=name, stock=stock, cover=rules.cover_days)
    template = phrases.BELOW_FLOOR if stock < kept else phrases.AT_FLOOR
    return template.format(name=name, stock=stock, kept=kept)


def fix_recommendations(where: dict[Account, Position]) -> list[Recommendation]:
    """Scenario 6: an offer eMAG will not sell gets fixed, not stocked."""
    sellable_stock = sum(pos.stock for pos in where.values() if pos.sellable)
    return [
        Recommendation(
            type="fix_offer",
            priority="high" if sellable_stock == 0 else "medium",
            account=account,
            current_stock=where[account].stock,
            reason=phrases.CANNOT_SELL.format(name=label(account), why=where[account].unsellable),
            suggested_action=phrases.FIX_OFFER.format(name=label(account)),
        )
        for account in ACCOUNTS
        if where[account].listed and not where[account].sellable
    ]


def overdue_recommendations(where: dict[Account, Position], rules: Rules) -> list[Recommendation]:
    """Units marked as sent that the snapshot has not shown arriving in `transit_days`."""
    return [
        Recommendation(
            type="check_transfer",
            priority="medium",
            account=account,
            suggested_amount=where[account].overdue_transit,
            reason=phrases.OVERDUE.format(
                units=where[account].overdue_transit, name=label(account), days=rules.transit_days
            ),
            suggested_action=phrases.CHECK_SHIPMENT,
        )
        for account in ACCOUNTS
        if where[account].listed and where[account].overdue_transit > 0
    ]
