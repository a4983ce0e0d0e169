"""The digest's comparison in SQL says what `compare` (its reference) says, on real
databases: new, worse, unchanged, snoozed and resolved, and the baseline it keeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.engine.models import Rules
from bot.intake.seed import store_snapshots
from bot.jobs.digest_plan import Baseline, CurrentAlert, compare
from storage import digest_reads
from storage.db import transaction
from storage.models import Digest, DigestItem, Product, Snooze
from storage.status import ensure_status
from tests.conftest import NOW
from tests.factories import offer, product

SHAPES = {
    "high": lambda sku: product(offer("main", 0, 3), offer("fbe", 20, 1), sku=sku),
    "medium": lambda sku: product(offer("main", 30, 3), offer("fbe", 2, 3), sku=sku),
    "low": lambda sku: product(
        offer("main", 20, 1, sent_days_ago=9), offer("fbe", 20, 1, sent_days_ago=9), sku=sku
    ),
    "normal": lambda sku: product(offer("main", 20, 1), offer("fbe", 20, 1), sku=sku),
}
# SKU: (priority now, in the last digest as, snoozed at)
CASES = {
    "NEW1": ("high", None, None),
    "NEW2": ("low", None, None),
    "WORSE1": ("high", "medium", None),
    "SAME1": ("medium", "medium", None),
    "BETTER1": ("low", "high", None),
    "SNOOZED1": ("medium", None, "medium"),
    "SNOOZED2": ("medium", "medium", "high"),
    "SNOOZEDWORSE1": ("high", None, "medium"),
    "SNOOZEDWORSE2": ("high", "low", "medium"),
    "GONE1": ("normal", "high", None),
    "GONE2": ("normal", "low", "low"),
}


def test_sql_comparison_matches_compare(sessions):  # type: ignore[no-untyped-def]
    rules = Rules()
    store_snapshots(
        sessions, [SHAPES[now](sku) for sku, (now, _b, _s) in CASES.items()], "csv", NOW, rules
    )
    with transaction(sessions) as session:
        ids = {sku: id_ for sku, id_ in session.execute(select(Product.sku, Product.id))}
        digest = Digest(
            channel="C1",
            day=(NOW - timedelta(days=1)).date(),
            status="sent",
            claimed_by="test",
            claimed_at=NOW - timedelta(days=1),
            attempts=1,
        )
        session.add(digest)
        session.flush()
        for sku, (_now, before, snoozed) in CASES.items():
            if before:
                session.add(
                    DigestItem(
                        digest_id=digest.id,
                        product_id=ids[sku],
                        priority=before,
                        issues="x",
                        message_ts=f"1.{ids[sku]}",
                    )
                )
            if snoozed:
                session.add(
                    Snooze(
                        product_id=ids[sku],
                        until=NOW + timedelta(days=2),
                        priority_at_snooze=snoozed,
                        created_by="U1",
                        created_at=NOW,
                    )
                )
        previous = digest.id
    current = [
        CurrentAlert(ids[sku], sku, now, ())
        for sku, (now, _b, _s) in CASES.items()
        if now != "normal"
    ]
    baseline = {ids[sku]: Baseline(b, f"1.{ids[sku]}") for sku, (_n, b, _s) in CASES.items() if b}
    snoozes = {ids[sku]: s for sku, (_n, _b, s) in CASES.items() if s}
    expected = compare(current, baseline, snoozes)
    kinds = {
        a.product_id: kind
        for kind in ("new", "worse", "unchanged")
        for a in getattr(expected, kind)
    }
    kinds.update(dict.fromkeys(expected.snoozed_ids, "snoozed"))

    with transaction(sessions) as session:
        ensure_status(session, rules)
        alerts = digest_reads.changes(NOW, rules, previous)
        found = {
            pid: kind for pid, kind in session.execute(select(alerts.c.product_id, alerts.c.change))
        }
        assert found == kinds
        counts = digest_reads.change_counts(session, NOW, rules, previous)
        assert counts == {kind: list(kinds.values()).count(kind) for kind in counts}
        resolved = digest_reads.resolved_skus(session, previous, alerts)
        by_id = {product_id: sku for sku, product_id in ids.items()}
        assert resolved == [by_id[product_id] for product_id in sorted(expected.resolved)]
        shown, changed = digest_reads.most_urgent(session, alerts, limit=3)
        assert changed == len(expected.new) + len(expected.worse)
        assert [(a.sku, a.change) for a in shown] == [
            ("NEW1", "new"),
            ("SNOOZEDWORSE1", "new"),
            ("SNOOZEDWORSE2", "worse"),
        ]
        later = Digest(
            channel="C1", day=NOW.date(), status="claimed", claimed_by="t", claimed_at=NOW
        )
        session.add(later)
        session.flush()
        digest_reads.keep_unchanged(session, alerts, later.id)
        kept = session.execute(
            select(DigestItem.product_id, DigestItem.priority, DigestItem.message_ts).where(
                DigestItem.digest_id == later.id
            )
        ).all()
        assert sorted(tuple(row) for row in kept) == sorted(
            (a.product_id, a.priority, f"1.{a.product_id}") for a in expected.unchanged
        )
