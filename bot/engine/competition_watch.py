"""The competitor watch: the buy button lost while in stock, new sellers on the PNK, and
the *Competition* section of an analysis (issue 16).

Each eMAG sync keeps one `CompetitionPoint` per offer (storage/competition.py) and moves
the offer's watch state on with `next_state`, from the previous point to the current
one. The alerts then read only the offer's state and its current numbers, so the SQL
classifier (storage/classifier.py) can restate them:

- **buy button lost**: the offer held rank 1 at a sync and a later one shows it lower or
  not competing (`buy_button_lost_at`), it sells and has stock → medium; high when the
  other account cannot sell either (not listed, cannot sell, no stock). It resolves when
  a sync shows rank 1 again (won back).
- **new seller**: the competitors (number_of_offers minus our own active offers) rose at
  a sync (`sellers_before`, `sellers_rose_at`) and are still above the count before →
  low, for `new_seller_hours` after that sync (a 4-hourly sync must not hide it from the
  daily digest). One per product: both offers sit on the same PNK.

A price gap never pretends: with no best price (or no price of ours) it says so.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

import bot.engine.phrases as phrases
from bot.engine.competition import Position, label
from bot.engine.models import (
    ACCOUNTS,
    Account,
    CompetitionPoint,
    CompetitionView,
    OfferSnapshot,
    ProductSnapshot,
    Recommendation,
    Rules,
    other_account,
)
from bot.engine.watch_models import RankPoint

WEEK = timedelta(days=7)
# Rank changes an analysis shows, the newest ones.
RANK_CHANGES_SHOWN = 8


class WatchState(NamedTuple):
    """What the sync keeps on an offer between two syncs."""

    buy_button_lost_at: datetime | None
    sellers_before: int | None
    sellers_rose_at: datetime | None


def next_state(
    state: WatchState, previous: CompetitionPoint | None, current: CompetitionPoint
) -> WatchState:
    """The offer's watch state after the sync that took `current` (`previous`: the
    point of the sync before, None for the first)."""
    lost_at = state.buy_button_lost_at
    if current.rank == 1:
        lost_at = None  # held, or won back
    elif previous is not None and previous.rank == 1:
        lost_at = current.taken_at
    before, rose_at = state.sellers_before, state.sellers_rose_at
    if (
        previous is not None
        and previous.competitors is not None
        and current.competitors is not None
        and current.competitors > previous.competitors
    ):
        before, rose_at = previous.competitors, current.taken_at
    return WatchState(lost_at, before, rose_at)


def price_gap(price: Decimal | float | None, best: Decimal | float | None) -> tuple[float, float]:
    """How far our price is above the best offer: lei and % of our price. Raises
    ValueError when either is unknown (there is no gap to tell then)."""
    if price is None or best is None or Decimal(str(price)) <= 0:
        raise ValueError("price unknown")
    ours, theirs = Decimal(str(price)), Decimal(str(best))
    gap = ours - theirs
    return float(round(gap, 2)), float(round(gap * 100 / ours, 1))


def gap_sentence(price: Decimal | float | None, best: Decimal | float | None) -> str:
    """e.g. "our price 100.00 lei, best offer 95.00 lei: 5.00 lei (5.0%) above"."""
    if best is None:
        return phrases.BEST_UNKNOWN
    if price is None:
        return phrases.OUR_PRICE_UNKNOWN
    gap, pct = price_gap(price, best)
    shown = f"{Decimal(str(price)):.2f}"
    if gap == 0:
        return phrases.GAP_NONE.format(price=shown)
    return phrases.PRICE_GAP.format(
        price=shown,
        best=f"{Decimal(str(best)):.2f}",
        gap=f"{abs(gap):.2f}",
        pct=f"{abs(pct):.1f}",
        side=phrases.GAP_ABOVE if gap > 0 else phrases.GAP_BELOW,
    )


def _gap_fields(offer: OfferSnapshot) -> dict[str, float | None]:
    try:
        gap, pct = price_gap(offer.sale_price, offer.best_offer_sale_price)
    except ValueError:
        gap = pct = None
    return {
        "our_price": None if offer.sale_price is None else float(offer.sale_price),
        "best_price": (
            None if offer.best_offer_sale_price is None else float(offer.best_offer_sale_price)
        ),
        "price_gap": gap,
        "price_gap_pct": pct,
    }


def cannot_sell(position: Position) -> bool:
    """The account sells nothing now: not listed, its offer cannot sell, or no stock."""
    return not position.sellable or position.stock <= 0


def is_lost(offer: OfferSnapshot | None, here: Position) -> bool:
    """The buy button was lost and not won back while the offer sells with stock."""
    return (
        offer is not None
        and offer.buy_button_lost_at is not None
        and here.sellable
        and here.stock > 0
        and here.rank != 1
    )


def new_sellers(offer: OfferSnapshot | None, here: Position, now: datetime, rules: Rules) -> int:
    """How many sellers came since the last rise, while it is recent; 0 otherwise."""
    if offer is None or offer.sellers_rose_at is None or offer.sellers_before is None:
        return 0
    if here.competitors is None or here.competitors <= offer.sellers_before:
        return 0
    # Whole epoch seconds, as the classifier compares them.
    until = math.floor(offer.sellers_rose_at.timestamp()) + rules.new_seller_hours * 3600
    if until <= math.floor(now.timestamp()):
        return 0
    return here.competitors - offer.sellers_before


def _rank_text(rank: int | None) -> str:
    return phrases.RANK_NONE if rank is None else phrases.RANK_PLACE.format(rank=rank)


def watch_recommendations(
    product: ProductSnapshot, where: dict[Account, Position], now: datetime, rules: Rules
) -> list[Recommendation]:
    """The buy buttons lost (per account) and the new sellers (once per product)."""
    found = []
    for account in ACCOUNTS:
        offer, here = product.offer(account), where[account]
        if offer is None or not is_lost(offer, here):
            continue
        other = other_account(account)
        alone = cannot_sell(where[other])
        template = phrases.BUTTON_LOST_ALONE if alone else phrases.BUTTON_LOST
        found.append(
            Recommendation(
                type="buy_button_lost",
                priority="high" if alone else "medium",
                account=account,
                reason=template.format(
                    name=label(account),
                    rank=_rank_text(here.rank),
                    stock=here.stock,
                    other=label(other),
                ),
                impact=gap_sentence(offer.sale_price, offer.best_offer_sale_price),
                suggested_action=phrases.CHECK_PRICE,
                rank=here.rank,
                competitors=here.competitors,
                **_gap_fields(offer),
            )
        )
    rises = {
        account: new_sellers(product.offer(account), where[account], now, rules)
        for account in ACCOUNTS
    }
    account = max(ACCOUNTS, key=lambda name: rises[name])  # MAIN on a tie
    if rises[account] > 0:
        offer, here = product.offer(account), where[account]
        assert offer is not None
        count = rises[account]
        template = phrases.NEW_SELLER if count == 1 else phrases.NEW_SELLERS
        found.append(
            Recommendation(
                type="new_seller",
                priority="low",
                account=account,
                reason=template.format(count=count, competitors=here.competitors),
                impact=gap_sentence(offer.sale_price, offer.best_offer_sale_price),
                suggested_action=phrases.WATCH_SELLERS,
                rank=here.rank,
                competitors=here.competitors,
                new_sellers=count,
                **_gap_fields(offer),
            )
        )
    return found


def _week_ago(points: list[CompetitionPoint], now: datetime) -> int | None:
    """The competitors at the last sync a week or more ago; None without one."""
    older = [point for point in points if point.taken_at <= now - WEEK]
    return older[-1].competitors if older else None


def _rank_changes(points: list[CompetitionPoint]) -> list[RankPoint]:
    changes: list[RankPoint] = []
    for point in points:
        if not changes or changes[-1].rank != point.rank:
            changes.append(RankPoint(at=point.taken_at, rank=point.rank))
    return changes[-RANK_CHANGES_SHOWN:]


def competition_view(
    product: ProductSnapshot, where: dict[Account, Position], now: datetime
) -> dict[Account, CompetitionView]:
    """Per listed account: sellers now and a week ago, rank history, the price gap."""
    views: dict[Account, CompetitionView] = {}
    for account in ACCOUNTS:
        offer, here = product.offer(account), where[account]
        if offer is None:
            continue
        points = sorted(product.competition_history.get(account, []), key=lambda p: p.taken_at)
        views[account] = CompetitionView(
            competitors_now=here.competitors,
            competitors_week_ago=_week_ago(points, now),
            rank_now=here.rank,
            rank_history=_rank_changes(points),
            buy_button_lost_at=offer.buy_button_lost_at if is_lost(offer, here) else None,
            **_gap_fields(offer),
        )
    return views
