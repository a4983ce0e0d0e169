"""The message a button was clicked in: where it is, and replacing it in place.

Shared by every button listener that answers by editing its own message (transfer
buttons in handlers/actions.py, *Mark shipped* in handlers/plan.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk.webhook import WebhookClient

from handlers.blocks.size import guard

EDIT_TIMEOUT_SECONDS = 5
log = logging.getLogger("stockbot.slack")


def clicked_message(body: dict[str, Any]) -> tuple[str, str]:
    """The clicked message's channel and ts ("" when the click was not in a message)."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    return channel, container.get("message_ts", "")


def message_replacer(
    body: dict[str, Any], respond: Respond
) -> Callable[[str, list[dict[str, Any]]], bool]:
    """Replace the clicked message through the action's response_url (within the size
    guard); a refusal is logged with Slack's answer. No transaction is open meanwhile, but
    a person waits: a short timeout of its own rather than Bolt's 30 s default."""
    url = body.get("response_url")

    def send(text: str, blocks: list[dict[str, Any]]) -> bool:
        message = guard({"text": text, "blocks": blocks})
        if not url:
            answer = respond(replace_original=True, **message)
        else:
            answer = WebhookClient(url, timeout=EDIT_TIMEOUT_SECONDS).send(
                **message, replace_original=True
            )
        if answer.status_code != 200:
            log.error(
                "Slack refused the message update: HTTP %s %s",
                answer.status_code,
                answer.body[:300],
                stack_info=True,
            )
        return answer.status_code == 200

    return send
