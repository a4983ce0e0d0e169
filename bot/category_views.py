"""The catalogue by category: the summary numbers of each category, and the SKUs of one
(for `stockbot bulk --category`, a page at a time)."""

from __future__ import annotations

from bot.engine.models import ACCOUNTS
from bot.reports import CategorySummary
from bot.service import MAX_BULK, StockService
from storage import counts as tallies


def summary_by_category(service: StockService) -> list[CategorySummary]:
    """The summary numbers per category, from one grouped scan."""
    now = service.clock()
    service.current_status()
    with service.sessions() as session:
        grouped = tallies.counts_by_category(session, now, service.rules)
        names = tallies.category_names(session)
    found = []
    for key, counts in sorted(grouped.items(), key=lambda item: (item[0] is None, item[0])):
        listed = sum(counts[f"listed_{account}"] for account in ACCOUNTS)
        compliant = sum(counts[f"compliant_{account}"] for account in ACCOUNTS)
        found.append(
            CategorySummary(
                category=names.get(key) if key else None,
                products=counts["products"],
                products_needing_attention=counts["high"] + counts["medium"] + counts["low"],
                high=counts["high"],
                medium=counts["medium"],
                low=counts["low"],
                estimated_lost_sales_per_day=counts["lost_sales_per_day"],
                weekly_update_compliance_pct=(
                    round(100.0 * compliant / listed, 1) if listed else None
                ),
            )
        )
    return found


def category_skus(
    service: StockService, category: str, after: str = "", limit: int = MAX_BULK
) -> list[str]:
    """A page of the SKUs of a category, in SKU order after `after`."""
    key = service.category(category)
    assert key is not None
    with service.sessions() as session:
        return tallies.skus_in_category(session, key, after, limit)
