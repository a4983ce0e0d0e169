"""What the digest says: the alerts as they are now against the baseline of the last sent
digest, planned into the parts the builders render, and the items the next digest will
compare with. Runs inside the digest's one planning transaction; no Slack here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot import engine
from bot.engine.models import ACCOUNTS, PRIORITIES, PRIORITY_RANK, Priority, Rules
from bot.jobs.digest_plan import (
    Baseline,
    Changes,
    CurrentAlert,
    DigestEntry,
    DigestPlan,
    compare,
)
from bot.runtime import Runtime
from storage import digest_parts, digests, queries
from storage.models import DigestItem
from storage.status import ensure_status

_RANK_NAMES: dict[int, Priority] = {PRIORITY_RANK[name]: name for name in PRIORITIES}
_ISSUE_FLAGS = (
    "zero",
    "low",
    "needs_update",
    "imbalanced",
    "unsellable",
    "overdue",
    "lost",
    "new_sellers",
)
_ISSUE_NAMES = dict(
    zip(
        _ISSUE_FLAGS,
        (
            "zero_stock_with_competition",
            "low_stock_with_competition",
            "needs_weekly_update",
            "imbalanced",
            "unsellable_offer",
            "transfer_not_arrived",
            "buy_button_lost",
            "new_seller",
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
            lost_sales=row.lost_sales,
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


def plan_digest(
    session: Session, runtime: Runtime, channel: str, now: datetime, late_note: str | None
) -> tuple[DigestPlan, Changes, list[CurrentAlert], dict[int, DigestItem]]:
    """Everything the digest will say, from the snapshot and the last sent digest; also
    the comparison, the alerts the baseline will keep, and the previous baseline."""
    rules = runtime.service.rules
    # Classify under the rules in force inside this transaction: the alerts and the
    # header counts then come from one classification (and SQLite's write lock, which
    # this transaction already holds, is never asked for by a second one).
    ensure_status(session, rules)
    current = _current_alerts(session, now, rules)
    previous = digests.last_sent(session, channel)
    before = digest_parts.items_of(session, previous.id) if previous else {}
    baseline = {pid: Baseline(item.priority, item.message_ts) for pid, item in before.items()}
    changes = compare(current, baseline, queries.active_snoozes(session, now))
    # The most urgent first: priority, then the sales it loses a day (as /stock alerts).
    ordered = sorted(
        [(alert, "new") for alert in changes.new] + [(alert, "worse") for alert in changes.worse],
        key=lambda pair: (-PRIORITY_RANK[pair[0].priority], -pair[0].lost_sales, pair[0].sku),
    )
    limit = runtime.settings.digest_max_items
    shown, overflow = ordered[:limit], ordered[limit:]
    resolved = queries.skus_by_ids(session, changes.resolved)
    summary = runtime.service.summary_in(session, now)
    plan = DigestPlan(
        counts={"high": summary.high, "medium": summary.medium, "low": summary.low},
        lost_sales_per_day=summary.estimated_lost_sales_per_day,
        data_as_of=summary.data_as_of,
        stale=summary.stale,
        entries=_entries(session, shown, now, rules),
        overflow=len(overflow),
        resolved_skus=[resolved[product_id] for product_id in changes.resolved],
        unchanged=len(changes.unchanged),
        snoozed=changes.snoozed,
        late_note=late_note,
        since=previous.day if previous else None,
    )
    # Alerts cut by the limit stay out of the baseline, so they count as new next time.
    cut = {alert.product_id for alert, _ in overflow}
    kept = [alert for alert in current if alert.product_id not in cut]
    return plan, changes, kept, before


def baseline_items(
    kept: Sequence[CurrentAlert],
    parts_of: dict[int, int],
    before: dict[int, DigestItem],
    snoozed: set[int],
) -> list[dict]:
    """The baseline the next digest compares with. Snoozed alerts stay out of it, so they
    come back as new when the snooze ends; an alert shown although snoozed (it got
    worse) stays in, so it is not new again tomorrow."""
    items = []
    for alert in kept:
        if alert.product_id in snoozed:
            continue
        earlier = before.get(alert.product_id)
        part = parts_of.get(alert.product_id)
        items.append(
            {
                "product_id": alert.product_id,
                "priority": alert.priority,
                "issues": ",".join(alert.issues),
                "part": part,
                # Unchanged alerts keep pointing at the message that showed them.
                "message_ts": None if part is not None or earlier is None else earlier.message_ts,
            }
        )
    return items
