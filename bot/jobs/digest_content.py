"""What the digest says: the alerts as they are now against the baseline of the last sent
digest, planned into the parts the builders render, and the items the next digest will
compare with. Runs inside the digest's one planning transaction; no Slack here. The
comparison and the counts are SQL (storage/digest_reads.py): only the alerts shown are
read whole, so memory does not grow with the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery
from sqlalchemy.orm import Session

from bot import engine
from bot.engine.models import ACCOUNTS, Rules
from bot.jobs.digest_plan import DigestEntry, DigestPlan
from bot.runtime import Runtime
from storage import digest_parts, digest_reads, digests
from storage.digest_reads import Shown
from storage.status import ensure_status


def _entries(
    session: Session, shown: Sequence[Shown], now: datetime, rules: Rules
) -> list[DigestEntry]:
    snapshots = digest_reads.snapshots(session, [alert.product_id for alert in shown], now)
    entries = []
    for alert in shown:
        analysis = engine.analyze(snapshots[alert.product_id], now, rules)
        entries.append(
            DigestEntry(
                product_id=alert.product_id,
                sku=analysis.sku,
                name=analysis.name,
                priority=analysis.priority,
                change=alert.change,
                issues=tuple(analysis.issues),
                stock_main=analysis.current_situation.stock_main,
                stock_fbe=analysis.current_situation.stock_fbe,
                top_recommendation=analysis.recommendations[0]
                if analysis.recommendations
                else None,
                lost_sales=alert.lost_sales,
                listed_on=tuple(analysis.listed_on),
                **{
                    f"{name}_{account}": getattr(analysis.current_situation, f"{name}_{account}")
                    for name in ("sales_per_day", "days_of_cover", "in_transit")
                    for account in ACCOUNTS
                },
                snoozed_until=analysis.snoozed_until,
            )
        )
    return entries


@dataclass(frozen=True)
class Planned:
    """The plan, the alerts it shows, and the comparison the baseline is written from."""

    plan: DigestPlan
    shown: list[Shown]
    alerts: Subquery


def plan_digest(
    session: Session, runtime: Runtime, channel: str, now: datetime, late_note: str | None
) -> Planned:
    """Everything the digest will say, from the snapshot and the last sent digest: the
    counts from aggregates, only the shown alerts read whole."""
    rules = runtime.service.rules
    # Classify under the rules in force inside this transaction: the alerts and the
    # header counts then come from one classification (and SQLite's write lock, which
    # this transaction already holds, is never asked for by a second one).
    ensure_status(session, rules)
    previous = digests.last_sent(session, channel)
    alerts = digest_reads.changes(now, rules, previous.id if previous else None)
    counts = digest_reads.change_counts(session, now, rules, previous.id if previous else None)
    limit = runtime.settings.digest_max_items
    # The most urgent first: priority, then the sales it loses a day (as /stock alerts).
    shown, changed = digest_reads.most_urgent(session, alerts, limit)
    summary = runtime.service.summary_in(session, now)
    plan = DigestPlan(
        counts={"high": summary.high, "medium": summary.medium, "low": summary.low},
        lost_sales_per_day=summary.estimated_lost_sales_per_day,
        data_as_of=summary.data_as_of,
        stale=summary.stale,
        entries=_entries(session, shown, now, rules),
        overflow=changed - len(shown),
        resolved_skus=digest_reads.resolved_skus(session, previous.id, alerts) if previous else [],
        unchanged=counts["unchanged"],
        snoozed=counts["snoozed"],
        late_note=late_note,
        since=previous.day if previous else None,
    )
    return Planned(plan, shown, alerts)


def save_baseline(
    session: Session, digest_id: int, planned: Planned, parts_of: dict[int, int]
) -> None:
    """The baseline the next digest compares with: the shown alerts with the part that
    shows them, and the unchanged ones still pointing at the message that showed them.
    Alerts cut by the limit stay out, so they count as new next time; snoozed alerts
    stay out too, so they come back as new when the snooze ends (one shown although
    snoozed, as it got worse, stays in, so it is not new again tomorrow)."""
    items = []
    for alert in planned.shown:
        part = parts_of.get(alert.product_id)
        items.append(
            {
                "product_id": alert.product_id,
                "priority": alert.priority,
                "issues": alert.issues,
                "part": part,
                "message_ts": None if part is not None else alert.earlier_ts,
            }
        )
    digest_parts.save_items(session, digest_id, items)
    if planned.plan.since is not None:  # a first digest has nothing unchanged
        digest_reads.keep_unchanged(session, planned.alerts, digest_id)
