"""offer sellability and demand: eMAG's offer and documentation validation, the supply
lead time, units in transit per offer and the transfer's lifecycle, the days without
stock; the stored classification learns unsellable offers and overdue transfers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

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
    ("in_transit_since", UTCDateTime(timezone=True)),
    ("overdue_since", UTCDateTime(timezone=True)),
)
_OFFER_COUNTS = ("in_transit", "overdue_transit")
_STATUS_FLAGS = ("unsellable_main", "unsellable_fbe", "fix_rank", "overdue_main", "overdue_fbe")


def upgrade() -> None:
    for name, column_type in _OFFER_COLUMNS:
        op.add_column("offers", sa.Column(name, column_type, nullable=True))
    for name in _OFFER_COUNTS:
        op.add_column(
            "offers", sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.add_column("transfer_records", sa.Column("stock_before", sa.Integer(), nullable=True))
    op.add_column(
        "transfer_records",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="in_transit"),
    )
    op.add_column(
        "transfer_records",
        sa.Column("settled_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "stock_days",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "account", "day"),
    )
    # Transfers marked before this version were never tracked: count them as arrived.
    op.execute("UPDATE transfer_records SET status = 'arrived'")
    for name in _STATUS_FLAGS:
        op.add_column(
            "product_status",
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
    op.add_column("product_status", sa.Column("cover_days", sa.Float(), nullable=True))
    # The weekly update's due time, per category (epoch seconds), replaces the send times.
    with op.batch_alter_table("product_status") as batch:
        for name in ("oldest_sent", "sent_main", "sent_fbe"):
            batch.drop_column(name)
    for name in ("oldest_due", "due_main", "due_fbe"):
        op.add_column("product_status", sa.Column(name, sa.BigInteger(), nullable=True))
    for table in ("products", "product_status"):
        op.add_column(table, sa.Column("category_key", sa.String(length=128), nullable=True))
        op.create_index(f"ix_{table}_category_key", table, ["category_key"])
    op.add_column("products", sa.Column("category", sa.String(length=128), nullable=True))
    op.create_table(
        "emag_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name in ("lost_before", "lost_after"):
        op.add_column(
            "transfer_records", sa.Column(name, sa.Numeric(precision=14, scale=4), nullable=True)
        )
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO catalogue_state (id, version) VALUES (1, 0)")
    # The stored classification was made without sellability: make it again.
    op.execute("DELETE FROM product_status")


def downgrade() -> None:
    with op.batch_alter_table("transfer_records") as batch:
        batch.drop_column("lost_before")
        batch.drop_column("lost_after")
    op.drop_table("emag_categories")
    for table in ("products", "product_status"):
        op.drop_index(f"ix_{table}_category_key", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("category_key")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("category")
    with op.batch_alter_table("product_status") as batch:
        for name in ("oldest_due", "due_main", "due_fbe"):
            batch.drop_column(name)
    for name in ("oldest_sent", "sent_main", "sent_fbe"):
        op.add_column("product_status", sa.Column(name, UTCDateTime(timezone=True), nullable=True))
    op.drop_table("catalogue_state")
    op.drop_table("stock_days")
    with op.batch_alter_table("transfer_records") as batch:
        for name in ("stock_before", "status", "settled_at"):
            batch.drop_column(name)
    with op.batch_alter_table("product_status") as batch:
        for name in (*_STATUS_FLAGS, "cover_days"):
            batch.drop_column(name)
    with op.batch_alter_table("offers") as batch:
        for name in (*(name for name, _ in _OFFER_COLUMNS), *_OFFER_COUNTS):
            batch.drop_column(name)
