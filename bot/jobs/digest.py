"""The daily alert digest: what changed since the last one, planned, then posted once.

A run claims the day for the channel in the database (a lease it renews while posting),
plans its parts (stored with the items they report), posts the parts not yet in the
channel (`digest_post.py`) and marks the digest sent. A failure is recorded with its
reason and the next run retries, saying it is late; a run whose process died is taken
over once its lease lapses. Items of earlier digests that have resolved since are marked
so in their message. No database transaction is open while Slack is called.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot import interactions
from bot.i18n import _, counted
from bot.jobs.digest_content import plan_digest, save_baseline
from bot.jobs.digest_plan import DigestOutcome
from bot.jobs.digest_post import ClaimLost, DigestPoster, PartFailed, slack_failure
from bot.runtime import Runtime
from bot.settings import ConfigError
from handlers.blocks.digest import build_digest_messages, mark_resolved
from storage import digest_parts, digest_reads, digests, queries
from storage.db import transaction
from storage.digests import Claim, Taken
from storage.models import DigestItem, DigestMessage

log = logging.getLogger(__name__)
# This process's name on the claims it holds; the token tells it from an earlier process
# that had the same pid (a restarted container).
OWNER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
_active: set[int] = set()  # the digests this process is posting right now
_active_lock = threading.Lock()


def holder_gone(owner: str, digest_id: int) -> bool:
    """Whether the run holding a claim is certainly dead: this process, but not posting
    it any more, or a process of this host that no longer exists."""
    if owner == OWNER:
        with _active_lock:
            return digest_id not in _active
    host, _colon, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


@contextmanager
def _holding(runtime: Runtime, claim: Claim, lease: timedelta) -> Iterator[None]:
    """While the block runs, the claim is this process's and its lease is renewed every
    third of its length (so a long Retry-After wait does not let it lapse)."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            with transaction(runtime.sessions) as session:
                now = runtime.service.clock()
                if not digests.renew(session, claim.digest_id, OWNER, now, lease):
                    return

    with _active_lock:
        _active.add(claim.digest_id)
    heartbeat = threading.Thread(target=renew, name="digest-lease", daemon=True)
    heartbeat.start()
    try:
        yield
    finally:
        stop.set()
        heartbeat.join()
        with _active_lock:
            _active.discard(claim.digest_id)


def _plan(runtime: Runtime, claim: Claim, channel: str, now: datetime) -> None:
    """Plan the digest afresh, unless a part of it was already sent."""
    settings = runtime.settings
    with transaction(runtime.sessions) as session:
        if digest_parts.started(session, claim.digest_id):
            return
        day = now.astimezone(settings.zone).date()
        digest_parts.drop_plan(session, claim.digest_id)
        missed = digests.earlier_failures(session, channel, day)
        notes = [
            _("the attempt of {day} failed ({why})").format(day=d.day, why=d.error)
            if d.status == "failed"
            else _("the digest of {day} did not finish posting").format(day=d.day)
            for d in missed
        ]
        if claim.resumed:
            notes.append(_("the first attempt failed ({why})").format(why=claim.previous_error))
        late_note = (_("Late:") + " " + "; ".join(notes)) if notes else None
        planned = plan_digest(session, runtime, channel, now, late_note)
        payloads, parts_of = build_digest_messages(
            planned.plan, settings.zone, nothing_new_line=settings.digest_all_clear
        )
        digest_parts.save_plan(session, claim.digest_id, channel, payloads)
        save_baseline(session, claim.digest_id, planned, parts_of)
        digests.supersede(session, missed)


