"""The competitor watch's models: one account's competition at a sync, and the
*Competition* section of an analysis (bot.engine.competition_watch)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel


class CompetitionPoint(BaseModel):
    """One account's competition at one eMAG sync (the history the watch compares)."""

    taken_at: AwareDatetime
    rank: int | None = None
    number_of_offers: int | None = None
    # number_of_offers minus our own active offers at that sync; None when unknown.
    competitors: int | None = None
    stock: int | None = None
    price: Decimal | None = None
    best_price: Decimal | None = None


class RankPoint(BaseModel):
    at: datetime
    rank: int | None


class CompetitionView(BaseModel):
    """The *Competition* section of an analysis, for one account."""

    competitors_now: int | None
    competitors_week_ago: int | None
    rank_now: int | None
    # Rank changes over the kept history, oldest first (a point per change).
    rank_history: list[RankPoint]
    our_price: float | None
    best_price: float | None
    price_gap: float | None
    price_gap_pct: float | None
    buy_button_lost_at: datetime | None = None
