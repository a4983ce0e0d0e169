"""The weekly plan over the catalogue, and marking one of its lists shipped.

A plan is each list's totals over all its lines and its first lines in the plan's order
(what `/stock plan`, the dashboard and the API show), or every line (an export). Both are
read from the lines stored with the classification (storage.plan_entries, beside the
moves storage.plan_lines works out in SQL): the totals are one aggregate, the first lines
one index walk, and bot.engine.plan makes only the lines read (no snapshot is loaded, no
analysis run: a property test, tests/storage/test_plan_matches_engine.py, holds this plan
equal to the engine's). `plan_lines` streams every line for the CSV. Every surface (CLI,
Slack, REST, dashboard, the worker) asks here.

A plan depends only on the offers (and the units in transit), the rules and the minimum:
every write to those reclassifies its products and raises the catalogue's version, so a
service answers again from the plan it made while the version is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from weakref import WeakKeyDictionary

from bot.engine.models import ACCOUNTS, Account, Priority, TransferProposal
from bot.engine.plan import (
    LIST_NAMES,
    Holding,
    ListName,
    Move,
    Plan,
    PlanLine,
    PlanList,
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
from storage.plan_entries import RESTOCK_SLOTS, TRANSFER_SLOT, TRANSFERS
from storage.plan_reads import COLUMNS, Totals
from storage.transits import record_transfers

# Rows fetched at a time when every line is read.
BATCH = 2000
SHIPPABLE: tuple[ListName, ...] = ("inbound", "withdrawal")
# A transfer list's source and destination (bot.engine.plan: by the destination).
_ENDS: dict[ListName, tuple[Account, Account]] = {
    "inbound": ("main", "fbe"),
    "withdrawal": ("fbe", "main"),
}
Advance = Callable[[int], None]
# Per service: the plans made for its catalogue version and rules, by (minimum, lines).
_made: WeakKeyDictionary[StockService, dict[tuple[Any, ...], Plan]] = WeakKeyDictionary()
_KEPT_PLANS = 8
_NO_TOTALS = Totals(0, 0, 0, 0, 0, 0)


def plan_size(service: StockService) -> int:
    """How many products a plan examines (for a progress bar)."""
    service.current_status()
    with service.sessions() as session:
        return plan_reads.candidate_count(session)


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
_SLOT_ACCOUNT = {slot: account for account, slot in RESTOCK_SLOTS.items()}
_NAMES_AT = tuple(COLUMNS[name] for name in ("sku", "pnk", "ean", "name"))
_TRANSFER_AT, _UNITS_AT = COLUMNS["plan_transfer"], COLUMNS["plan_units"]
_SLOT_AT = COLUMNS["slot"]


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


def line_of(values: Any) -> tuple[ListName, PlanLine]:
    """The line of one row of storage.plan_reads.LINES (its entry's slot says which of
    the product's lines), as bot.engine.plan makes it: plain indexing, and only the
    accounts the line reads."""
    sku, pnk, ean, name = _NAMES_AT
    names = (values[sku], values[pnk], values[ean], values[name])
    if values[_SLOT_AT] == TRANSFER_SLOT:
        kind, source, to = TRANSFERS[values[_TRANSFER_AT]]
        holdings = {to: _holding(values, to)}
        priority: Priority = "low"
        if kind == "stock_transfer":
            priority = "high" if holdings[to].stock == 0 else "medium"
        return make_line(names, Move(kind, priority, source, to, values[_UNITS_AT]), [to], holdings)
    to = _SLOT_ACCOUNT[values[_SLOT_AT]]
    restocks = sum(1 for at, _units in _RESTOCK_AT.values() if values[at] == 1)
    listed_on = [account for account in ACCOUNTS if values[_AT[account][0]] == 1]
    accounts = purchase_accounts(to, restocks, listed_on)
    holdings = {account: _holding(values, account) for account in {to, *accounts}}
    move = Move("restock", "high", None, to, values[_RESTOCK_AT[to][1]])
    return make_line(names, move, accounts, holdings)


def _plan_list(name: ListName, totals: Totals, lines: list[PlanLine]) -> PlanList:
    return PlanList(
        name=name,
        lines=lines,
        line_count=totals.line_count,
        units=totals.units,
        skus=totals.skus,
        # Exact: every line's worth is whole bani.
        lost_sales_per_day=totals.worth / 100,
        below_minimum=totals.below_minimum,
        without_quantity=totals.without_quantity,
    )


def build(
    service: StockService, min_units: int, most: int | None = None, advance: Advance | None = None
) -> Plan:
    """The plan now: each list's totals over all its lines and its first `most` lines in
    the plan's order (every line when None: an export); the one made for the same
    catalogue version, rules, minimum and `most` when there is one."""
    key = (service.current_status(), rules_key(service.rules), min_units, most)
    made = {k: plan for k, plan in _made.get(service, {}).items() if k[:2] == key[:2]}
    if key in made:
        return made[key]
    lists = {}
    with service.sessions() as session:
        examined = plan_reads.candidate_count(session)
        totals = plan_reads.totals(session, min_units)
        for name in LIST_NAMES:
            if most is None:
                rows: Any = plan_reads.all_lines(session, name, min_units, BATCH)
            else:
                rows = plan_reads.first_lines(session, name, min_units, most)
            lines = [line_of(row)[1] for row in rows]
            lists[name] = _plan_list(name, totals.get(name, _NO_TOTALS), lines)
    if advance is not None:
        advance(examined)
    plan = Plan(
        generated_at=service.clock(), min_units=min_units, products_examined=examined, **lists
    )
    if len(made) >= _KEPT_PLANS:
        made.pop(next(iter(made)))
    _made[service] = made | {key: plan}
    return plan


def plan_lines(
    service: StockService, min_units: int, advance: Advance | None = None
) -> Iterator[tuple[ListName, PlanLine]]:
    """Every line of the plan now, list by list in the plan's order, read BATCH rows at
    a time and made one at a time (the CSV of a 100k catalogue's some 30,000 lines
    without holding them)."""
    service.current_status()
    done = 0
    with service.sessions() as session:
        for name in LIST_NAMES:
            for row in plan_reads.all_lines(session, name, min_units, BATCH):
                yield line_of(row)
                done += 1
                if advance is not None and done % BATCH == 0:
                    advance(BATCH)
    if advance is not None:
        advance(done % BATCH)


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
    source, to = _ENDS[name]
    service.current_status()
    with transaction(service.sessions) as session:
        moves = [
            (
                product_id,
                TransferProposal(sku=sku, from_account=source, to_account=to, amount=units),
            )
            for product_id, sku, units in plan_reads.shippable(session, name, min_units)
        ]
        if moves:
            record_transfers(session, moves, user, key, service.clock(), service.rules)
    return Shipped(name, len(moves), sum(proposal.amount for _id, proposal in moves))
