"""`current_situation` of an analysis: per account the stock, competition, rank, sales per
day, days of cover, lost sales per day, units in transit and sellability (engine.md)."""

from __future__ import annotations

from typing import Any

from bot.engine.competition import Position
from bot.engine.demand import days_of_cover, lost_sales_per_day
from bot.engine.models import ACCOUNTS, Account, CurrentSituation, ProductSnapshot


def situation(product: ProductSnapshot, where: dict[Account, Position]) -> CurrentSituation:
    """The numbers a seller decides by, both accounts side by side."""
    values: dict[str, Any] = {}
    for account in ACCOUNTS:
        here, offer = where[account], product.offer(account)
        pace = here.sales_per_day
        values |= {
            f"stock_{account}": here.stock,
            f"offers_{account}": offer.number_of_offers if offer else None,
            f"rank_{account}": here.rank,
            # Unknown competition stays unknown, never "no competition".
            f"has_competition_{account}": (
                None if here.listed and here.competitors is None else here.has_competition
            ),
            f"competitors_{account}": here.competitors,
            f"sales_per_day_{account}": None if pace is None else round(pace, 2),
            f"days_of_cover_{account}": days_of_cover(here),
            f"lost_sales_per_day_{account}": lost_sales_per_day(here),
            f"in_transit_{account}": here.in_transit,
            f"in_transit_since_{account}": offer.in_transit_since if offer else None,
            f"sellable_{account}": here.sellable if here.listed else None,
        }
    values["total_stock"] = values["stock_main"] + values["stock_fbe"]
    return CurrentSituation(**values)
