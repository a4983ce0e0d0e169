"""What the weekly plan reads: the products that may carry a transfer or a restock.

Only a product whose stored classification has a stock issue (zero or low stock with
competition, an imbalance, an offer that cannot sell, a transfer overdue) can: the plan
reads those, in batches by id, with the moves stored beside their classification
(storage.plan_lines) and the numbers its lines show, instead of the whole catalogue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Row, and_, between, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from storage.models import Offer, Product, ProductStatus

_main, _fbe = aliased(Offer, name="m"), aliased(Offer, name="f")
_status = ProductStatus


def _line_columns() -> dict[str, Any]:
    columns: dict[str, Any] = {
        "product_id": _status.product_id,
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
# The products in :lower..:upper with a stock issue and a move, in id order.
LINES = (
    select(*(column.label(name) for name, column in _COLUMNS.items()))
    .select_from(_status)
    .join(Product, Product.id == _status.product_id)
    .outerjoin(_main, and_(_main.product_id == _status.product_id, _main.account == "main"))
    .outerjoin(_fbe, and_(_fbe.product_id == _status.product_id, _fbe.account == "fbe"))
    .where(
        _status.stock_rank > 0,
        between(_status.product_id, bindparam("lower"), bindparam("upper")),
        or_(
            _status.plan_transfer.is_not(None),
            _status.restock_main == 1,
            _status.restock_fbe == 1,
        ),
    )
    .order_by(_status.product_id)
)


def line_rows(session: Session, lower: int, upper: int) -> list[Row[Any]]:
    """The rows of LINES for ids lower..upper (columns at their COLUMNS place)."""
    return session.connection().execute(LINES, {"lower": lower, "upper": upper}).all()


def candidate_count(session: Session) -> int:
    """How many products the plan examines."""
    query = select(func.count()).select_from(ProductStatus).where(ProductStatus.stock_rank > 0)
    return session.scalar(query) or 0


def candidate_ids(session: Session, after: int, size: int) -> list[int]:
    """The next `size` ids of such products after `after`, in id order."""
    return list(
        session.connection()
        .execute(
            select(ProductStatus.product_id)
            .where(ProductStatus.stock_rank > 0, ProductStatus.product_id > after)
            .order_by(ProductStatus.product_id)
            .limit(size)
        )
        .scalars()
    )
