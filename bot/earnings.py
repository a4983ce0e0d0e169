"""What following the recommendations earned (the source's "ROI tracking"): per
category and in all, the RON a day recovered by transfers marked done once they arrived,
and how often the buy button came back after a shortage when someone acted on it versus
when the alert was left alone."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from storage import kpi_history


class Earnings(BaseModel):
    """One category's (or the whole catalogue's) return on acting."""

    transfers_arrived: int = 0
    # RON a day the destinations lost before the transfer, less what they lose after.
    recovered_per_day: Decimal = Decimal(0)
    shortages_followed: int = 0
    recovered_followed_pct: float | None = None
    shortages_left_alone: int = 0
    recovered_left_alone_pct: float | None = None


class EarningsReport(BaseModel):
    total: Earnings
    by_category: dict[str, Earnings]


NO_CATEGORY = "(no category)"


def _rate(outcomes: list[bool]) -> float | None:
    return round(100.0 * sum(outcomes) / len(outcomes), 1) if outcomes else None


def earnings(session: Session, since: datetime, until: datetime) -> EarningsReport:
    """The period's earnings, per category and in all."""
    recovered: dict[str, list[Decimal]] = defaultdict(list)
    for category, before, after in kpi_history.arrived_transfers(session, since, until):
        if before is not None and after is not None:
            recovered[category or NO_CATEGORY].append(Decimal(before) - Decimal(after))
    followed: dict[str, list[bool]] = defaultdict(list)
    alone: dict[str, list[bool]] = defaultdict(list)
    for category, came_back, acted in kpi_history.shortage_outcomes(session, since, until):
        (followed if acted else alone)[category or NO_CATEGORY].append(bool(came_back))

    def summed(names: set[str] | None) -> Earnings:
        def pick(table: dict[str, list]) -> list:
            return [
                v
                for name, values in table.items()
                if names is None or name in names
                for v in values
            ]

        gains, acted, idle = pick(recovered), pick(followed), pick(alone)
        return Earnings(
            transfers_arrived=len(gains),
            recovered_per_day=sum(gains, Decimal(0)).quantize(Decimal("0.01")),
            shortages_followed=len(acted),
            recovered_followed_pct=_rate(acted),
            shortages_left_alone=len(idle),
            recovered_left_alone_pct=_rate(idle),
        )

    categories = set(recovered) | set(followed) | set(alone)
    return EarningsReport(
        total=summed(None), by_category={name: summed({name}) for name in sorted(categories)}
    )
