"""The weekly plan's moves as SQL, beside the classifier: per product, the one transfer
and the restocks `bot.engine.analyze` recommends, with their amounts, worked out with the
classification (one statement per rule set, storage.status) and stored in its row, so a
plan reads them (storage.plan_reads) instead of loading snapshots and running the engine.

It mirrors bot.engine.shortages (scenarios 1 and 2), bot.engine.balance (3 and 4),
scenarios._without_contradictions (at most one transfer: the strongest, earlier ones on
ties) and bot.engine.demand's amounts, on the sides of storage.classifier_sides; the
property test `tests/storage/test_plan_matches_engine.py` keeps it equal to the engine's
plan. What a line shows besides (cover, what it is worth) is bot.engine.plan's arithmetic
on the numbers read with them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    bindparam,
    case,
    delete,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from bot.engine.models import Rules
from storage.bulk import Driver
from storage.classifier import FbeOffer, MainOffer, rules_key
from storage.classifier_sides import (
    Inputs,
    Side,
    base_statement,
    better_placed,
    flag,
    least,
    may_balance,
    positive,
    units_for,
)
from storage.models import PlanEntry, Product, ProductStatus
from storage.plan_entries import ENTRY_COLUMNS, entries_of

# Each transfer the engine may recommend, in the order it finds them: the strongest is
# kept, and every transfer's destination competes, so the strongest is the first of the
# highest priority (shortages are high at 0 stock, else medium; 3 and 4 are low).
TRANSFERS = ("short_main", "short_fbe", "rebalance_main", "idle_main", "rebalance_fbe", "idle_fbe")
IDS = bindparam("ids", expanding=True)


def _when(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((condition, value), else_=null())


# What a side's columns in the `sides` statement hold: conditions (as 1/0) and numbers.
_FLAGS = ("listed", "sellable", "competition", "no_competition", "pace_known", "short", "firing")
_NUMBERS = ("stock", "on_hand", "transit", "wanted", "spare", "need", "pace")


class Read:
    """One account's side as the columns of the `sides` statement, which works each
    expression of storage.classifier_sides out once per product."""

    def __init__(self, columns: Any, account: str) -> None:
        for name in _FLAGS:
            setattr(self, name, columns[f"{account}_{name}"] == 1)
        for name in _NUMBERS:
            setattr(self, name, columns[f"{account}_{name}"])
        self.lead = columns[f"{account}_lead"]
        self.rank = columns[f"{account}_rank"]


def _side_columns(side: Side, account: str) -> dict[str, ColumnElement[Any]]:
    columns = {f"{account}_{name}": flag(getattr(side, name)) for name in _FLAGS}
    columns |= {f"{account}_{name}": getattr(side, name) for name in _NUMBERS}
    offer = side.offer
    return columns | {
        f"{account}_lead": offer.lead,
        f"{account}_rank": offer.rank,
        f"{account}_losing": flag(side.losing),
        f"{account}_price": offer.price,
    }


def _shortage_amount(here: Read, source: Read) -> ColumnElement[int]:
    """bot.engine.demand.shortage_amount."""
    return positive(least(here.wanted, source.spare))


def _restock(here: Read, source: Read, rules: Rules) -> tuple[Any, Any]:
    """Whether `here` gets a restock (at 0, short, nothing to take from `source`), and
    bot.engine.demand.restock_amount's units (NULL: a pace unknown)."""
    fires = and_(here.firing, here.stock == 0, _shortage_amount(here, source) <= 0)
    lead = here.lead
    days = case((or_(lead.is_(None), lead == 0), rules.supply_lead_days), else_=lead)
    days = days + rules.cover_days
    alone = positive(units_for(here.pace, days) - here.on_hand - here.transit)
    both = positive(
        units_for(here.pace + source.pace, days)
        - here.on_hand
        - here.transit
        - source.on_hand
        - source.transit
    )
    units = case(
        (and_(source.short, source.stock == 0), _when(here.pace_known, alone)),
        (source.listed, _when(and_(here.pace_known, source.pace_known), both)),
        else_=_when(here.pace_known, alone),
    )
    return flag(fires), units


