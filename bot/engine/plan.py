"""The weekly plan: the engine's recommendations over a catalogue, gathered into the three
lists a seller books at once (issue 16): the inbound shipment to FBE (MAIN -> FBE), the
withdrawal from FBE (FBE -> MAIN) and the purchase from the supplier (restocks).

Pure: it never decides anything of its own. Every line is one recommendation of
`analyze` with its amount as is (so units in transit, which the engine already takes
off, are respected); the plan only adds the days of cover the line buys and what it is
worth, and leaves out lines under the minimum worth shipping (counted, not hidden).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel

from bot.engine.demand import lost_sales_at
from bot.engine.models import (
    ACCOUNTS,
    Account,
    Analysis,
    CurrentSituation,
    Priority,
    ProductSnapshot,
)

ListName = Literal["inbound", "withdrawal", "purchase"]
LIST_NAMES: tuple[ListName, ListName, ListName] = ("inbound", "withdrawal", "purchase")
# The list a transfer belongs to, by its destination: stock reaches FBE in an inbound
# shipment and leaves it in a withdrawal (engine.md, Domain).
_TRANSFER_LIST: dict[Account, ListName] = {"fbe": "inbound", "main": "withdrawal"}


class PlanLine(BaseModel):
    """One recommendation as a line of a list: what to move (or buy) and what it buys."""

    sku: str
    pnk: str | None
    ean: str | None
    name: str | None
    # The recommendation's type and priority, as the analysis gives them.
    type: str
    priority: Priority
    from_account: Account | None
    to_account: Account
    # None only on a purchase whose sales are unknown (engine.md: "no sales data").
    units: int | None
    # Units already on their way to the destination (the amount leaves them out).
    in_transit: int
    # Days of sales the destination holds without this line (stock and units in transit)
    # and with it; None when its sales are unknown or 0.
    days_of_cover_before: float | None
    days_of_cover_after: float | None
    # RON a day the line keeps from being lost; None when the pace or price is unknown.
    lost_sales_per_day_prevented: float | None


class PlanList(BaseModel):
    """One list of the plan and its totals."""

    name: ListName
    # The top lines (all of them unless fewer were asked for), and how many there are.
    lines: list[PlanLine]
    line_count: int
    units: int
    skus: int
    lost_sales_per_day: float
    # Lines under STOCKBOT_PLAN_MIN_UNITS, left out; purchases without a quantity.
    below_minimum: int = 0
    without_quantity: int = 0


class Plan(BaseModel):
    """The three lists over the products examined."""

    generated_at: datetime
    min_units: int
    products_examined: int
    inbound: PlanList
    withdrawal: PlanList
    purchase: PlanList

    def lists(self) -> list[PlanList]:
        return [self.inbound, self.withdrawal, self.purchase]

    def get(self, name: ListName) -> PlanList:
        return {"inbound": self.inbound, "withdrawal": self.withdrawal, "purchase": self.purchase}[
            name
        ]


class Holding(NamedTuple):
    """What a line reads of one account, as the analysis's current situation has it."""

    stock: int
    in_transit: int
    # Units it has sent that its stock still shows (counted once: in transit).
    outgoing: int
    # Sales per day rounded as the situation shows them; None when unknown.
    pace: float | None
    # RON a day lost now (bot.engine.demand.lost_sales_per_day) and the sale price.
    lost: float | None
    price: float | None


def holding(
    listed: bool,
    stock: int,
    in_transit: int,
    outgoing: int,
    pace: float | None,
    price: float | None,
    losing: bool,
) -> Holding:
    """An account's holding from its raw numbers (the SQL plan's rows): as
    bot.engine.situation rounds the pace and bot.engine.demand prices the loss."""
    return Holding(
        stock=stock,
        in_transit=in_transit,
        outgoing=outgoing,
        pace=None if pace is None else round(pace, 2),
        lost=lost_sales_at(pace, price) if listed and losing else (0.0 if listed else None),
        price=price,
    )


def _holdings(product: ProductSnapshot, situation: CurrentSituation) -> dict[Account, Holding]:
    found = {}
    for account in ACCOUNTS:
        offer = product.offer(account)
        found[account] = Holding(
            stock=getattr(situation, f"stock_{account}"),
            in_transit=getattr(situation, f"in_transit_{account}"),
            outgoing=0 if offer is None else offer.outgoing_transit,
            pace=getattr(situation, f"sales_per_day_{account}"),
            lost=getattr(situation, f"lost_sales_per_day_{account}"),
            price=None if offer is None or offer.sale_price is None else float(offer.sale_price),
        )
    return found


def _cover(units: int, pace: float | None) -> float | None:
    return round(units / pace, 1) if pace else None


def prevented(kind: str, here: Holding) -> float | None:
    """RON a day the line keeps: what the destination loses now when it is at 0 (the
    engine's figure); at low stock, the sales that stop when it runs out; a rebalance
    moves stock towards the buy button but prevents no loss that is measured."""
    if kind in ("stock_rebalance", "stock_optimization"):
        return 0.0
    if here.stock == 0:
        return here.lost
    return None if here.pace is None or here.price is None else round(here.pace * here.price, 2)


