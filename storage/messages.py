"""The current content of the Slack messages stockbot edits (storage.models.MessageState),
read and written under a lock that serialises every edit of one message, across threads
and processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import MessageState


def lock_message(
    session: Session,
    channel: str,
    ts: str,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
) -> MessageState:
    """The message's row, locked until the session's transaction ends; the first edit
    stores `text`/`blocks` (what Slack showed) as its starting point."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(MessageState)
        .values(
            channel=channel,
            ts=ts,
            text=text,
            blocks=json.dumps(blocks),
            version=0,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "ts"])
    )
    # A write before the read: PostgreSQL locks the row, SQLite takes its write lock.
    session.execute(
        update(MessageState)
        .where(MessageState.channel == channel, MessageState.ts == ts)
        .values(version=MessageState.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.scalars(
        select(MessageState)
        .where(MessageState.channel == channel, MessageState.ts == ts)
        .execution_options(populate_existing=True)
    ).one()
