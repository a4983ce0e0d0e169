"""The weekly plan's moves as SQL, beside the classifier: per product, the one transfer
and the restocks `bot.engine.analyze` recommends, with their amounts, for a range of ids
in one statement per rule set (instead of loading snapshots and running the engine).

It mirrors bot.engine.shortages (scenarios 1 and 2), bot.engine.balance (3 and 4),
scenarios._without_contradictions (at most one transfer: the strongest, earlier ones on
ties) and bot.engine.demand's amounts, on the sides of storage.classifier_sides; the
property test `tests/storage/test_plan_matches_engine.py` keeps it equal to the engine's
plan. What a line shows besides (cover, what it is worth) is bot.engine.plan's arithmetic
on the numbers read here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    and_,
    bindparam,
    case,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from bot.engine.demand import CEIL_EPSILON
from bot.engine.models import Rules
from storage.classifier import FbeOffer, MainOffer, rules_key
from storage.classifier_sides import Side, ceil_units, flag, own_active, positive
from storage.models import Product, ProductStatus
from storage.status import rule_groups

# Each transfer the engine may recommend, in the order it finds them: the strongest is
# kept, and every transfer's destination competes, so the strongest is the first of the
# highest priority (shortages are high at 0 stock, else medium; 3 and 4 are low).
TRANSFERS = ("short_main", "short_fbe", "rebalance_main", "idle_main", "rebalance_fbe", "idle_fbe")
LOWER, UPPER = bindparam("lower"), bindparam("upper")


class least(FunctionElement[int]):
    """The smallest of its (never NULL) arguments on every backend."""

    inherit_cache = True


@compiles(least)
def _least_default(element: least, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return f"MIN({compiler.process(element.clauses, **kw)})"


def _when(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((condition, value), else_=null())


def _units(pace: ColumnElement[Any], days: ColumnElement[int]) -> ColumnElement[int]:
    """bot.engine.demand.units_for, over a number of days that is itself SQL."""
    return positive(ceil_units(pace * days - literal(CEIL_EPSILON)))


def _shortage_amount(here: Side, source: Side) -> ColumnElement[int]:
    """bot.engine.demand.shortage_amount."""
    return positive(least(here.wanted, source.spare))


def _restock(here: Side, source: Side, rules: Rules) -> tuple[Any, Any]:
    """Whether `here` gets a restock (at 0, short, nothing to take from `source`), and
    bot.engine.demand.restock_amount's units (NULL: a pace unknown)."""
    fires = and_(here.firing, here.stock == 0, _shortage_amount(here, source) <= 0)
    lead = here.offer.supply_lead_time
    days = case((or_(lead.is_(None), lead == 0), rules.supply_lead_days), else_=lead)
    days = days + rules.cover_days
    alone = positive(_units(here.pace, days) - here.stock - here.transit)
    both = positive(
        _units(here.pace + source.pace, days)
        - here.stock
        - here.transit
        - source.stock
        - source.transit
    )
    units = case(
        (and_(source.short, source.stock == 0), _when(here.pace_known, alone)),
        (source.listed, _when(and_(here.pace_known, source.pace_known), both)),
        else_=_when(here.pace_known, alone),
    )
    return flag(fires), units


def _balances(here: Side, source: Side, rules: Rules) -> tuple[Any, Any]:
    """bot.engine.balance: the rebalance and the idle-stock move into `here` (their
    units, NULL when they do not fire)."""
    opens = and_(
        here.sellable, here.competition, source.listed, or_(~here.pace_known, here.need > 0)
    )
    cap = case(
        (here.pace_known, least(literal(rules.transfer_cap), here.need)),
        else_=literal(rules.transfer_cap),
    )
    rank_here, rank_source = here.offer.buy_button_rank, source.offer.buy_button_rank
    better = and_(
        rank_here.is_not(None),
        rank_source.is_not(None),
        rank_here < rank_source,
        here.stock < source.stock,
    )
    rebalance = least(source.stock // 2, cap, source.spare)
    idle = least(source.stock - rules.idle_floor, cap, source.spare)
    return (
        _when(and_(opens, better, rebalance > 0), rebalance),
        _when(and_(opens, source.no_competition, idle > 0), idle),
    )


def _moves(rules: Rules, members: ColumnElement[bool]) -> Select[Any]:
    own = own_active(MainOffer) + own_active(FbeOffer)
    main, fbe = Side(MainOffer, own, rules), Side(FbeOffer, own, rules)
    columns: dict[str, ColumnElement[Any]] = {
        "product_id": Product.id,
        "sku": Product.sku,
        "pnk": Product.pnk,
        "ean": Product.ean,
        "name": Product.name,
    }
    for account, here, source in (("main", main, fbe), ("fbe", fbe, main)):
        columns |= {
            f"listed_{account}": flag(here.listed),
            f"stock_{account}": here.stock,
            f"transit_{account}": here.transit,
            f"pace_{account}": here.pace,
            f"price_{account}": here.offer.sale_price,
            f"losing_{account}": flag(here.losing),
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
        .select_from(Product)
        .join(ProductStatus, ProductStatus.product_id == Product.id)
        .outerjoin(MainOffer, and_(MainOffer.product_id == Product.id, MainOffer.account == "main"))
        .outerjoin(FbeOffer, and_(FbeOffer.product_id == Product.id, FbeOffer.account == "fbe"))
        .where(members, ProductStatus.stock_rank > 0, Product.id.between(LOWER, UPPER))
        .subquery()
    )
    c = moves.c
    transfer = case(
        (and_(c.short_main.is_not(None), c.zero_main == 1), "short_main"),
        (and_(c.short_fbe.is_not(None), c.zero_fbe == 1), "short_fbe"),
        *((c[name].is_not(None), name) for name in TRANSFERS),
        else_=null(),
    )
    return (
        select(moves, transfer.label("transfer"))
        .where(or_(transfer.is_not(None), c.restock_main == 1, c.restock_fbe == 1))
        .order_by(c.product_id)
    )


# Per rule book (its rules_key), one statement per rule set in it: built once, each
# batch only binds its range, so the compiled SQL is reused.
_built: dict[str, list[Select[Any]]] = {}


def _statements(rules: Rules) -> list[Select[Any]]:
    key = rules_key(rules)
    if key not in _built:
        _built[key] = [_moves(group, members) for group, members in rule_groups(rules)]
    return _built[key]


def move_rows(session: Session, rules: Rules, lower: int, upper: int) -> list[RowMapping]:
    """Rows of the products with ids in lower..upper that have a stock issue and a
    transfer or restock to plan, each under its category's rules."""
    found: list[RowMapping] = []
    for statement in _statements(rules):
        found += session.execute(statement, {"lower": lower, "upper": upper}).mappings().all()
    return found
