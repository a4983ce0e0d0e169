"""units leaving a source: each transfer's source stock when marked and when the source's
stock showed the units gone, and per offer the units it is sending that its stock still
shows (a transfer may not take them again); the weekly plan's moves stored with the
classification

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLAN_UNITS = ("plan_units", "restock_main_units", "restock_fbe_units")
_PLAN_FLAGS = ("restock_main", "restock_fbe", "losing_main", "losing_fbe")


def upgrade() -> None:
    op.add_column(
        "offers",
        sa.Column("outgoing_transit", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    # Transfers marked before this version have no source stock: none is held back.
    op.add_column("transfer_records", sa.Column("source_before", sa.Integer(), nullable=True))
    op.add_column(
        "transfer_records", sa.Column("left_source_at", UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column("product_status", sa.Column("plan_transfer", sa.String(16), nullable=True))
    for name in _PLAN_UNITS:
        op.add_column("product_status", sa.Column(name, sa.Integer(), nullable=True))
    for name in _PLAN_FLAGS:
        op.add_column(
            "product_status",
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
    # The stored classification was made without the plan's moves: make it again.
    op.execute("DELETE FROM product_status")


def downgrade() -> None:
    with op.batch_alter_table("product_status") as batch:
        for name in ("plan_transfer", *_PLAN_UNITS, *_PLAN_FLAGS):
            batch.drop_column(name)
    with op.batch_alter_table("transfer_records") as batch:
        batch.drop_column("left_source_at")
        batch.drop_column("source_before")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("outgoing_transit")
