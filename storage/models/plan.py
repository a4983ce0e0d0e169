"""The weekly plan's lines as stored with their product's classification
(storage.plan_entries): per line its list, units and worth, and the keys of
bot.engine.plan's order, so that a list's totals are one aggregate and its first lines
one walk of an index, with no line made for the rest."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

# Python orders strings by code point; PostgreSQL orders by the database's locale unless
# told otherwise, and "C" is code point order for UTF-8. SQLite compares bytes already.
CODE_POINT_TEXT = String(128).with_variant(String(128, collation="C"), "postgresql")


class PlanEntry(Base):
    """One line of the plan: a product's transfer (slot 0) or the restock of MAIN (1) or
    FBE (2). Written and removed with the product's product_status row."""

    __tablename__ = "plan_entries"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    # bot.engine.plan.ListName: inbound, withdrawal or purchase.
    list_name: Mapped[str] = mapped_column(String(16))
    # The line's units (None: a purchase whose sales are unknown).
    units: Mapped[int | None] = mapped_column(Integer)
    # Its lost_sales_per_day_prevented in bani (always whole: the engine rounds to 2
    # decimals), so sums are exact; None when unknown.
    worth: Mapped[int | None] = mapped_column(Integer)
    # bot.engine.plan's order (_order): the most worth first (unknown as -1 RON), then
    # the most units (unknown as 0), then the SKU, then the slot (the engine's order of
    # a product's lines).
    order_worth: Mapped[int] = mapped_column(Integer)
    order_units: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(CODE_POINT_TEXT)


# A list's lines in the plan's order; the columns its totals add up last, so that they
# are read from the index alone (a quarter of the time of reading the rows at 100k).
Index(
    "ix_plan_entries_order",
    PlanEntry.list_name,
    PlanEntry.order_worth.desc(),
    PlanEntry.order_units.desc(),
    PlanEntry.sku,
    PlanEntry.slot,
    PlanEntry.product_id,
    PlanEntry.units,
    PlanEntry.worth,
)
