"""Block Kit primitives every builder uses, with Slack's limits applied where the
text is made: escaped mrkdwn, clipped texts, compact button values, lists cut with
"and N more" so a message never breaks the 50-block rule."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.models import Recommendation

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000

Block = dict[str, Any]


def proposal_value(sku: str, rec: Recommendation, amount: int | None = None) -> dict[str, Any]:
    """What a transfer button carries: the proposal, re-checked when clicked."""
    return {
        "sku": sku,
        "from_account": rec.from_account,
        "to_account": rec.to_account,
        "amount": amount if amount is not None else rec.suggested_amount,
    }


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What the person typed, from the text Slack sends: Slack escapes `&`, `<` and `>`
    in a slash command's text (`A&B` arrives as `A&amp;B`). `&amp;` last, so a typed
    `&lt;` (sent as `&amp;lt;`) stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def section(
    text: str | None = None,
    *,
    block_id: str | None = None,
    fields: Sequence[str] = (),
    accessory: Block | None = None,
) -> Block:
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = {"type": "mrkdwn", "text": clip(text)}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": clip(f, MAX_FIELD)} for f in fields[:10]]
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER)}}


def divider() -> Block:
    return {"type": "divider"}


def actions(elements: Sequence[Block], block_id: str) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def button(
    text: str,
    action_id: str,
    value: dict[str, Any] | str,
    *,
    style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    """A button whose value is compact JSON; too long a value is a bug, not clipped."""
    encoded = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if len(encoded) > MAX_VALUE:
        raise ValueError(f"button value of {len(encoded)} characters exceeds {MAX_VALUE}")
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(text, MAX_BUTTON_TEXT)},
        "value": encoded,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str) -> Block:
    return {
        "title": {"type": "plain_text", "text": clip(title, 100)},
        "text": {"type": "mrkdwn", "text": clip(text, 300)},
        "confirm": {"type": "plain_text", "text": clip(yes, 30)},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }


def packed_sections(lines: Sequence[str], title: str | None = None) -> list[Block]:
    """`lines` (under a bold title) in as few sections as fit 3000 characters each."""
    blocks: list[Block] = []
    current = f"*{title}*" if title else ""
    for line in lines:
        line = clip(line, MAX_TEXT - 1)
        if current and len(current) + len(line) + 1 > MAX_TEXT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def fit(
    blocks: list[Block], tail: Sequence[Block] = (), max_blocks: int = MAX_BLOCKS
) -> list[Block]:
    """`blocks` then `tail` within `max_blocks`; what does not fit is cut from `blocks`
    and counted in an "and N more" line."""
    if len(blocks) + len(tail) <= max_blocks:
        return blocks + list(tail)
    keep = max_blocks - len(tail) - 1
    more = len(blocks) - keep
    return [*blocks[:keep], context(f"and {more} more"), *tail]


def local_time(moment: datetime | None, zone: ZoneInfo, pattern: str = "%d %b %H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else "unknown"


def data_age_line(
    as_of: datetime | None, stale: bool, now: datetime, zone: ZoneInfo, stale_hours: int
) -> str:
    """When the data was read, how old it is, and a clear flag when it is stale."""
    if as_of is None:
        return "Data age unknown: no snapshot has been read yet"
    hours = max(0.0, (now - as_of).total_seconds() / 3600)
    line = f"Data as of {local_time(as_of, zone)} ({zone.key}), {hours:.1f} h old"
    if stale:
        line += f"  -  *STALE* (older than {stale_hours} h): refresh before acting"
    return line