def run_digest(
    runtime: Runtime, client: WebClient, now: datetime, force: bool = False
) -> DigestOutcome:
    """Claim, plan, post and record the digest; the scheduler and `stockbot digest` call it.

    `client` should not resend on 5xx or lost answers (make_web_client(resend=False)):
    the poster settles those by looking in the channel."""
    settings = runtime.settings
    channel = settings.alert_channel
    if not channel:
        raise ConfigError("STOCKBOT_ALERT_CHANNEL is not set")
    day = now.astimezone(settings.zone).date()
    slot = f"manual:{now.isoformat()}" if force else "daily"
    lease = timedelta(seconds=settings.digest_lease_seconds)

    with transaction(runtime.sessions) as session:
        claim = digests.claim_digest(
            session,
            channel,
            day,
            slot,
            OWNER,
            now,
            lease,
            holder_gone,
        )
    if isinstance(claim, Taken):
        return DigestOutcome("skipped", claim.reason)
    poster = DigestPoster(runtime, client, claim, OWNER, channel, day.isoformat(), lease)
    with _holding(runtime, claim, lease):
        try:
            poster.settle_unknown()
            _plan(runtime, claim, channel, now)
            posted = poster.post_all()
        except ClaimLost:
            return DigestOutcome("skipped", "another run took the digest over", poster.posted)
        except PartFailed as exc:
            log.warning("digest for %s on %s failed: %s", channel, day, exc)
            with transaction(runtime.sessions) as session:
                digests.finish(session, claim.digest_id, now, error=str(exc))
            return DigestOutcome("failed", str(exc), poster.posted, poster.channel_id)
        with transaction(runtime.sessions) as session:
            digests.finish(session, claim.digest_id, now)
    follow_up_resolved(runtime, client, now)
    replies = max(0, posted - (1 if poster.head_ts else 0))
    return DigestOutcome(
        "sent",
        counted(
            posted,
            "{n} message posted to {channel} ({replies} in the thread)",
            "{n} messages posted to {channel} ({replies} in the thread)",
            channel=channel,
            replies=replies,
        ),
        posted,
        poster.channel_id,
        _permalink(client, poster.channel_id, poster.head_ts),
    )


def _permalink(client: WebClient, channel_id: str | None, ts: str | None) -> str | None:
    """A link to the digest's channel message (chat.getPermalink needs the channel's ID)."""
    if not channel_id or not ts:
        return None
    try:
        return str(client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
    except Exception as exc:  # the digest is sent; a missing link is only a missing link
        log.warning("no link to the digest: %s", slack_failure(exc), exc_info=True)
        return None


def follow_up_resolved(runtime: Runtime, client: WebClient, now: datetime) -> int:
    """Mark alerts that no longer alert as resolved in the digest messages that showed
    them (chat.update, through the channel's ID); returns the messages updated. Reads
    first, calls Slack with no transaction open, then records; failed updates are tried
    again next time."""
    channel = runtime.settings.alert_channel
    if not channel:
        return 0
    with runtime.sessions() as session:
        alerting = digest_reads.alerting(now, runtime.service.rules)
        shown = digest_parts.shown_unresolved(session, channel, alerting)
        skus = queries.skus_by_ids(session, {item.product_id for _index, item in shown})
    by_message: dict[int, tuple[DigestMessage, list[DigestItem]]] = {}
    for message, item in shown:
        by_message.setdefault(message.id, (message, []))[1].append(item)
    updated = 0
    for message, items in by_message.values():
        if _mark_resolved(
            runtime, client, message, {i.product_id: skus[i.product_id] for i in items}, now
        ):
            with transaction(runtime.sessions) as session:
                digest_parts.record_resolved(session, [item.id for item in items], now)
            updated += 1
    return updated


def _mark_resolved(
    runtime: Runtime, client: WebClient, message: DigestMessage, skus: dict[int, str], now: datetime
) -> bool:
    """Edit one digest message so these products show as resolved; whether Slack took it."""
    zone = runtime.settings.zone
    posted = json.loads(message.payload)

    def change(current: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        payload: dict[str, Any] = {"blocks": current}
        for product_id, sku in skus.items():
            payload = mark_resolved(payload, product_id, sku, now, zone)
        return posted.get("text") or "", payload["blocks"]

    def send(text: str, blocks: list[dict[str, Any]]) -> bool:
        try:
            client.chat_update(channel=message.channel, ts=message.ts, text=text, blocks=blocks)
        except Exception as exc:  # left for the next run to try again
            log.warning(
                "could not mark resolved alerts in %s: %s",
                message.ts,
                slack_failure(exc),
                exc_info=True,
            )
            return False
        return True

    assert message.ts is not None
    return interactions.edit_message(
        runtime.service, message.channel, message.ts, posted, change, send
    )
