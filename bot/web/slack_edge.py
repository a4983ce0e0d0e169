"""POST /slack/events, checked before Bolt sees it: the signature first, then the body's
form, so a request Slack did not send (or sent mangled) gets 401 or 400, never a 500.

Bolt parses the body while it builds its request object, before its own signature check,
and a `payload` that is not JSON, `payload=null`, a JSON array or a timestamp `abc` make
that parse (or slack_sdk's `int(timestamp)`) raise. Here the signature is checked on the
raw bytes with slack_sdk's SignatureVerifier, and only then is the body parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from slack_bolt import BoltRequest
from slack_bolt.request import payload_utils
from slack_sdk.signature import SignatureVerifier

# Slack's timestamp is Unix seconds; anything else cannot be in the 5-minute window.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# What Bolt reads out of every body it dispatches (its listener arguments); a body whose
# shape breaks one of these would break Bolt's dispatch, and even its error handler.
_BOLT_READS = (
    payload_utils.to_options,
    payload_utils.to_shortcut,
    payload_utils.to_action,
    payload_utils.to_view,
    payload_utils.to_command,
    payload_utils.to_event,
    payload_utils.to_message,
    payload_utils.to_step,
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Action(_Part):
    action_id: str
    block_id: str | None = None


class _View(_Part):
    callback_id: str | None = None
    type: str | None = None


class _Event(_Part):
    type: str


class _Envelope(_Part):
    """The fields Bolt's matchers read to route a body to a listener, with the types
    Slack gives them; anything else in the body is the listener's business."""

    type: str | None = None
    command: str | None = None
    callback_id: str | None = None
    actions: list[_Action] | None = None
    view: _View | None = None
    event: _Event | None = None
    team: dict[str, Any] | str | None = None
    user: dict[str, Any] | str | None = None
    channel: dict[str, Any] | str | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None


class Refused(Exception):
    """The request is answered with `status` and nothing else happens."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def checked_request(
    verifier: SignatureVerifier, headers: Mapping[str, str], query: Any, body: bytes
) -> BoltRequest:
    """The Bolt request for a signed, well-formed body, or Refused (401 / 400)."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature:
        raise Refused(401, "invalid request")
    if not verifier.is_valid(body, timestamp, signature):
        raise Refused(401, "invalid request")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    try:
        request = BoltRequest(body=text, query=query, headers=dict(headers))
        if not isinstance(request.body, dict) or not request.body:
            raise TypeError("not a JSON object")
        _Envelope.model_validate(request.body)
        for read in _BOLT_READS:
            read(request.body)
    except Exception:
        # Bolt parses the body and walks its shape (team, enterprise, event, view...) as
        # it builds the request and its arguments; whatever fails there is a body Slack
        # does not send.
        raise Refused(400, "the body is not a Slack request") from None
    return request
