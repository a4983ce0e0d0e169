"""Scenarios 1, 2 and 6 of engine.md: an account at zero or low stock while others
compete (a transfer from the other account, else a restock), and an offer eMAG will not
sell (fixed, never stocked)."""

from __future__ import annotations

from bot.engine.competition import Position, label, spare_stock
from bot.engine.models import ACCOUNTS, Account, Recommendation, Rules, other_account


def shortage_recommendations(
    account: Account, where: dict[Account, Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 1 and 2 for `account`: zero or low stock while others compete."""
    here, source_account = where[account], other_account(account)
    # Stock sent to an offer eMAG will not sell sells nothing: fix_offer speaks for it.
    if not here.sellable or not here.has_competition or here.stock >= rules.low_stock:
        return []
    spare = spare_stock(where[source_account], rules)
    amount = min(rules.transfer_cap, spare)
    name = label(account)
    if here.stock == 0:
        if amount > 0:
            return [
                Recommendation(
                    type="stock_transfer",
                    priority="high",
                    from_account=source_account,
                    to_account=account,
                    suggested_amount=amount,
                    reason=f"{name} has 0 stock with competition - losing buy button",
                    impact=f"Regain buy button on {name} account",
                )
            ]
        return [
            Recommendation(
                type="restock",
                priority="high",
                account=account,
                current_stock=0,
                reason=(
                    f"{name} has 0 stock with competition and "
                    f"{_why_no_spare(source_account, where[source_account], rules)}"
                ),
                suggested_action=f"Restock {name} from the supplier",
            )
        ]
    found = [
        Recommendation(
            type="stock_alert",
            priority="medium",
            account=account,
            current_stock=here.stock,
            reason=f"{name} has only {here.stock} units with competition - buy button at risk",
            suggested_action=f"Raise {name} stock to at least {rules.low_stock}",
        )
    ]
    if amount > 0:
        found.append(
            Recommendation(
                type="stock_transfer",
                priority="medium",
                from_account=source_account,
                to_account=account,
                suggested_amount=amount,
                reason=f"{name} stock is low ({here.stock}) with competition",
                impact=f"Keep the buy button on {name} account",
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
    return (
        f"{name} has only {source.stock}, below the floor of {rules.source_floor} "
        "- both accounts are short"
    )


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