def _balances(here: Read, source: Read, rules: Rules) -> tuple[Any, Any]:
    """bot.engine.balance: the rebalance and the idle-stock move into `here` (their
    units, NULL when they do not fire)."""
    opens = may_balance(here, source)
    cap = case(
        (here.pace_known, least(literal(rules.transfer_cap), here.need)),
        else_=literal(rules.transfer_cap),
    )
    rebalance = least(source.on_hand // 2, cap, source.spare)
    idle = least(source.on_hand - rules.idle_floor, cap, source.spare)
    return (
        _when(and_(opens, better_placed(here, source), rebalance > 0), rebalance),
        _when(and_(opens, source.no_competition, idle > 0), idle),
    )


def _sides(rules: Rules, members: ColumnElement[bool], chosen: ColumnElement[bool]) -> Any:
    """Per product with a stock issue (of those `chosen`), both sides' numbers."""
    products = (
        select(Product.id, Product.sku)
        .join(ProductStatus, ProductStatus.product_id == Product.id)
        .where(members, ProductStatus.stock_rank > 0, chosen)
    )
    base = base_statement(rules, MainOffer, FbeOffer, products).c
    main = Side(Inputs(base, "main"), base.own, rules)
    fbe = Side(Inputs(base, "fbe"), base.own, rules)
    columns: dict[str, ColumnElement[Any]] = {"product_id": base.id, "sku": base.sku}
    columns |= _side_columns(main, "main") | _side_columns(fbe, "fbe")
    return (
        select(*(column.label(name) for name, column in columns.items()))
        # Materialised, as `moves` below: each is worked out once per product, not again
        # wherever the next one names it (SQLite would copy the expressions in).
        .cte("sides")
        .prefix_with("MATERIALIZED")
    )


# What a line's worth reads (storage.plan_entries), passed through beside the moves.
_HELD = ("listed", "stock", "pace", "price")


def _held(c: Any, name: str, account: str) -> ColumnElement[Any]:
    column = c[f"{name}_{account}"]
    # Read as floats, as storage.plan_reads reads them for the line itself.
    return type_coerce(column, Float).label(column.name) if name in ("pace", "price") else column


def _moves(rules: Rules, members: ColumnElement[bool], chosen: ColumnElement[bool]) -> Select[Any]:
    sides = _sides(rules, members, chosen).c
    main, fbe = Read(sides, "main"), Read(sides, "fbe")
    columns: dict[str, ColumnElement[Any]] = {"product_id": sides.product_id, "sku": sides.sku}
    for account, here, source in (("main", main, fbe), ("fbe", fbe, main)):
        columns |= {f"{name}_{account}": sides[f"{account}_{name}"] for name in _HELD}
        columns |= {
            f"losing_{account}": sides[f"{account}_losing"],
            f"zero_{account}": flag(here.stock == 0),
            f"short_{account}": _when(
                and_(here.firing, _shortage_amount(here, source) > 0),
                _shortage_amount(here, source),
            ),
        }
        columns[f"restock_{account}"], columns[f"restock_{account}_units"] = _restock(
            here, source, rules
        )
        columns[f"rebalance_{account}"], columns[f"idle_{account}"] = _balances(here, source, rules)
    moves = (
        select(*(column.label(name) for name, column in columns.items()))
        .cte("moves")
        .prefix_with("MATERIALIZED")
    )
    c = moves.c
    transfer = case(
        (and_(c.short_main.is_not(None), c.zero_main == 1), "short_main"),
        (and_(c.short_fbe.is_not(None), c.zero_fbe == 1), "short_fbe"),
        *((c[name].is_not(None), name) for name in TRANSFERS),
        else_=null(),
    )
    units = case(*((transfer == name, c[name]) for name in TRANSFERS), else_=null())
    return select(
        c.product_id,
        transfer.label("plan_transfer"),
        units.label("plan_units"),
        *(c[f"{kind}_{account}"] for account in ("main", "fbe") for kind in ("losing", "restock")),
        c.restock_main_units,
        c.restock_fbe_units,
        c.sku,
        *(_held(c, name, account) for account in ("main", "fbe") for name in _HELD),
    ).where(or_(transfer.is_not(None), c.restock_main == 1, c.restock_fbe == 1))


# Per rule book (its rules_key) and way of choosing products, one statement per rule
# set in it: built once, then only bound, so the compiled SQL is reused.
_built: dict[tuple[str, bool], list[Select[Any]]] = {}
_STORED = ("plan_transfer", "plan_units", "losing_main", "restock_main", "losing_fbe")
_STORED += ("restock_fbe", "restock_main_units", "restock_fbe_units")


def store_moves(
    session: Session,
    rules: Rules,
    groups: list[tuple[Rules, ColumnElement[bool]]],
    product_ids: list[int] | Select | None,
) -> None:
    """Write the plan's moves into the products' just made `product_status` rows (all
    of them when `product_ids` is None, those a SELECT of ids names in one statement
    per rule set); products without a move keep the defaults."""
    bound: dict[str, list[int]] = {"ids": []}
    gone = delete(PlanEntry)
    if isinstance(product_ids, Select):
        chosen = Product.id.in_(product_ids)
        statements = [_moves(group, members, chosen) for group, members in groups]
        gone = gone.where(PlanEntry.product_id.in_(product_ids))
    else:
        key = (rules_key(rules), product_ids is not None)
        if key not in _built:
            chosen = Product.id.in_(IDS) if key[1] else true()
            _built[key] = [_moves(group, members, chosen) for group, members in groups]
        statements = _built[key]
        bound["ids"] = product_ids or []
        if product_ids is not None:
            gone = gone.where(PlanEntry.product_id.in_(IDS))
    connection = session.connection()
    # The products' lines go with their classification, made again below.
    connection.execute(gone, bound)
    # Written by the driver, as tuples: Core's executemany processed each row's
    # parameters (about a third of the plan's time in a million-product import).
    db = Driver(session)
    assign = ", ".join(f"{name} = {db.mark}" for name in _STORED)
    for statement in statements:
        rows = connection.execute(statement, bound).all()
        if rows:
            moved = (row[1 : len(_STORED) + 1] + row[:1] for row in rows)
            db.update(ProductStatus.__table__, assign, _STORED, moved, key="product_id")
            entries = (entry for row in rows for entry in entries_of(row._mapping))
            db.insert(PlanEntry.__table__, ENTRY_COLUMNS, entries)
