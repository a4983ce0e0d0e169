"""The competition history on a real database (SQLite and PostgreSQL): one point per
offer read by the sync, our own active offers counted from both accounts, kept 35 days,
and nothing left behind by a transaction that fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.engine.models import Rules
from storage.competition import COMPETITION_DAYS_KEPT, record_competition
from storage.db import transaction
from storage.history import record_history
from storage.models import AlertRecord, CompetitionRecord, Offer
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.factories import offer, product

RULES = Rules()


def _read_at(sessions, moment, rank=1, offers=3, fbe_stock=0):  # type: ignore[no-untyped-def]
    snapshot = product(
        offer("main", 20, offers, rank=rank, read_at=moment),
        offer("fbe", fbe_stock, offers, rank=None, read_at=moment),
    )
    with transaction(sessions) as session:
        upsert_snapshots(session, [snapshot], moment, RULES)
        record_competition(session, moment, RULES)
        record_history(session, moment, RULES)


def _points(sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(
            select(
                CompetitionRecord.account,
                CompetitionRecord.taken_at,
                CompetitionRecord.buy_button_rank,
                CompetitionRecord.own_active,
                CompetitionRecord.competitors,
            ).order_by(CompetitionRecord.taken_at, CompetitionRecord.account)
        ).all()


def test_one_point_per_offer_read_counting_our_own_active_offers(sessions):
    _read_at(sessions, NOW)
    # MAIN has stock (ours on sale), FBE has none: 3 offers minus 1 of ours = 2.
    assert _points(sessions) == [("fbe", NOW, None, 1, 2), ("main", NOW, 1, 1, 2)]


def test_history_is_kept_35_days_and_the_lost_state_follows_it(sessions):
    start = NOW - timedelta(days=COMPETITION_DAYS_KEPT + 1)
    _read_at(sessions, start, rank=1)
    _read_at(sessions, NOW, rank=2)
    assert {taken for _account, taken, *_rest in _points(sessions)} == {NOW}
    with sessions() as session:
        lost = session.scalar(select(Offer.buy_button_lost_at).where(Offer.account == "main"))
    assert lost == NOW  # compared with the point before it was dropped


def test_a_failed_transaction_leaves_no_history(sessions):
    _read_at(sessions, NOW - timedelta(hours=4))
    before = _points(sessions)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        upsert_snapshots(session, [product(offer("main", 20, 3, rank=2))], NOW, RULES)
        record_competition(session, NOW, RULES)
        raise RuntimeError("the alert history failed")
    assert _points(sessions) == before


@pytest.mark.parametrize(("fbe_stock", "priority"), [(0, "high"), (5, "medium")])
def test_a_lost_buy_button_is_recorded_high_when_the_other_account_cannot_sell(
    sessions, fbe_stock, priority
):
    _read_at(sessions, NOW - timedelta(hours=4), rank=1, fbe_stock=fbe_stock)
    _read_at(sessions, NOW, rank=2, fbe_stock=fbe_stock)
    with sessions() as session:
        records = session.execute(
            select(AlertRecord.account, AlertRecord.priority).where(
                AlertRecord.issue == "buy_button_lost", AlertRecord.closed_at.is_(None)
            )
        ).all()
    assert records == [("main", priority)]
