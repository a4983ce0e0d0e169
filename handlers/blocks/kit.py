"""Block Kit primitives every builder uses, with Slack's limits applied where the
text is made: escaped mrkdwn, texts clipped before they are escaped (and never through
an entity or a `<...>` link), compact button values. The limits of a whole message live
in `handlers/blocks/size.py`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.models import Recommendation
from bot.formats import clock, number
from bot.i18n import _

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


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What a cut must not fall inside: an entity we escaped, or a mention/link Slack parses.
_UNSPLITTABLE = re.compile(r"&(?:amp|lt|gt);|<[^<>\n]*>")
ELLIPSIS = "..."


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What the person typed, from the text Slack sends: Slack escapes `&`, `<` and `>`
    in a slash command's text (`A&B` arrives as `A&amp;B`). `&amp;` last, so a typed
    `&lt;` (sent as `&amp;lt;`) stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` in at most `limit` characters, "..." marking a cut; a cut that would fall
    inside an `&amp;`-style entity or a `<...>` mention or link goes before it."""
    if len(text) <= limit:
        return text
    cut = max(0, limit - len(ELLIPSIS))
    for match in _UNSPLITTABLE.finditer(text, 0, cut + MAX_TEXT):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return text[:cut] + ELLIPSIS


def escape_clipped(raw: str, limit: int) -> str:
    """Data (a name, a SKU, an eMAG message) escaped, clipped *before* escaping so the
    escaped result fits `limit` and no entity is cut."""
    escaped = escape(raw)
    if len(escaped) <= limit:
        return escaped
    budget, size = limit - len(ELLIPSIS), 0
    for index, char in enumerate(raw):
        size += len(_ESCAPES.get(char, char))
        if size > budget:
            return escape(raw[:index]) + ELLIPSIS
    return escaped


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
        "deny": {"type": "plain_text", "text": _("Cancel")},
    }


def local_time(moment: datetime | None, zone: ZoneInfo, pattern: str = "dd MMM HH:mm") -> str:
    """A moment in the workspace's zone (a CLDR pattern), "unknown" when there is none."""
    return clock(moment, zone, pattern) if moment else _("unknown")


def data_age_line(
    as_of: datetime | None, stale: bool, now: datetime, zone: ZoneInfo, stale_hours: int
) -> str:
    """When the data was read, how old it is, and a clear flag when it is stale."""
    if as_of is None:
        return _("Data age unknown: no snapshot has been read yet")
    hours = max(0.0, (now - as_of).total_seconds() / 3600)
    line = _("Data as of {moment} ({zone}), {hours} h old").format(
        moment=local_time(as_of, zone), zone=zone.key, hours=number(hours)
    )
    if stale:
        line += "  -  " + _("*STALE* (older than {hours} h): refresh before acting").format(
            hours=stale_hours
        )
    return line
