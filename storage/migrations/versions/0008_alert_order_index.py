"""alert order indexes: product_status by stock rank, lost sales (most first), SKU, over
the catalogue and per category (the latter replaces the plain category_key index)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER = ["stock_rank", sa.text("lost_sales DESC"), "sku", "oldest_due"]


def upgrade() -> None:
    op.create_index("ix_product_status_alert_order", "product_status", ORDER)
    op.create_index(
        "ix_product_status_category_alert_order", "product_status", ["category_key", *ORDER]
    )
    op.drop_index("ix_product_status_category_key", table_name="product_status")


def downgrade() -> None:
    op.create_index("ix_product_status_category_key", "product_status", ["category_key"])
    op.drop_index("ix_product_status_category_alert_order", table_name="product_status")
    op.drop_index("ix_product_status_alert_order", table_name="product_status")
