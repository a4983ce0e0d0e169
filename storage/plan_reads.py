"""What the weekly plan reads: per list its totals, its first lines in the plan's order,
or all of them streamed, from the lines stored with the classification (plan_entries,
storage.plan_entries) and the numbers a line shows.

A list's totals are one aggregate over its entries and its first N lines one walk of
ix_plan_entries_order (the plan's order) that stops after N: nothing is sorted, and no
line is made that is not shown or exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy import Float, Integer, Row, and_, bindparam, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from storage.models import Offer, PlanEntry, Product, ProductStatus

_main, _fbe = aliased(Offer, name="m"), aliased(Offer, name="f")
_status, _entry = ProductStatus, PlanEntry


def _line_columns() -> dict[str, Any]:
    columns: dict[str, Any] = {
        "product_id": _entry.product_id,
        "slot": _entry.slot,
        "sku": Product.sku,
        "pnk": Product.pnk,
        "ean": Product.ean,
        "name": Product.name,
        "plan_transfer": _status.plan_transfer,
        "plan_units": _status.plan_units,
    }
    for account, offer in (("main", _main), ("fbe", _fbe)):
        columns |= {
            f"listed_{account}": getattr(_status, f"listed_{account}"),
            f"stock_{account}": getattr(_status, f"stock_{account}"),
            f"transit_{account}": func.coalesce(offer.in_transit, 0),
            f"outgoing_{account}": func.coalesce(offer.outgoing_transit, 0),
            # Read as floats, as the engine uses them: stored with 4 decimals, a float
            # is what float(Decimal) of the same value gives, with no Decimal made.
            f"pace_{account}": type_coerce(offer.sales_velocity, Float),
            f"price_{account}": type_coerce(offer.sale_price, Float),
            f"losing_{account}": getattr(_status, f"losing_{account}"),
            f"restock_{account}": getattr(_status, f"restock_{account}"),
            f"restock_{account}_units": getattr(_status, f"restock_{account}_units"),
        }
    return columns


_COLUMNS = _line_columns()
# Where each column is in a row of LINES.
COLUMNS = {name: at for at, name in enumerate(_COLUMNS)}
# bot.engine.plan.PlanBuilder.take: a line under the minimum is left out (and counted),
# a purchase without a quantity is kept.
_KEPT = or_(_entry.units.is_(None), _entry.units >= bindparam("min_units"))
# The lines of the list :list_name kept at :min_units, in the plan's order, each with
# the numbers it shows.
LINES = (
    select(*(column.label(name) for name, column in _COLUMNS.items()))
    .select_from(_entry)
    .join(_status, _status.product_id == _entry.product_id)
    .join(Product, Product.id == _entry.product_id)
    .outerjoin(_main, and_(_main.product_id == _entry.product_id, _main.account == "main"))
    .outerjoin(_fbe, and_(_fbe.product_id == _entry.product_id, _fbe.account == "fbe"))
    .where(_entry.list_name == bindparam("list_name"), _KEPT)
    .order_by(_entry.order_worth.desc(), _entry.order_units.desc(), _entry.sku, _entry.slot)
)
_FIRST = LINES.limit(bindparam("most", type_=Integer))


def first_lines(session: Session, list_name: str, min_units: int, most: int) -> list[Row[Any]]:
    """The first `most` rows of LINES (columns at their COLUMNS place)."""
    values = {"list_name": list_name, "min_units": min_units, "most": most}
    return session.connection().execute(_FIRST, values).all()


def all_lines(session: Session, list_name: str, min_units: int, batch: int) -> Iterator[Row[Any]]:
    """Every row of LINES, fetched `batch` at a time (a server-side cursor on
    PostgreSQL): memory stays flat however long the list."""
    values = {"list_name": list_name, "min_units": min_units}
    result = session.connection().execute(LINES.execution_options(yield_per=batch), values)
    for rows in result.partitions():
        yield from rows


class Totals(NamedTuple):
    """A list's totals, as bot.engine.plan.PlanBuilder.plan counts them."""

    line_count: int
    units: int
    skus: int
    # RON a day, in bani.
    worth: int
    below_minimum: int
    without_quantity: int


def _count(condition: Any, value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


_TOTALS = select(
    _entry.list_name,
    _count(_KEPT),
    _count(_entry.units >= bindparam("min_units"), _entry.units),
    # A SKU is one product, with at most one transfer: only a purchase can list it
    # twice (both its accounts restocked), so only there are they told apart.
    case(
        (
            _entry.list_name == "purchase",
            func.count(
                func.distinct(
                    case((and_(_KEPT, _entry.list_name == "purchase"), _entry.product_id))
                )
            ),
        ),
        else_=_count(_KEPT),
    ),
    _count(_KEPT, func.coalesce(_entry.worth, 0)),
    _count(_entry.units < bindparam("min_units")),
    _count(_entry.units.is_(None)),
).group_by(_entry.list_name)


def totals(session: Session, min_units: int) -> dict[str, Totals]:
    """Each list's totals at `min_units` (a list with no entry is missing)."""
    rows = session.connection().execute(_TOTALS, {"min_units": min_units})
    return {name: Totals(*(int(value) for value in values)) for name, *values in rows}


def shippable(session: Session, list_name: str, min_units: int) -> list[tuple[int, str, int]]:
    """(product id, SKU, units) of every line of the list with units to send."""
    query = select(_entry.product_id, _entry.sku, _entry.units).where(
        _entry.list_name == list_name,
        _entry.units >= max(min_units, 1),
    )
    return [(product_id, sku, units) for product_id, sku, units in session.execute(query)]


def candidate_count(session: Session) -> int:
    """How many products the plan examines: those whose stored classification has a
    stock issue (zero or low stock with competition, an imbalance, an offer that cannot
    sell, a transfer overdue); only they can carry a transfer or a restock."""
    query = select(func.count()).select_from(ProductStatus).where(ProductStatus.stock_rank > 0)
    return session.scalar(query) or 0
