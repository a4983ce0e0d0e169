"""StockService: what every surface (CLI, Slack, REST) asks of the snapshot.

It loads snapshots through `storage.queries`, runs the pure engine, and shapes the
catalogue-wide reports. No Slack and no HTTP here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot import engine
from bot.clock import utcnow
from bot.engine import limits
from bot.engine.models import (
    Analysis,
    ProductSnapshot,
    Rules,
    TransferCheck,
    category_key,
)
from bot.engine.numbers import whole_number
from bot.errors import InvalidInput, NotFound
from bot.reports import (
    AlertEntry,
    AlertsReport,
    BulkItem,
    BulkReport,
    BulkSummary,
    Summary,
    alert_entry,
    alerts_report,
    summary_from,
)
from storage import competition, queries
from storage import counts as tallies
from storage.db import SideReads, transaction
from storage.status import catalogue_version, ensure_status

MAX_ALERTS = 500
COUNTS_FRESH_SECONDS = 30
MAX_BULK = 1000
_SIDE_READS = SideReads()


def _ambiguous(key: str, skus: list[str]) -> str:
    shown = ", ".join(skus[:5]) + (f" and {len(skus) - 5} more" if len(skus) > 5 else "")
    return f"{key.strip()!r} is the PNK or EAN of several products ({shown}): give the SKU"


def parse_limit(value: object, maximum: int = MAX_ALERTS, field: str = "limit") -> int:
    """A page size in 1..maximum, or InvalidInput naming `field`."""
    number = whole_number(value)
    if number is None or not 1 <= number <= maximum:
        raise InvalidInput(field, f"{field} must be a whole number from 1 to {maximum}")
    return number


class StockService:
    """Reads the snapshot and answers with the engine's models."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        rules: Rules,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.rules = rules
        self.clock = clock
        # (catalogue version, when counted, counts) of the last whole-catalogue count.
        self._counts: tuple[int, datetime, dict[str, Any]] | None = None
        # The catalogue version last checked to be classified under these rules.
        self._ensured: int | None = None

    def snapshot(self, key: str) -> ProductSnapshot:
        """The product a SKU, PNK or EAN names, or NotFound."""
        # A connection: a session's set-up costs as much as the lookup (benchmarks/analyze.py).
        with self.sessions.kw["bind"].connect() as connection:
            return self._snapshot_in(connection, key)

    def _snapshot_in(self, connection: Connection, key: str) -> ProductSnapshot:
        if not key or not key.strip():
            raise InvalidInput("sku", "a SKU is required")
        try:
            limits.lookup(key)
        except limits.FieldError as exc:
            raise InvalidInput("sku", str(exc)) from None
        lookup = queries.find_snapshots(connection, [key], self.clock())
        wanted = queries.lookup_key(key)
        if wanted in lookup.ambiguous:
            raise InvalidInput("sku", _ambiguous(key, lookup.ambiguous[wanted]))
        snapshot = lookup.found.get(wanted)
        if snapshot is None:
            raise NotFound(key.strip())
        return snapshot

    def analyzed_snapshot(self, key: str) -> ProductSnapshot:
        """The product with its competition history (the eMAG syncs'), for an analysis:
        both read on one connection (a checkout is a good part of a lookup's time)."""
        with self.sessions.kw["bind"].connect() as connection:
            snapshot = self._snapshot_in(connection, key)
            history = competition.competition_history(connection, snapshot.sku, self.clock())
        return snapshot.model_copy(update={"competition_history": history})

    def analyze(self, key: str) -> Analysis:
        return engine.analyze(self.analyzed_snapshot(key), self.clock(), self.rules)

    def validate_transfer(
        self, sku: str, from_account: object, to_account: object, amount: object
    ) -> TransferCheck:
        """Check a proposed transfer against the current snapshot; changes nothing."""
        proposal = engine.parse_proposal(sku, from_account, to_account, amount)
        product = self.snapshot(sku)
        return engine.validate_transfer(product, proposal, self.clock(), self.rules)

    def current_status(self) -> int:
        """The catalogue's version, classified under these rules.

        Another process may have classified the catalogue under other thresholds; any
        reclassification raises the version, so an unchanged one needs no new check."""
        with self.sessions() as session:
            version = catalogue_version(session)
        if version != self._ensured:
            with transaction(self.sessions) as session:
                ensure_status(session, self.rules)
                version = self._ensured = catalogue_version(session)
        return version

    def category(self, name: str | None) -> str | None:
        """The key of a category the catalogue has, or InvalidInput listing them."""
        if name is None:
            return None
        key = category_key(name)
        with self.sessions() as session:
            known = tallies.category_names(session)
        if key not in known:
            listed = ", ".join(sorted(known.values())[:10]) or "none yet"
            raise InvalidInput(
                "category", f"no product is in category {name.strip()!r}; categories: {listed}"
            )
        return key

    def alerts(self, limit: object = 50, category: str | None = None) -> AlertsReport:
        """The most urgent products, and counts per priority over the whole catalogue (or
        over one category, and its products only)."""
        size = parse_limit(limit)
        key = self.category(category)
        now = self.clock()
        if key is None and _SIDE_READS.usable(self.sessions):
            # The counts' scan (the classification's check in it) runs on a connection of
            # its own while the page is read and analysed here; a stale classification
            # (rare: other rules, a product without its row) is made current, then both
            # are read again in order.
            counting = _SIDE_READS.submit(self._checked_counts, now)
            entries = self._alert_entries(now, size, None)
            counts = counting.result()
            if counts is None:
                counts = self._recount(now)
                entries = self._alert_entries(now, size, None)
        else:
            # The counts first: they make the classification current, so the page read
            # after them is ordered by it.
            counts = self.whole_counts(now) if key is None else self._category_counts(now, key)
            entries = self._alert_entries(now, size, key)
        return alerts_report(entries, counts, size)

    def _category_counts(self, now: datetime, key: str) -> dict[str, Any]:
        self.current_status()
        with self.sessions() as session:
            return tallies.catalogue_counts(session, now, self.rules, key)

    def _alert_entries(self, now: datetime, size: int, key: str | None) -> list[AlertEntry]:
        with self.sessions() as session:
            page = queries.alert_page(session, now, self.rules, size, key)
            snapshots = queries.snapshots_by_ids(session, [row.product_id for row in page], now)
        return [
            alert_entry(engine.analyze(snapshots[row.product_id], now, self.rules)) for row in page
        ]

    def catalogue_counts(
        self, session: Session, now: datetime, version: int | None = None
    ) -> dict[str, Any]:
        """The whole-catalogue counts, one scan, shared by the alerts and the summary:
        reused while the catalogue (its `version`, read now when not given) is unchanged,
        for COUNTS_FRESH_SECONDS (only an offer reaching its weekly update in between
        could move them, and it shows next time)."""
        version = catalogue_version(session) if version is None else version
        cached = self._counts
        if (
            cached is not None
            and cached[0] == version
            and timedelta(0) <= now - cached[1] <= timedelta(seconds=COUNTS_FRESH_SECONDS)
        ):
            return cached[2]
        counts = tallies.catalogue_counts(session, now, self.rules)
        self._counts = (version, now, counts)
        return counts

    def whole_counts(self, now: datetime) -> dict[str, Any]:
        """catalogue_counts with the classification made current first: after a change,
        the count checks it in its own scan (tallies.checked_counts) and only a stale one
        is reclassified (current_status) and counted again."""
        counts = self._checked_counts(now)
        return self._recount(now) if counts is None else counts

    def _recount(self, now: datetime) -> dict[str, Any]:
        """After a check found the classification stale: made current, then counted."""
        version = self.current_status()
        with self.sessions() as session:
            return self.catalogue_counts(session, now, version)

    def _checked_counts(self, now: datetime) -> dict[str, Any] | None:
        with self.sessions() as session:
            return self._checked_counts_in(session, now)

    def _checked_counts_in(self, session: Session, now: datetime) -> dict[str, Any] | None:
        """whole_counts in the caller's session, or None when the classification is stale
        (whole_counts then makes it current in a transaction of its own)."""
        version = catalogue_version(session)
        if version == self._ensured:
            return self.catalogue_counts(session, now, version)
        counts = tallies.checked_counts(session, now, self.rules)
        if counts is not None:
            self._ensured = version
            self._counts = (version, now, counts)
        return counts

    def summary(self) -> Summary:
        """The dashboard numbers, from set-based queries over the whole catalogue."""
        now = self.clock()
        with self.sessions() as session:  # counts and runs on one checkout
            counts = self._checked_counts_in(session, now)
            if counts is not None:
                return self._summary_of(session, now, counts)
        counts = self.whole_counts(now)
        with self.sessions() as session:
            return self._summary_of(session, now, counts)

    def summary_in(self, session: Session, now: datetime, version: int | None = None) -> Summary:
        """summary() inside the caller's transaction, whose classification must be current."""
        return self._summary_of(session, now, self.catalogue_counts(session, now, version))

    def _summary_of(self, session: Session, now: datetime, counts: dict[str, Any]) -> Summary:
        return summary_from(counts, queries.last_runs(session), now, self.rules)

    def bulk(self, skus: Sequence[str]) -> BulkReport:
        """One result per SKU in input order; unknown SKUs are reported, never fatal."""
        if not skus:
            raise InvalidInput("skus", "give at least one SKU")
        if len(skus) > MAX_BULK:
            raise InvalidInput("skus", f"at most {MAX_BULK} SKUs per call, got {len(skus)}")
        now = self.clock()
        refused: dict[str, str] = {}
        for sku in skus:
            try:
                limits.lookup(sku)
            except limits.FieldError as exc:
                refused[sku] = str(exc)
        with self.sessions() as session:
            lookup = queries.find_snapshots(
                session, [sku for sku in skus if sku not in refused], now
            )
        results = []
        for sku in skus:
            wanted = queries.lookup_key(sku)
            snapshot = lookup.found.get(wanted)
            if sku in refused:
                results.append(BulkItem(sku=sku, found=False, error=refused[sku]))
            elif wanted in lookup.ambiguous:
                error = _ambiguous(sku, lookup.ambiguous[wanted])
                results.append(BulkItem(sku=sku, found=False, error=error))
            elif snapshot is None:
                results.append(BulkItem(sku=sku, found=False, error="SKU not found"))
            else:
                results.append(
                    BulkItem(
                        sku=sku, found=True, analysis=engine.analyze(snapshot, now, self.rules)
                    )
                )
        analysed = [item.analysis for item in results if item.analysis is not None]
        return BulkReport(
            requested=len(skus),
            found=len(analysed),
            results=results,
            summary=BulkSummary(
                total_analyzed=len(analysed),
                action_required=sum(1 for a in analysed if a.action_required),
                high_priority=sum(1 for a in analysed if a.priority == "high"),
            ),
        )
