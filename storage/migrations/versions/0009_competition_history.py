"""competition history: each offer's rank, sellers and prices per eMAG sync, the watch
state on the offer (buy button lost, sellers before a rise), and the stored
classification's watch flags

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OFFER_COLUMNS = (
    ("buy_button_lost_at", UTCDateTime(timezone=True)),
    ("sellers_before", sa.Integer()),
    ("sellers_rose_at", UTCDateTime(timezone=True)),
)
_STATUS_FLAGS = ("lost_main", "lost_fbe")


def upgrade() -> None:
    op.create_table(
        "competition_history",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=8), nullable=False),
        sa.Column("taken_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("buy_button_rank", sa.Integer(), nullable=True),
        sa.Column("number_of_offers", sa.Integer(), nullable=True),
        sa.Column("own_active", sa.Integer(), nullable=False),
        sa.Column("competitors", sa.Integer(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("sale_price", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("best_offer_sale_price", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "account", "taken_at"),
    )
    op.create_index("ix_competition_history_taken_at", "competition_history", ["taken_at"])
    for name, column_type in _OFFER_COLUMNS:
        op.add_column("offers", sa.Column(name, column_type, nullable=True))
    for name in _STATUS_FLAGS:
        op.add_column(
            "product_status",
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
    op.add_column("product_status", sa.Column("sellers_until", sa.BigInteger(), nullable=True))
    # The stored classification was made without the watch: make it again.
    op.execute("DELETE FROM product_status")


def downgrade() -> None:
    with op.batch_alter_table("product_status") as batch:
        for name in (*_STATUS_FLAGS, "sellers_until"):
            batch.drop_column(name)
    with op.batch_alter_table("offers") as batch:
        for name, _type in _OFFER_COLUMNS:
            batch.drop_column(name)
    op.drop_index("ix_competition_history_taken_at", table_name="competition_history")
    op.drop_table("competition_history")
