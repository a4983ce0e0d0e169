"""offer sellability: eMAG's offer and documentation validation, the supply lead time;
the stored classification learns unsellable offers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OFFER_COLUMNS = (
    ("offer_validation", sa.Integer()),
    ("offer_validation_text", sa.String(length=255)),
    ("doc_validation", sa.Integer()),
    ("doc_validation_text", sa.String(length=255)),
    ("supply_lead_time", sa.Integer()),
)
_STATUS_FLAGS = ("unsellable_main", "unsellable_fbe", "fix_rank")


def upgrade() -> None:
    for name, column_type in _OFFER_COLUMNS:
        op.add_column("offers", sa.Column(name, column_type, nullable=True))
    for name in _STATUS_FLAGS:
        op.add_column(
            "product_status",
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
    # The stored classification was made without sellability: make it again.
    op.execute("DELETE FROM product_status")


def downgrade() -> None:
    with op.batch_alter_table("product_status") as batch:
        for name in _STATUS_FLAGS:
            batch.drop_column(name)
    with op.batch_alter_table("offers") as batch:
        for name, _ in _OFFER_COLUMNS:
            batch.drop_column(name)
