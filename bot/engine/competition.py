"""Where each account of a product stands: listed or not, stock, competitors, rank, and
the stock a recommended transfer may take from it (engine.md, "Competition")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.models import ACCOUNTS, Account, ProductSnapshot, Rules


@dataclass(frozen=True)
class Position:
    """What the scenarios need to know about one account of a product."""

    listed: bool
    stock: int
    competitors: int | None
    rank: int | None

    @property
    def has_competition(self) -> bool:
        return self.competitors is not None and self.competitors >= 1


def positions(product: ProductSnapshot) -> dict[Account, Position]:
    """Each account's position; our own active offers are not counted as competitors."""
    offers = {account: product.offer(account) for account in ACCOUNTS}
    own_active = sum(
        1
        for offer in offers.values()
        if offer is not None
        and (offer.stock or 0) > 0
        and (1 if offer.status is None else offer.status) == 1
    )
    found: dict[Account, Position] = {}
    for account, offer in offers.items():
        if offer is None:
            found[account] = Position(False, 0, None, None)
            continue
        competitors = (
            None if offer.number_of_offers is None else max(offer.number_of_offers - own_active, 0)
        )
        found[account] = Position(True, offer.stock or 0, competitors, offer.buy_button_rank)
    return found


def spare_stock(position: Position, rules: Rules) -> int:
    """Units a recommended transfer may take from this account."""
    if not position.listed:
        return 0
    if position.has_competition:
        return max(position.stock - rules.source_floor, 0)
    return position.stock


def label(account: Account) -> str:
    """How an account is named in every text: MAIN, FBE."""
    return account.upper()
