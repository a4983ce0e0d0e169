"""What the weekly plan reads: the products that may carry a transfer or a restock.

Only a product whose stored classification has a stock issue (zero or low stock with
competition, an imbalance, an offer that cannot sell, a transfer overdue) can: the plan
analyses those, in batches by id, instead of the whole catalogue.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import ProductStatus


def candidate_count(session: Session) -> int:
    """How many products the plan examines."""
    query = select(func.count()).select_from(ProductStatus).where(ProductStatus.stock_rank > 0)
    return session.scalar(query) or 0


def candidate_ids(session: Session, after: int, size: int) -> list[int]:
    """The next `size` ids of such products after `after`, in id order."""
    return list(
        session.scalars(
            select(ProductStatus.product_id)
            .where(ProductStatus.stock_rank > 0, ProductStatus.product_id > after)
            .order_by(ProductStatus.product_id)
            .limit(size)
        )
    )
