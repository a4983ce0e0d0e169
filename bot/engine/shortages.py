"""Scenarios 1, 2 and 6 of engine.md: an account at zero or low stock while others
compete (a transfer from the other account, else a restock), an offer eMAG will not sell
(fixed, never stocked), and a transfer marked done that never showed up."""

from __future__ import annotations

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
                f"{name} has 0 stock with competition - losing buy button"
                if here.stock == 0
                else f"{name} stock is low ({here.stock}) with competition"
            ),
            impact=(
                f"Regain buy button on {name} account"
                if here.stock == 0
                else f"Keep the buy button on {name} account"
            ),
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
                reason=(
                    f"{name} has 0 stock with competition and "
                    f"{_why_no_spare(source_account, where[source_account], rules)}"
                ),
                suggested_action=(
                    f"Restock {name} from the supplier: "
                    + (
                        f"{units} units for {lead} days of lead time and "
                        f"{rules.cover_days} days of sales"
                        if units is not None
                        else "no sales data, so no quantity"
                    )
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
            reason=f"{name} has only {here.stock} units with competition - buy button at risk",
            suggested_action=f"Raise {name} stock to at least {rules.low_stock}",
        )
    )
    return found


def _why_no_spare(account: Account, source: Position, rules: Rules) -> str:
    """Why `account` cannot give stock to the other (its reason in a restock)."""
    name = label(account)
    if not source.listed:
        return f"{name} is not listed"
    if source.stock == 0:
        return f"{name} has none either - both accounts are short"
    kept = keep(source, rules)
    if source.sales_per_day is not None and kept > max(rules.source_floor, rules.low_stock):
        return (
            f"{name} needs its {source.stock} for its own {rules.cover_days} days of sales "
            "- both accounts are short"
        )
    where = "below" if source.stock < kept else "at"
    return f"{name} has only {source.stock}, {where} the floor of {kept} - both accounts are short"


def fix_recommendations(where: dict[Account, Position]) -> list[Recommendation]:
    """Scenario 6: an offer eMAG will not sell gets fixed, not stocked."""
    sellable_stock = sum(pos.stock for pos in where.values() if pos.sellable)
    return [
        Recommendation(
            type="fix_offer",
            priority="high" if sellable_stock == 0 else "medium",
            account=account,
            current_stock=where[account].stock,
            reason=f"{label(account)}'s offer cannot sell on eMAG: {where[account].unsellable}",
            suggested_action=(
                f"Fix the {label(account)} offer in the eMAG Marketplace interface; no stock "
                "is sent to it until it can sell"
            ),
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
            reason=(
                f"{where[account].overdue_transit} units marked as sent to {label(account)} "
                f"not seen arriving after {rules.transit_days} days"
            ),
            suggested_action="Check the shipment with eMAG (or the warehouse) and the stock",
        )
        for account in ACCOUNTS
        if where[account].listed and where[account].overdue_transit > 0
    ]
