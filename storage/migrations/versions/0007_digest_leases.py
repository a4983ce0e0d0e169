"""digest leases: the channel's ID, a short renewable claim, each part's posting attempt

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("digest_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_messages", schema=None) as batch_op:
        batch_op.drop_column("attempted_at")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("channel_id")
