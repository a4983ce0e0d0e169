"""The digest's data: the alerts as they are now, the baseline of the last digest, how
they compare, and the plan the builders render (handlers/blocks/digest.py).

Plain data and one pure function; it imports nothing of the jobs, storage or Slack, so
the builders can import it without a circle. `compare` says what new, worse, unchanged,
snoozed and resolved mean; the digest runs it as SQL (storage/digest_reads.py, held
equal to it by tests/storage/test_digest_reads.py) so as not to hold the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.engine.models import PRIORITY_RANK, Priority, Recommendation


@dataclass(frozen=True)
class CurrentAlert:
    product_id: int
    sku: str
    priority: Priority
    issues: tuple[str, ...]
    lost_sales: Decimal = Decimal(0)  # RON a day


@dataclass(frozen=True)
class Baseline:
    priority: Priority
    message_ts: str | None


@dataclass
class Changes:
    """How the current alerts differ from the last digest's."""

    new: list[CurrentAlert] = field(default_factory=list)
    worse: list[CurrentAlert] = field(default_factory=list)
    unchanged: list[CurrentAlert] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    # Left out because snoozed (and not worse than when snoozed).
    snoozed_ids: set[int] = field(default_factory=set)

    @property
    def snoozed(self) -> int:
        return len(self.snoozed_ids)


def compare(
    current: Sequence[CurrentAlert], baseline: dict[int, Baseline], snoozed: dict[int, str]
) -> Changes:
    """New, worse, unchanged (better counts here too) and resolved alerts.

    A snoozed alert is left out unless it got worse than when it was snoozed.
    """
    changes = Changes()
    for alert in current:
        rank = PRIORITY_RANK[alert.priority]
        if alert.product_id in snoozed and rank <= PRIORITY_RANK[snoozed[alert.product_id]]:
            changes.snoozed_ids.add(alert.product_id)
            continue
        before = baseline.get(alert.product_id)
        if before is None:
            changes.new.append(alert)
        elif rank > PRIORITY_RANK[before.priority]:
            changes.worse.append(alert)
        else:
            changes.unchanged.append(alert)
    alerting = {alert.product_id for alert in current}
    changes.resolved = [product_id for product_id in baseline if product_id not in alerting]
    return changes


@dataclass
class DigestEntry:
    """One new or worse alert as the digest shows it."""

    product_id: int
    sku: str
    name: str | None
    priority: Priority
    change: str
    issues: tuple[str, ...]
    stock_main: int
    stock_fbe: int
    top_recommendation: Recommendation | None
    lost_sales: Decimal = Decimal(0)  # RON a day
    # The numbers a seller decides by (None: unknown), as the alerts carry them.
    listed_on: tuple[str, ...] = ("main", "fbe")
    sales_per_day_main: float | None = None
    sales_per_day_fbe: float | None = None
    days_of_cover_main: float | None = None
    days_of_cover_fbe: float | None = None
    in_transit_main: int = 0
    in_transit_fbe: int = 0
    snoozed_until: datetime | None = None


@dataclass
class DigestPlan:
    """What the digest says. `entries` are the new or worse alerts, most urgent first
    (priority, then lost sales); `since` is the day of the digest compared with."""

    counts: dict[str, int]
    lost_sales_per_day: Decimal
    data_as_of: datetime | None
    stale: bool
    entries: list[DigestEntry]
    overflow: int
    resolved_skus: list[str]
    unchanged: int
    snoozed: int
    late_note: str | None
    since: date | None = None

    @property
    def open_alerts(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class DigestOutcome:
    status: str  # sent | skipped | failed
    detail: str
    parts_posted: int = 0
    channel_id: str | None = None
    permalink: str | None = None
