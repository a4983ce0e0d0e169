"""Scenarios 3 and 4 of engine.md: stock on the account that wins less, moved to the one
that ranks better, and idle stock on an account without competition put to work."""

from __future__ import annotations

from bot.engine.competition import Position, label, spare_stock
from bot.engine.models import Account, Recommendation, Rules, other_account


def balance_recommendations(
    account: Account, where: dict[Account, Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 3 and 4 for `account` as the destination: moving idle or misplaced stock."""
    here, source_account = where[account], other_account(account)
    source = where[source_account]
    if not (here.sellable and source.listed):
        return []
    found = []
    name, source_name = label(account), label(source_account)
    if (
        here.rank is not None
        and source.rank is not None
        and here.rank < source.rank
        and here.stock < source.stock
    ):
        # The source floor applies to every recommended transfer, this one included.
        amount = min(source.stock // 2, rules.transfer_cap, spare_stock(source, rules))
        if amount > 0:
            found.append(
                Recommendation(
                    type="stock_rebalance",
                    priority="low",
                    from_account=source_account,
                    to_account=account,
                    suggested_amount=amount,
                    reason=(
                        f"{name} ranks better (#{here.rank} vs #{source.rank}) "
                        f"but has less stock ({here.stock} vs {source.stock})"
                    ),
                    impact=f"Put stock where the buy button is won ({name})",
                )
            )
    if source.competitors == 0 and here.has_competition and source.stock > rules.idle_floor:
        amount = min(source.stock - rules.idle_floor, rules.transfer_cap)
        found.append(
            Recommendation(
                type="stock_optimization",
                priority="low",
                from_account=source_account,
                to_account=account,
                suggested_amount=amount,
                reason=(
                    f"{source_name} has no competition and {source.stock} units; "
                    f"{name} has competition"
                ),
                impact=f"Use idle {source_name} stock to defend the buy button on {name}",
            )
        )
    return found
