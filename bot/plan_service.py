"""The weekly plan over the catalogue, and marking one of its lists shipped.

Reads the products that may carry a transfer or a restock in batches of ids (never the
whole catalogue at once), with the transfer and restocks the engine recommends and their
units, which storage.plan_lines works out in SQL and stores with the classification;
bot.engine.plan makes the lines (no snapshot is loaded, no analysis run: a property
test, tests/storage/test_plan_matches_engine.py, holds this plan equal to the engine's).
Every surface (CLI, Slack, REST, dashboard, the worker) asks here.

A plan depends only on the offers (and the units in transit), the rules and the minimum:
every write to those reclassifies its products and raises the catalogue's version, so a
service answers again from the plan it made while the version is unchanged (a 100k
catalogue's plan still reads tens of thousands of rows; a dashboard reload should not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from weakref import WeakKeyDictionary

from bot.engine.models import ACCOUNTS, Account, Priority, TransferProposal
from bot.engine.plan import (
    Holding,
    ListName,
    Move,
    Plan,
    PlanBuilder,
    PlanLine,
    holding,
    make_line,
    purchase_accounts,
)
from bot.errors import InvalidInput
from bot.i18n import _
from bot.service import StockService
from storage import plan_reads
from storage.classifier import rules_key
from storage.db import transaction
from storage.plan_reads import COLUMNS
from storage.transits import record_transfers

BATCH = 2000
SHIPPABLE: tuple[ListName, ...] = ("inbound", "withdrawal")
Advance = Callable[[int], None]
# Per service: (catalogue version, rules, minimum) and the plan made for them.
_made: WeakKeyDictionary[StockService, tuple[tuple[int, str, int], Plan]] = WeakKeyDictionary()


def plan_size(service: StockService) -> int:
    """How many products a plan examines (for a progress bar)."""
    service.current_status()
    with service.sessions() as session:
        return plan_reads.candidate_count(session)


# storage.plan_lines' transfers (plan_transfer): the recommendation's type, source and destination.
_TRANSFERS: dict[str, tuple[str, Account, Account]] = {
    "short_main": ("stock_transfer", "fbe", "main"),
    "short_fbe": ("stock_transfer", "main", "fbe"),
    "rebalance_main": ("stock_rebalance", "fbe", "main"),
    "idle_main": ("stock_optimization", "fbe", "main"),
    "rebalance_fbe": ("stock_rebalance", "main", "fbe"),
    "idle_fbe": ("stock_optimization", "main", "fbe"),
}


# Each account's columns, by their place in a row.
_AT = {
    account: tuple(
        COLUMNS[f"{name}_{account}"]
        for name in ("listed", "stock", "transit", "outgoing", "pace", "price", "losing")
    )
    for account in ACCOUNTS
}
_RESTOCK_AT = {
    account: (COLUMNS[f"restock_{account}"], COLUMNS[f"restock_{account}_units"])
    for account in ACCOUNTS
}
_NAMES_AT = tuple(COLUMNS[name] for name in ("sku", "pnk", "ean", "name"))
_TRANSFER_AT, _UNITS_AT = COLUMNS["plan_transfer"], COLUMNS["plan_units"]


def _holding(values: Any, account: Account) -> Holding:
    listed, stock, transit, outgoing, pace, price, losing = _AT[account]
    pace, price = values[pace], values[price]
    return holding(
        values[listed] == 1,
        values[stock],
        values[transit],
        values[outgoing],
        None if pace is None else float(pace),
        None if price is None else float(price),
        values[losing] == 1,
    )


def lines_of(values: Any) -> list[tuple[ListName, PlanLine]]:
    """The lines of one row of storage.plan_reads.LINES, as bot.engine.plan makes them
    (plain indexing, each account read only when a line needs it: a 100k catalogue's
    plan has some 30,000 lines)."""
    sku, pnk, ean, name = _NAMES_AT
    names = (values[sku], values[pnk], values[ean], values[name])
    found = []
    transfer = values[_TRANSFER_AT]
    if transfer is not None:
        kind, source, to = _TRANSFERS[transfer]
        holdings = {to: _holding(values, to)}
        priority: Priority = "low"
        if kind == "stock_transfer":
            priority = "high" if holdings[to].stock == 0 else "medium"
        move = Move(kind, priority, source, to, values[_UNITS_AT])
        found.append(make_line(names, move, [to], holdings))
    restocks = [account for account, (at, _units) in _RESTOCK_AT.items() if values[at] == 1]
    if restocks:
        holdings = {account: _holding(values, account) for account in ACCOUNTS}
        listed_on = [account for account in ACCOUNTS if values[_AT[account][0]] == 1]
        for account in restocks:
            move = Move("restock", "high", None, account, values[_RESTOCK_AT[account][1]])
            accounts = purchase_accounts(account, len(restocks), listed_on)
            found.append(make_line(names, move, accounts, holdings))
    return found


def _planned(
    service: StockService, advance: Advance | None
) -> Iterator[tuple[int, list[tuple[int, tuple[ListName, PlanLine]]]]]:
    """Per batch of the products that may be in the plan: how many, and the lines of
    each with its product id."""
    service.current_status()
    after = 0
    while True:
        with service.sessions() as session:
            ids = plan_reads.candidate_ids(session, after, BATCH)
            if not ids:
                return
            rows = plan_reads.line_rows(session, ids[0], ids[-1])
        first = COLUMNS["product_id"]
        yield len(ids), [(row[first], line) for row in rows for line in lines_of(row)]
        if advance is not None:
            advance(len(ids))
        after = ids[-1]


def build(service: StockService, min_units: int, advance: Advance | None = None) -> Plan:
    """The plan now: the three lists and their totals (the one made for the same
    catalogue version, rules and minimum when there is one)."""
    key = (service.current_status(), rules_key(service.rules), min_units)
    made = _made.get(service)
    if made is not None and made[0] == key:
        return made[1]
    builder = PlanBuilder(min_units)
    for examined, lines in _planned(service, advance):
        builder.examined += examined
        for _id, (where, line) in lines:
            builder.take(where, line)
    plan = builder.plan(service.clock())
    _made[service] = (key, plan)
    return plan


def parse_list(value: str) -> ListName:
    """`inbound` or `withdrawal` (any case), else InvalidInput."""
    wanted = value.strip().lower()
    if wanted not in SHIPPABLE:
        raise InvalidInput(
            "list",
            _("only a transfer list can be marked shipped ({names}), not `{given}`").format(
                names=", ".join(SHIPPABLE), given=value.strip()[:40]
            ),
        )
    return cast(ListName, wanted)


@dataclass
class Shipped:
    """What marking a list shipped recorded."""

    name: ListName
    lines: int
    units: int


def mark_shipped(
    service: StockService, name: ListName, min_units: int, user: str, key: str
) -> Shipped:
    """Record every line of the plan's `name` list, as it stands now, as a transfer done
    (its units in transit), in one transaction; the same `key` records nothing twice."""
    builder = PlanBuilder(min_units)
    ids: dict[str, int] = {}
    for examined, lines in _planned(service, None):
        builder.examined += examined
        for product_id, (where, line) in lines:
            builder.take(where, line)
            ids[line.sku] = product_id
    lines = [line for line in builder.plan(service.clock()).get(name).lines if line.units]
    moves = [
        (
            ids[line.sku],
            TransferProposal(
                sku=line.sku,
                from_account=line.from_account,
                to_account=line.to_account,
                amount=line.units or 0,
            ),
        )
        for line in lines
    ]
    if moves:
        with transaction(service.sessions) as session:
            record_transfers(session, moves, user, key, service.clock(), service.rules)
    return Shipped(name, len(moves), sum(proposal.amount for _id, proposal in moves))
