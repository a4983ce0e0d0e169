"""Scenarios 3 and 4 of engine.md: stock on the account that wins less, moved to the one
that ranks better, and idle stock on an account without competition put to work."""

from __future__ import annotations

import bot.engine.phrases as phrases
from bot.engine.competition import Position, label
from bot.engine.demand import need, spare
from bot.engine.models import Account, Recommendation, Rules, other_account


def balance_recommendations(
    account: Account, where: dict[Account, Position], rules: Rules
) -> list[Recommendation]:
    """Scenarios 3 and 4 for `account` as the destination: moving idle or misplaced stock."""
    here, source_account = where[account], other_account(account)
    source = where[source_account]
    wanted = need(here, rules)
    # Not into an offer that cannot sell, nor one already holding its cover.
    if not (here.sellable and here.has_competition and source.listed) or (
        wanted is not None and wanted <= 0
    ):
        return []
    cap = rules.transfer_cap if wanted is None else min(rules.transfer_cap, wanted)
    found = []
    name, source_name = label(account), label(source_account)
    # What each account holds of its own: units it has sent are no longer there to move.
    here_stock, source_stock = here.on_hand, source.on_hand
    if (
        here.rank is not None
        and source.rank is not None
        and here.rank < source.rank
        and here_stock < source_stock
    ):
        # The source keeps what it keeps for every recommended transfer, this one too.
        amount = min(source_stock // 2, cap, spare(source, rules))
        if amount > 0:
            found.append(
                Recommendation(
                    type="stock_rebalance",
                    priority="low",
                    from_account=source_account,
                    to_account=account,
                    suggested_amount=amount,
                    reason=phrases.RANKS_BETTER.format(
                        name=name,
                        rank=here.rank,
                        other_rank=source.rank,
                        stock=here.stock,
                        other_stock=source.stock,
                    ),
                    impact=phrases.WHERE_WON.format(name=name),
                )
            )
    amount = min(source_stock - rules.idle_floor, cap, spare(source, rules))
    if source.competitors == 0 and amount > 0:
        found.append(
            Recommendation(
                type="stock_optimization",
                priority="low",
                from_account=source_account,
                to_account=account,
                suggested_amount=amount,
                reason=phrases.IDLE_STOCK.format(source=source_name, stock=source.stock, name=name),
                impact=phrases.USE_IDLE.format(source=source_name, name=name),
            )
        )
    return found
