"""Requests as Slack sends them to an app: slash commands, block actions, view
submissions and events, signed with the app's signing secret (slack_sdk's
SignatureVerifier), with response_urls served by the stand-in."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.slack_standin.server import SlackStandin


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


class SlackSender:
    """Posts signed Slack requests to an app's /slack/events, like Slack does."""

    def __init__(self, app_url: str, secret: str, standin: SlackStandin, team: str = "T1"):
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.secret = secret
        self.standin = standin
        self.team = team
        self.http = httpx.Client(timeout=10)
        self._trigger = 0

    def close(self) -> None:
        self.http.close()

    def post(
        self, body: str, content_type: str, timestamp: int | None = None, secret: str | None = None
    ) -> httpx.Response:
        headers = signed_headers(secret or self.secret, body, timestamp)
        headers["Content-Type"] = content_type
        return self.http.post(self.events_url, content=body.encode(), headers=headers)

    def _form(self, fields: dict[str, str], **options: Any) -> httpx.Response:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **options)

    def _trigger_id(self) -> str:
        self._trigger += 1
        return f"{self._trigger}.1.trigger"

    def command_fields(self, text: str, user: str, channel: str) -> dict[str, str]:
        """A slash command's fields; `text` as typed, escaped as Slack escapes it (`&`,
        `<`, `>` become entities in a command's text)."""
        typed = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return {
            "token": "legacy-verification-token-unused",
            "team_id": self.team,
            "channel_id": channel,
            "channel_name": "stock",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/stock",
            "text": typed,
            "api_app_id": "A1",
            "response_url": self.standin.response_url(channel, user),
            "trigger_id": self._trigger_id(),
        }

    def command(
        self, text: str, user: str = "U1", channel: str = "C1", **options: Any
    ) -> httpx.Response:
        return self._form(self.command_fields(text, user, channel), **options)

    def click_payload(
        self,
        message: dict[str, Any] | None,
        action_id: str,
        block_id: str,
        value: str,
        user: str = "U1",
        channel: str = "C1",
        view: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A block_actions payload for a button in `message` (a channel message) or in
        `view` (App Home or a modal)."""
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "action_ts": f"{time.time():.6f}",
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team},
            "user": {"id": user, "username": user.lower(), "team_id": self.team},
            "api_app_id": "A1",
            "trigger_id": self._trigger_id(),
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "")}
            payload["view"] = view
            return payload
        ts = (message or {}).get("ts", "")
        payload.update(
            container={"type": "message", "message_ts": ts, "channel_id": channel},
            channel={"id": channel},
            message=message,
            response_url=self.standin.response_url(channel, user, message_ts=ts),
        )
        return payload

    def send_payload(self, payload: dict[str, Any], **options: Any) -> httpx.Response:
        return self._form({"payload": json.dumps(payload)}, **options)

    def click(self, *args: Any, **kwargs: Any) -> httpx.Response:
        return self.send_payload(self.click_payload(*args, **kwargs))

    def submit_view(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], user: str = "U1"
    ) -> httpx.Response:
        """A view_submission of `view` with `values` as its state."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team},
            "user": {"id": user, "team_id": self.team},
            "api_app_id": "A1",
            "view": {**view, "state": {"values": values}},
        }
        return self.send_payload(payload)

    def event(self, event: dict[str, Any]) -> httpx.Response:
        body = {
            "type": "event_callback",
            "team_id": self.team,
            "api_app_id": "A1",
            "event": event,
            "event_id": f"Ev{self._trigger_id()}",
            "event_time": int(time.time()),
        }
        return self.post(json.dumps(body), "application/json")
