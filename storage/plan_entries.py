"""The weekly plan's lines as rows of plan_entries (storage.models.plan): made from the
moves storage.plan_lines works out for a product, each with what bot.engine.plan says
it is worth and the keys of the plan's order, so no read has to make a line to sort or
total a list."""

from __future__ import annotations

from typing import Any

from bot.engine.models import ACCOUNTS, Account
from bot.engine.plan import holding, list_of, prevented

# storage.plan_lines' transfers (plan_transfer): the recommendation's type, source and
# destination.
TRANSFERS: dict[str, tuple[str, Account, Account]] = {
    "short_main": ("stock_transfer", "fbe", "main"),
    "short_fbe": ("stock_transfer", "main", "fbe"),
    "rebalance_main": ("stock_rebalance", "fbe", "main"),
    "idle_main": ("stock_optimization", "fbe", "main"),
    "rebalance_fbe": ("stock_rebalance", "main", "fbe"),
    "idle_fbe": ("stock_optimization", "main", "fbe"),
}
# A product's lines: its transfer, then MAIN's and FBE's restocks (the engine's order).
TRANSFER_SLOT = 0
RESTOCK_SLOTS: dict[Account, int] = {"main": 1, "fbe": 2}
# bot.engine.plan orders a line of unknown worth as if it were worth -1 RON a day.
_UNKNOWN_WORTH = -100
# What a line's worth reads of its destination, after the moves a row of
# storage.plan_lines carries: the product's SKU, then per account these.
HOLDING_COLUMNS = ("listed", "stock", "pace", "price", "losing")


# A plan_entries row's columns, in the order entries_of gives their values.
ENTRY_COLUMNS = ("product_id", "slot", "list_name", "units", "worth", "order_worth")
ENTRY_COLUMNS += ("order_units", "sku")


def _entry(row: Any, slot: int, kind: str, to: Account, units: int | None) -> tuple:
    listed, stock, pace, price, losing = (row[f"{name}_{to}"] for name in HOLDING_COLUMNS)
    # The worth reads only the destination's stock, pace, price and loss: what is in
    # transit does not enter it.
    here = holding(listed == 1, stock, 0, 0, pace, price, losing == 1)
    worth = prevented(kind, here)
    bani = None if worth is None else round(worth * 100)
    order_worth = _UNKNOWN_WORTH if bani is None else bani
    kept = list_of(kind, to)
    return (row["product_id"], slot, kept, units, bani, order_worth, units or 0, row["sku"])


def entries_of(row: Any) -> list[tuple]:
    """The plan_entries rows of one product's moves (a mapping of storage.plan_lines'
    columns by name), as values of ENTRY_COLUMNS."""
    found = []
    transfer = row["plan_transfer"]
    if transfer is not None:
        kind, _source, to = TRANSFERS[transfer]
        found.append(_entry(row, TRANSFER_SLOT, kind, to, row["plan_units"]))
    for account in ACCOUNTS:
        if row[f"restock_{account}"] == 1:
            units = row[f"restock_{account}_units"]
            found.append(_entry(row, RESTOCK_SLOTS[account], "restock", account, units))
    return found
