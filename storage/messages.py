"""The current content of the Slack messages stockbot edits (storage.models.MessageState),
versioned so that edits of one message from several threads and processes never undo
each other, without a lock held while Slack is called: an edit reads the content and
its version, sends, and records only if the version is still the one it read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import MessageState


@dataclass(frozen=True)
class Content:
    text: str
    blocks: list[dict[str, Any]]
    version: int


def current_content(
    session: Session,
    channel: str,
    ts: str,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
) -> Content:
    """What the message shows now; the first edit stores `text`/`blocks` (what Slack
    showed) as its starting point."""
    session.execute(
        dialect_insert(session, MessageState)
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
    state = session.scalars(
        select(MessageState)
        .where(MessageState.channel == channel, MessageState.ts == ts)
        .execution_options(populate_existing=True)
    ).one()
    return Content(state.text, json.loads(state.blocks), state.version)


def record_edit(
    session: Session,
    channel: str,
    ts: str,
    read: int,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
) -> bool:
    """Store what Slack now shows, if no other edit was recorded since version `read`."""
    changed = session.execute(
        update(MessageState)
        .where(MessageState.channel == channel, MessageState.ts == ts, MessageState.version == read)
        .values(text=text, blocks=json.dumps(blocks), version=read + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1
