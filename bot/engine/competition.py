"""Where each account of a product stands: listed or not, stock, competitors, rank,
whether eMAG will sell it, its pace and price, what is in transit to it (engine.md,
"Competition")."""

from __future__ import annotations

from dataclasses import dataclass

import bot.engine.phrases as phrases
from bot.engine.models import ACCOUNTS, Account, OfferSnapshot, ProductSnapshot

# emag-api.md, Reading offers: "sellable documentation values are 3, 9, 11, 12".
APPROVED_DOCUMENTATION = frozenset({3, 9, 11, 12})
_STATUS_TEXT = {0: phrases.INACTIVE, 2: phrases.END_OF_LIFE}


@dataclass(frozen=True)
class Position:
    """What the scenarios need to know about one account of a product."""

    listed: bool
    stock: int
    competitors: int | None
    rank: int | None
    # Why eMAG will not sell the offer; None when it will (or the account is not listed).
    unsellable: str | None = None
    sales_per_day: float | None = None
    price: float | None = None
    in_transit: int = 0
    overdue_transit: int = 0
    lead_time: int | None = None
    # Units of transfers marked done from this account that its stock still shows.
    outgoing: int = 0

    @property
    def on_hand(self) -> int:
        """The stock that is still this account's own: what it shows less what it has
        sent (a transfer takes from this, never the same units twice)."""
        return max(self.stock - self.outgoing, 0)

    @property
    def sellable(self) -> bool:
        return self.listed and self.unsellable is None

    @property
    def has_competition(self) -> bool:
        return self.competitors is not None and self.competitors >= 1


def unsellable_reason(offer: OfferSnapshot) -> str | None:
    """Why eMAG will not sell this offer as it stands, in eMAG's words where it gives
    them; None when nothing says it cannot (unknown is not proof)."""
    status = 1 if offer.status is None else offer.status
    if status != 1:
        return _STATUS_TEXT.get(status, phrases.OFFER_STATUS.format(status=status))
    if offer.offer_validation not in (None, 1):
        return offer.offer_validation_text or phrases.OFFER_VALIDATION.format(
            status=offer.offer_validation
        )
    if offer.doc_validation is not None and offer.doc_validation not in APPROVED_DOCUMENTATION:
        return offer.doc_validation_text or phrases.DOCUMENTATION.format(
            status=offer.doc_validation
        )
    return None


def positions(product: ProductSnapshot) -> dict[Account, Position]:
    """Each account's position; our own active offers are not counted as competitors."""
    offers = {account: product.offer(account) for account in ACCOUNTS}
    # eMAG counts the sellers whose offers are on sale: ours only when they can sell.
    own_active = sum(
        1
        for offer in offers.values()
        if offer is not None and (offer.stock or 0) > 0 and unsellable_reason(offer) is None
    )
    found: dict[Account, Position] = {}
    for account, offer in offers.items():
        if offer is None:
            found[account] = Position(False, 0, None, None)
            continue
        competitors = (
            None if offer.number_of_offers is None else max(offer.number_of_offers - own_active, 0)
        )
        found[account] = Position(
            listed=True,
            stock=offer.stock or 0,
            competitors=competitors,
            rank=offer.buy_button_rank,
            unsellable=unsellable_reason(offer),
            sales_per_day=None if offer.sales_velocity is None else float(offer.sales_velocity),
            price=None if offer.sale_price is None else float(offer.sale_price),
            in_transit=offer.in_transit,
            overdue_transit=offer.overdue_transit,
            lead_time=offer.supply_lead_time,
            outgoing=offer.outgoing_transit,
        )
    return found


def label(account: Account) -> str:
    """How an account is named in every text: MAIN, FBE."""
    return account.upper()
