"""Demand, and the units it asks for (engine.md, "Demand" and "Amounts").

Sales per day, days of cover and lost sales per day of one account; what a destination
needs to hold `cover_days` of its sales; what a source keeps for its own; how much a
transfer moves and a restock buys. Unknown sales stay unknown (None) all the way through:
the seed's fixed rule applies then, never a guess of 0.
"""

from __future__ import annotations

import math
from decimal import Decimal

from bot.engine.competition import Position
from bot.engine.models import Rules

# The stored pace has 4 decimals, so a true fraction of a unit is at least 0.0001 of one:
# this keeps a float product like 0.1 x 30 = 3.0000000000000004 from asking for 4 units.
# The SQL classifier (storage/classifier.py) rounds up the same way.
CEIL_EPSILON = 1e-5


def units_for(per_day: float, days: float) -> int:
    """Whole units `days` of sales at `per_day` take (rounded up)."""
    return max(0, math.ceil(per_day * days - CEIL_EPSILON))


def sales_per_day(units: int | None, in_stock_days: float) -> Decimal | None:
    """Units sold per day on the days the offer had stock; None when the units are
    unknown or it had no day with stock."""
    if units is None or in_stock_days <= 0:
        return None
    return (Decimal(units) / Decimal(str(in_stock_days))).quantize(Decimal("0.0001"))


def days_of_cover(position: Position) -> float | None:
    """Days the stock lasts at the account's pace; None when sales are unknown or 0."""
    if not position.listed or not position.sales_per_day:
        return None
    return round(position.stock / position.sales_per_day, 1)


def is_losing_sales(position: Position) -> bool:
    """At 0 stock while others sell (or unable to sell at all): the buy button is gone."""
    if not position.listed:
        return False
    return not position.sellable or (position.has_competition and position.stock == 0)


def lost_sales_per_day(position: Position) -> float | None:
    """RON a day the account loses (its pace x its price); 0 when it is not losing;
    None when it is losing but its pace or price is unknown, or it is not listed."""
    if not position.listed:
        return None
    if not is_losing_sales(position):
        return 0.0
    return lost_sales_at(position.sales_per_day, position.price)


def lost_sales_at(per_day: float | None, price: float | None) -> float | None:
    """RON a day an account losing its sales loses; None when its pace or price is
    unknown."""
    if per_day is None or price is None:
        return None
    return round(per_day * price, 2)


def keep(position: Position, rules: Rules) -> int:
    """Units a recommended transfer leaves on a source: a competing (or possibly
    competing) offer keeps enough not to be "low" nor below the source floor; any offer
    keeps `cover_days` of its own sales when they are known. An offer that cannot sell
    keeps nothing: its units sell nothing where they are."""
    if not position.sellable:
        return 0
    competes = position.competitors is None or position.competitors >= 1
    kept = max(rules.source_floor, rules.low_stock) if competes else 0
    if position.sales_per_day is not None:
        kept = max(kept, units_for(position.sales_per_day, rules.cover_days))
    return kept


def spare(position: Position, rules: Rules) -> int:
    """Units a recommended transfer may take from this account: of its own stock (not
    what it has sent already), what it keeps left out."""
    if not position.listed:
        return 0
    return max(position.on_hand - keep(position, rules), 0)


def need(position: Position, rules: Rules) -> int | None:
    """Units the account lacks to hold `cover_days` of its sales (and at least
    `low_stock`), counting what is in transit to it; None when its sales are unknown."""
    if position.sales_per_day is None:
        return None
    target = max(units_for(position.sales_per_day, rules.cover_days), rules.low_stock)
    return target - position.stock - position.in_transit


def shortage_amount(destination: Position, source: Position, rules: Rules) -> int:
    """Units a zero- or low-stock transfer moves: the destination's need when its sales
    are known, else the seed's `transfer_cap`; less what is in transit; at most the
    source's spare."""
    wanted = need(destination, rules)
    if wanted is None:
        wanted = rules.transfer_cap - destination.in_transit
    return max(0, min(wanted, spare(source, rules)))


def restock_amount(
    positions: list[Position], lead_days: int, rules: Rules, both_short: bool
) -> int | None:
    """Units to buy for `lead_days` + `cover_days` of sales, less the stock and the units
    in transit: the account's own when `both_short` (one restock each), the product's
    (both accounts) otherwise; None when a sale pace is unknown. Units on their way from
    one account to the other are counted once, in transit."""
    shown = positions[:1] if both_short else [p for p in positions if p.listed]
    if any(p.sales_per_day is None for p in shown):
        return None
    pace = sum(p.sales_per_day or 0.0 for p in shown)
    held = sum(p.on_hand + p.in_transit for p in shown)
    return max(0, units_for(pace, lead_days + rules.cover_days) - held)
