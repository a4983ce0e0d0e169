"""The stand-in's channels as Slack keeps them: names vs IDs, the per-channel posting rate,
thread replies, message metadata, and reading a channel back (conversations.history,
conversations.replies, chat.getPermalink).

Each behaviour names where it comes from: ../shared/spec/slack.md or Slack's method
reference (api.slack.com/methods/<method>).
"""

from __future__ import annotations

import math
import re
import threading
import time
from typing import Any

# Slack's IDs are upper-case letters and digits (C public, G private, D direct); channel
# names are lower-case, so the two never look alike.
_ID = re.compile(r"[CGD][A-Z0-9]+")
HISTORY_SCOPES = {"C": "channels:history", "G": "groups:history", "D": "im:history"}


class PostRate:
    """slack.md: "chat.postMessage allows about 1 message per second per channel (short
    bursts only); over it Slack answers 429 with Retry-After". A token bucket per channel:
    `burst` posts at once, then `rate` a second; Retry-After in whole seconds."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, channel: str) -> int | None:
        """None when a post to `channel` may go now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, since = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - since) * self.rate)
            if tokens >= 1:
                self._buckets[channel] = (tokens - 1, now)
                return None
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))


class ChannelMethods:
    """Channels, their messages and the methods that read them. The caller holds
    `self._lock`; the attributes are set by SlackStandin.__init__."""

    _channels: dict[str, list[dict[str, Any]]]
    _names: dict[str, str]
    _scopes: set[str] | None
    _seq: int
    _last_ts: float

    def add_channel(self, name: str, channel_id: str | None = None) -> str:
        """A channel called `name` (Slack's names are lower-case); its ID."""
        with self._lock:  # type: ignore[attr-defined]
            self._seq += 1
            found = channel_id or f"C{self._seq:08d}"
            self._names[name.removeprefix("#")] = found
            self._channels.setdefault(found, [])
            return found

    def channel_id(self, channel: str, by_name: bool = False) -> str | None:
        """The ID `channel` names. slack.md: "chat.postMessage accepts [a name] and answers
        with the channel's ID, but chat.update, chat.getPermalink and file uploads need the
        ID". So a name counts only when `by_name`; an unknown name is no channel."""
        if _ID.fullmatch(channel):
            return channel
        if by_name:
            return self._names.get(channel.removeprefix("#"))
        return None

    def _next_ts(self) -> str:
        # Slack's ts is the posting time in seconds with six decimals, unique per channel.
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _post(self, channel: str, body: dict[str, Any], user: str | None = None) -> dict:
        message: dict[str, Any] = {
            "ts": self._next_ts(),
            "text": body.get("text"),
            "blocks": body.get("blocks", []),
            "user": user or "UBOT",
        }
        if isinstance(body.get("metadata"), dict):
            message["metadata"] = body["metadata"]
        parent = self._in_channel(channel, body.get("thread_ts"))
        if parent is not None:
            # api.slack.com/methods/chat.postMessage, thread_ts: a reply in the thread of
            # that message; the parent counts its replies.
            message["thread_ts"] = parent["ts"]
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        self._channels.setdefault(channel, []).append(message)
        return message

    def _in_channel(self, channel: str, ts: str | None) -> dict[str, Any] | None:
        for message in self._channels.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _missing_scope(self, channel: str) -> dict[str, Any] | None:
        """api.slack.com/methods/conversations.history: reading a public channel needs
        channels:history, a private one groups:history (the manifest must ask for it)."""
        needed = HISTORY_SCOPES.get(channel[:1], "channels:history")
        if self._scopes is None or needed in self._scopes:
            return None
        return {"ok": False, "error": "missing_scope", "needed": needed}

    def _history(self, body: dict[str, Any], thread: str | None) -> dict[str, Any]:
        """conversations.history (the channel's messages, newest first, replies left out)
        or conversations.replies (a thread, oldest first, its parent included), each within
        oldest/latest, `limit` at a time with a cursor. Metadata only with
        include_all_metadata (api.slack.com/methods/conversations.history)."""
        channel = self.channel_id(str(body.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        self._channels.setdefault(channel, [])  # an ID names a channel, empty or not
        refused = self._missing_scope(channel)
        if refused:
            return refused
        oldest, latest = float(body.get("oldest") or 0), float(body.get("latest") or math.inf)
        inclusive = str(body.get("inclusive", "")).lower() in ("1", "true")
        if thread is None:
            chosen = [m for m in self._channels[channel] if m.get("thread_ts", m["ts"]) == m["ts"]]
            chosen.reverse()
        else:
            if self._in_channel(channel, thread) is None:
                return {"ok": False, "error": "thread_not_found"}
            chosen = [m for m in self._channels[channel] if m.get("thread_ts") == thread]
        chosen = [
            m
            for m in chosen
            if (oldest <= float(m["ts"]) if inclusive else oldest < float(m["ts"]))
            and float(m["ts"]) <= latest
        ]
        start = int(body.get("cursor") or 0)
        limit = min(int(body.get("limit") or 100), 999)
        page = chosen[start : start + limit]
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [{k: v for k, v in m.items() if with_metadata or k != "metadata"} for m in page]
        more = start + limit < len(chosen)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _permalink(self, body: dict[str, Any]) -> dict[str, Any]:
        """chat.getPermalink needs the channel's ID (slack.md) and a message in it."""
        channel = self.channel_id(str(body.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = str(body.get("message_ts", ""))
        if self._in_channel(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://standin.slack.example/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}
