"""Posting a digest's planned parts exactly once: the channel message, then the replies
in its thread, paced, each marked with its id in Slack's message `metadata`.

A post whose answer never came (a dropped connection, a 5xx) may or may not be in the
channel. Before it is sent again, the channel is asked (conversations.history for the
channel message, conversations.replies for a reply, since the attempt): found, it is
recorded; not there, it is sent again. When the channel cannot be read, the part is left
as "unknown" and the digest fails saying so; the next run asks again before posting.
No database transaction is open while Slack is called.
"""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.slack_client import Pacer
from storage import digest_parts, digests
from storage.db import transaction
from storage.digests import Claim
from storage.models import DigestMessage

log = logging.getLogger(__name__)
EVENT_TYPE = "stockbot_digest_part"
SENDS_PER_PART = 3
# Slack's clock and ours may differ: look this much further back than the attempt.
CLOCK_SKEW = timedelta(minutes=5)
_LOST = (OSError, http.client.HTTPException)  # URLError, resets, timeouts, bad answers


class PartFailed(Exception):
    """A part could not be posted (or its fate cannot be known); the message says why."""


class ClaimLost(Exception):
    """Another run took the digest over (this one's lease lapsed)."""


def slack_failure(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        return f"Slack answered HTTP {status} ({exc.response.get('error', 'error')})"
    return f"Slack unreachable or its answer lost ({type(exc).__name__})"


def _wall_clock() -> datetime:
    # Compared with Slack's message times, so the real time, never a test's clock.
    return datetime.now(UTC)


@dataclass
class DigestPoster:
    runtime: Runtime
    client: WebClient
    claim: Claim
    owner: str
    channel: str  # as configured: a name or an ID
    day: str
    lease: timedelta

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.runtime.settings.slack_posts_per_second)
        # A configured ID is the ID; a name is known once Slack has answered a post.
        self.channel_id = self.claim.channel_id or (
            self.channel if _looks_like_id(self.channel) else None
        )
        self.posted = 0
        self.head_ts: str | None = None

    def _parts(self) -> list[DigestMessage]:
        with self.runtime.sessions() as session:
            return digest_parts.parts(session, self.claim.digest_id)

    def settle_unknown(self) -> None:
        """Parts sent by an earlier run whose answer never came: recorded if the channel
        has them, else known not to be there."""
        parts = self._parts()
        for part in parts:
            if part.ts is None and part.attempted_at is not None:
                self._settle(part, parts)

    def post_all(self) -> int:
        """Post every part not yet in the channel, in order; the number posted."""
        parts = self._parts()
        for part in parts:
            if part.ts is None:
                self._deliver(part, parts)
        self.head_ts = parts[0].ts if parts else None
        return self.posted

    def _deliver(self, part: DigestMessage, parts: list[DigestMessage]) -> None:
        payload = json.loads(part.payload)
        reason = "not sent"
        for _ in range(SENDS_PER_PART):
            self.pacer.wait()
            self._attempt(part)
            try:
                answer = self.client.chat_postMessage(
                    channel=self.channel_id or self.channel,
                    thread_ts=parts[0].ts if part.part else None,
                    metadata={"event_type": EVENT_TYPE, "event_payload": self._marker(part)},
                    **payload,
                )
            except SlackApiError as exc:
                reason = slack_failure(exc)
                if exc.response.status_code < 500:
                    # Slack refused it (or kept rate limiting it): it was not posted.
                    log.warning("digest part %s refused: %s", part.part, reason, exc_info=True)
                    self._forget_attempt(part)
                    raise PartFailed(f"part {part.part}: {reason}") from None
            except _LOST as exc:
                reason = slack_failure(exc)
            else:
                self._record(part, answer["ts"], answer["channel"])
                return
            log.warning(
                "digest part %s: %s; looking for it in the channel",
                part.part,
                reason,
                exc_info=True,
            )
            if self._settle(part, parts):
                return
        raise PartFailed(f"part {part.part}: {reason}, {SENDS_PER_PART} times")

    def _settle(self, part: DigestMessage, parts: list[DigestMessage]) -> bool:
        """Whether `part` (sent, its answer lost) is in the channel; recorded if so."""
        found = self._look_for(part, parts)
        if found is None:
            self._forget_attempt(part)
            return False
        self._record(part, found, self.channel_id or self.channel)
        return True

    def _look_for(self, part: DigestMessage, parts: list[DigestMessage]) -> str | None:
        head = parts[0].ts
        if self.channel_id is None or (part.part and head is None):
            raise PartFailed(
                f"part {part.part}: Slack's answer was lost and {self.channel} is configured "
                "by name, so its history cannot be read to see whether the part arrived; "
                "recorded as unknown (set STOCKBOT_ALERT_CHANNEL to the channel's ID)"
            )
        assert part.attempted_at is not None
        since = f"{(part.attempted_at - CLOCK_SKEW).timestamp():.6f}"
        try:
            for message in self._history(since, head if part.part else None):
                meta = message.get("metadata") or {}
                if meta.get("event_type") == EVENT_TYPE and meta.get(
                    "event_payload"
                ) == self._marker(part):
                    return str(message["ts"])
        except (SlackApiError, *_LOST) as exc:
            raise PartFailed(
                f"part {part.part}: Slack's answer was lost and the channel's history could "
                f"not be read ({slack_failure(exc)}); recorded as unknown: the next run "
                "looks for it again before posting"
            ) from None
        return None

    def _history(self, since: str, thread: str | None) -> Iterator[dict[str, Any]]:
        assert self.channel_id is not None
        common = {"channel": self.channel_id, "oldest": since, "limit": 200}
        if thread is None:
            pages = self.client.conversations_history(include_all_metadata=True, **common)
        else:
            pages = self.client.conversations_replies(
                ts=thread, include_all_metadata=True, **common
            )
        for page in pages:
            yield from page.get("messages") or []

    def _marker(self, part: DigestMessage) -> dict[str, Any]:
        return {"digest": self.claim.digest_id, "day": self.day, "part": part.part}

    def _attempt(self, part: DigestMessage) -> None:
        part.attempted_at = _wall_clock()
        now = self.runtime.service.clock()
        with transaction(self.runtime.sessions) as session:
            if not digests.renew(session, self.claim.digest_id, self.owner, now, self.lease):
                raise ClaimLost
            digest_parts.note_attempt(session, part.id, part.attempted_at)

    def _forget_attempt(self, part: DigestMessage) -> None:
        part.attempted_at = None
        with transaction(self.runtime.sessions) as session:
            digest_parts.note_attempt(session, part.id, None)

    def _record(self, part: DigestMessage, ts: str, channel_id: str) -> None:
        part.ts, self.channel_id = ts, channel_id
        with transaction(self.runtime.sessions) as session:
            digest_parts.mark_posted(session, part.id, ts, channel_id, self.runtime.service.clock())
            if self.claim.channel_id != channel_id:
                digests.set_channel_id(session, self.claim.digest_id, channel_id)
        self.posted += 1


def _looks_like_id(channel: str) -> bool:
    """Slack's channel IDs are upper-case letters and digits; names are lower-case."""
    return channel[:1] in "CGD" and channel.isalnum() and channel.isupper()
