"""the weekly plan's lines stored with the classification: per line its list, units,
worth and the keys of the plan's order, indexed in that order per list

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_entries",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(16), nullable=False),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("worth", sa.Integer(), nullable=True),
        sa.Column("order_worth", sa.Integer(), nullable=False),
        sa.Column("order_units", sa.Integer(), nullable=False),
        sa.Column(
            "sku",
            sa.String(128).with_variant(sa.String(128, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "slot"),
    )
    op.create_index(
        "ix_plan_entries_order",
        "plan_entries",
        [
            "list_name",
            sa.text("order_worth DESC"),
            sa.text("order_units DESC"),
            "sku",
            "slot",
            "product_id",
            "units",
            "worth",
        ],
    )
    # The stored classification was made without the plan's lines: make it again.
    op.execute("DELETE FROM product_status")


def downgrade() -> None:
    op.drop_index("ix_plan_entries_order", table_name="plan_entries")
    op.drop_table("plan_entries")