def list_of(kind: str, to: Account) -> ListName:
    """The list a recommendation of type `kind` towards `to` is a line of."""
    return "purchase" if kind == "restock" else _TRANSFER_LIST[to]


class Move(NamedTuple):
    """One recommendation the plan lists: a transfer or a restock, and its amount."""

    type: str
    priority: Priority
    from_account: Account | None
    to_account: Account
    units: int | None


def purchase_accounts(to: Account, restocks: int, listed_on: Iterable[Account]) -> list[Account]:
    """The accounts a restock buys for: the product (both accounts) unless both are at
    0, when each account has its own (bot.engine.demand.restock_amount)."""
    return [a for a in ACCOUNTS if a in listed_on] if restocks == 1 else [to]


def make_line(
    names: tuple[str, str | None, str | None, str | None],
    move: Move,
    accounts: list[Account],
    holdings: dict[Account, Holding],
) -> tuple[ListName, PlanLine]:
    """The line of `move` (with its list), its cover counted over `accounts`; `names` are
    the product's SKU, PNK, EAN and name."""
    held = transit = 0
    pace: float | None = 0.0
    for account in accounts:
        here = holdings[account]
        # Units on their way from one account to the other count once: in transit.
        held += max(here.stock - here.outgoing, 0) + here.in_transit
        transit += here.in_transit
        pace = None if pace is None or here.pace is None else pace + here.pace
    units = move.units
    where = list_of(move.type, move.to_account)
    sku, pnk, ean, name = names
    return where, PlanLine(
        sku=sku,
        pnk=pnk,
        ean=ean,
        name=name,
        type=move.type,
        priority=move.priority,
        from_account=move.from_account,
        to_account=move.to_account,
        units=units,
        in_transit=transit,
        days_of_cover_before=_cover(held, pace),
        days_of_cover_after=None if units is None else _cover(held + units, pace),
        lost_sales_per_day_prevented=prevented(move.type, holdings[move.to_account]),
    )


def plan_lines(product: ProductSnapshot, analysis: Analysis) -> list[tuple[ListName, PlanLine]]:
    """The lines `analysis` puts in the plan (each with its list): its transfer, if any,
    and its restocks. The reference the SQL plan (storage.plan_lines) is tested against."""
    holdings = _holdings(product, analysis.current_situation)
    names = (analysis.sku, analysis.pnk, analysis.ean, analysis.name)
    restocks = sum(1 for rec in analysis.recommendations if rec.type == "restock")
    found: list[tuple[ListName, PlanLine]] = []
    for rec in analysis.recommendations:
        if rec.is_transfer and rec.to_account is not None:
            to: Account = rec.to_account
            accounts: list[Account] = [to]
        elif rec.type == "restock" and rec.account is not None:
            to = rec.account
            accounts = purchase_accounts(to, restocks, analysis.listed_on)
        else:
            continue
        move = Move(rec.type, rec.priority, rec.from_account, to, rec.suggested_amount)
        found.append(make_line(names, move, accounts, holdings))
    return found


def _order(line: PlanLine) -> tuple[float, int, str]:
    # storage.plan_entries keeps this order as SQL (PlanEntry's order columns): keep both.
    worth = line.lost_sales_per_day_prevented
    return (-(worth if worth is not None else -1.0), -(line.units or 0), line.sku)


class PlanBuilder:
    """Gathers lines product by product (a catalogue read in batches), then the plan."""

    def __init__(self, min_units: int) -> None:
        self.min_units = min_units
        self.examined = 0
        self._lines: dict[ListName, list[PlanLine]] = {name: [] for name in LIST_NAMES}
        self._below: dict[ListName, int] = dict.fromkeys(LIST_NAMES, 0)

    def add(self, product: ProductSnapshot, analysis: Analysis) -> None:
        self.examined += 1
        for where, line in plan_lines(product, analysis):
            self.take(where, line)

    def take(self, where: ListName, line: PlanLine) -> None:
        """One line of a product counted in `examined` by the caller."""
        if line.units is not None and line.units < self.min_units:
            self._below[where] += 1
        else:
            self._lines[where].append(line)

    def plan(self, now: datetime) -> Plan:
        lists = {}
        for name in LIST_NAMES:
            lines = sorted(self._lines[name], key=_order)
            lists[name] = PlanList(
                name=name,
                lines=lines,
                line_count=len(lines),
                units=sum(line.units or 0 for line in lines),
                skus=len({line.sku for line in lines}),
                lost_sales_per_day=round(
                    sum(line.lost_sales_per_day_prevented or 0.0 for line in lines), 2
                ),
                below_minimum=self._below[name],
                without_quantity=sum(1 for line in lines if line.units is None),
            )
        return Plan(
            generated_at=now,
            min_units=self.min_units,
            products_examined=self.examined,
            **lists,
        )


def build_plan(
    items: Iterable[tuple[ProductSnapshot, Analysis]], now: datetime, min_units: int = 1
) -> Plan:
    """The plan of `items` (each product with its analysis)."""
    builder = PlanBuilder(min_units)
    for product, analysis in items:
        builder.add(product, analysis)
    return builder.plan(now)
