"""The daily alert digest: what changed since the last one, planned, then posted once.

A run claims the day for the channel in the database, plans its messages (stored with
the items they report), posts the parts not yet posted, and marks the digest sent. A
failure is recorded with its reason and the next run retries, saying it is late. Items
of earlier digests that have resolved since are marked so in their message.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import engine
from bot.engine.models import PRIORITIES, PRIORITY_RANK, Priority, Rules
from bot.jobs.digest_plan import (
    Baseline,
    Changes,
    CurrentAlert,
    DigestEntry,
    DigestOutcome,
    DigestPlan,
    compare,
)
from bot.runtime import Runtime
from bot.settings import ConfigError
from handlers.blocks.digest import build_digest_messages, mark_resolved
from storage import digests, queries
from storage.db import transaction
from storage.messages import lock_message
from storage.models import DigestItem
from storage.status import ensure_status

log = logging.getLogger(__name__)
_RANK_NAMES: dict[int, Priority] = {PRIORITY_RANK[name]: name for name in PRIORITIES}
_ISSUE_FLAGS = ("zero", "low", "needs_update", "imbalanced", "unsellable")
_ISSUE_NAMES = dict(
    zip(
        _ISSUE_FLAGS,
        (
            "zero_stock_with_competition",
            "low_stock_with_competition",
            "needs_weekly_update",
            "imbalanced",
            "unsellable_offer",
        ),
        strict=True,
    )
)


def _current_alerts(session: Session, now: datetime, rules: Rules) -> list[CurrentAlert]:
    return [
        CurrentAlert(
            product_id=row.product_id,
            sku=row.sku,
            priority=_RANK_NAMES[row.priority_rank],
            issues=tuple(_ISSUE_NAMES[flag] for flag in _ISSUE_FLAGS if getattr(row, flag)),
        )
        for row in queries.alert_page(session, now, rules, limit=None)
    ]


def _entries(
    session: Session, alerts: Sequence[tuple[CurrentAlert, str]], now: datetime, rules: Rules
) -> list[DigestEntry]:
    snapshots = queries.snapshots_by_ids(session, [alert.product_id for alert, _ in alerts], now)
    entries = []
    for alert, change in alerts:
        analysis = engine.analyze(snapshots[alert.product_id], now, rules)
        entries.append(
            DigestEntry(
                product_id=alert.product_id,
                sku=analysis.sku,
                name=analysis.name,
                priority=analysis.priority,
                change=change,
                issues=tuple(analysis.issues),
                stock_main=analysis.current_situation.stock_main,
                stock_fbe=analysis.current_situation.stock_fbe,
                top_recommendation=analysis.recommendations[0]
                if analysis.recommendations
                else None,
            )
        )
    return entries


def plan_digest(
    session: Session, runtime: Runtime, channel: str, now: datetime, late_note: str | None
) -> tuple[DigestPlan, Changes, list[CurrentAlert]]:
    """Everything the digest will say, from the snapshot and the last sent digest."""
    rules = runtime.service.rules
    # Classify under the rules in force inside this transaction: the alerts and the
    # header counts then come from one classification (and SQLite's write lock, which
    # this transaction already holds, is never asked for by a second one).
    ensure_status(session, rules)
    current = _current_alerts(session, now, rules)
    baseline = {
        product_id: Baseline(item.priority, item.message_ts)
        for product_id, item in digests.baseline_items(session, channel).items()
    }
    changes = compare(current, baseline, queries.active_snoozes(session, now))
    ordered = sorted(
        [(alert, "new") for alert in changes.new] + [(alert, "worse") for alert in changes.worse],
        key=lambda pair: (-PRIORITY_RANK[pair[0].priority], pair[0].sku),
    )
    limit = runtime.settings.digest_max_items
    shown, overflow = ordered[:limit], ordered[limit:]
    resolved = queries.skus_by_ids(session, changes.resolved)
    summary = runtime.service.summary_in(session, now)
    plan = DigestPlan(
        counts={"high": summary.high, "medium": summary.medium, "low": summary.low},
        data_as_of=summary.data_as_of,
        stale=summary.stale,
        entries=_entries(session, shown, now, rules),
        overflow=len(overflow),
        resolved_skus=[resolved[product_id] for product_id in changes.resolved],
        unchanged=len(changes.unchanged),
        snoozed=changes.snoozed,
        late_note=late_note,
    )
    # Alerts cut by the limit stay out of the baseline, so they count as new next time.
    cut = {alert.product_id for alert, _ in overflow}
    kept = [alert for alert in current if alert.product_id not in cut]
    return plan, changes, kept


def _items(
    kept: Sequence[CurrentAlert],
    parts_of: dict[int, int],
    baseline: dict[int, DigestItem],
    snoozed: set[int],
) -> list[dict]:
    """The baseline the next digest compares with. Snoozed alerts stay out of it, so they
    come back as new when the snooze ends; an alert shown although snoozed (it got
    worse) stays in, so it is not new again tomorrow."""
    items = []
    for alert in kept:
        if alert.product_id in snoozed:
            continue
        before = baseline.get(alert.product_id)
        part = parts_of.get(alert.product_id)
        items.append(
            {
                "product_id": alert.product_id,
                "priority": alert.priority,
                "issues": ",".join(alert.issues),
                "part": part,
                # Unchanged alerts keep pointing at the message that showed them.
                "message_ts": None if part is not None or before is None else before.message_ts,
            }
        )
    return items


def _slack_failure(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        return f"Slack answered HTTP {status} ({exc.response.get('error', 'error')}) after retries"
    return f"Slack unreachable ({type(exc).__name__}) after retries"


def run_digest(
    runtime: Runtime, client: WebClient, now: datetime, force: bool = False
) -> DigestOutcome:
    """Claim, plan, post and record the digest; the scheduler and `stockbot digest` call it."""
    settings = runtime.settings
    channel = settings.alert_channel
    if not channel:
        raise ConfigError("STOCKBOT_ALERT_CHANNEL is not set")
    zone = settings.zone
    day = now.astimezone(zone).date()
    slot = f"manual:{now.isoformat()}" if force else "daily"
    owner = f"{socket.gethostname()}:{os.getpid()}"

    with transaction(runtime.sessions) as session:
        claim = digests.claim_digest(session, channel, day, slot, owner, now)
        if claim is None:
            return DigestOutcome("skipped", f"the digest of {day} for {channel} is sent or taken")
        posted_before = digests.has_posted(session, claim.digest_id)
        if not posted_before:
            digests.drop_plan(session, claim.digest_id)
            missed = digests.earlier_failures(session, channel, day)
            notes = [
                f"the attempt of {d.day} failed ({d.error})"
                if d.status == "failed"
                else f"the digest of {d.day} did not finish posting"
                for d in missed
            ]
            if claim.resumed:
                notes.append(f"the first attempt failed ({claim.previous_error})")
            late_note = ("Late: " + "; ".join(notes)) if notes else None
            plan, changes, kept = plan_digest(session, runtime, channel, now, late_note)
            payloads, parts_of = build_digest_messages(
                plan, zone, all_clear=settings.digest_all_clear
            )
            baseline = digests.baseline_items(session, channel)
            digests.save_plan(
                session,
                claim.digest_id,
                channel,
                payloads,
                _items(kept, parts_of, baseline, changes.snoozed_ids),
            )
            digests.supersede(session, missed)

    posted = 0
    with runtime.sessions() as session:
        parts = digests.unposted_parts(session, claim.digest_id)
    for part in parts:
        try:
            answer = client.chat_postMessage(channel=channel, **json.loads(part.payload))
        except Exception as exc:  # any failure left after the client's retries
            reason = _slack_failure(exc)
            log.warning("digest for %s on %s failed: %s", channel, day, reason)
            with transaction(runtime.sessions) as session:
                digests.finish(session, claim.digest_id, now, error=reason)
            return DigestOutcome("failed", reason, posted)
        with transaction(runtime.sessions) as session:
            digests.mark_posted(session, part.id, answer["ts"], now)
        posted += 1
    with transaction(runtime.sessions) as session:
        digests.finish(session, claim.digest_id, now)
    follow_up_resolved(runtime, client, now)
    return DigestOutcome("sent", f"{posted} message(s) posted to {channel}", posted)


def follow_up_resolved(runtime: Runtime, client: WebClient, now: datetime) -> int:
    """Mark alerts that no longer alert as resolved in the digest messages that showed
    them (chat.update); returns the messages updated. Failed updates are tried again
    next time."""
    channel = runtime.settings.alert_channel
    if not channel:
        return 0
    zone = runtime.settings.zone
    updated = 0
    with transaction(runtime.sessions) as session:
        alerting = queries.alerting_product_ids(now, runtime.service.rules)
        items = digests.shown_unresolved(session, channel, alerting)
        skus = queries.skus_by_ids(session, {item.product_id for item in items})
        by_message: dict[str, list[DigestItem]] = {}
        for item in items:
            by_message.setdefault(item.message_ts or "", []).append(item)
        for ts, shown in by_message.items():
            message = digests.message_by_ts(session, channel, ts)
            if message is None:
                continue
            posted = json.loads(message.payload)
            # Start from what the message shows now (clicks may have edited it), locked
            # against a click editing it at the same time.
            state = lock_message(
                session, channel, ts, posted.get("text") or "", posted.get("blocks", []), now
            )
            payload = {"text": state.text, "blocks": json.loads(state.blocks)}
            for product_id in {item.product_id for item in shown}:
                payload = mark_resolved(payload, product_id, skus[product_id], now, zone)
            try:
                client.chat_update(channel=channel, ts=ts, **payload)
            except Exception as exc:  # left for the next run to try again
                log.warning("could not mark resolved alerts in %s: %s", ts, _slack_failure(exc))
                continue
            state.text, state.blocks = payload["text"], json.dumps(payload["blocks"])
            message.payload = json.dumps(payload)
            for item in shown:
                item.resolved_at = now
            updated += 1
    return updated
