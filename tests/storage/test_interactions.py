"""Once-only clicks and snoozes on SQLite and PostgreSQL: the database decides between
clicks that race, in any number of threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage import interactions
from storage.db import transaction
from storage.models import ActionClaim, Product, Snooze
from tests.conftest import NOW


def test_racing_clicks_get_exactly_one_claim(sessions: sessionmaker[Session]) -> None:
    users = [f"U{i}" for i in range(12)]
    with ThreadPoolExecutor(len(users)) as pool:
        earlier = list(
            pool.map(
                lambda user: interactions.claim(sessions, "validate:C1:1.2:rec:0", user, NOW), users
            )
        )
    winners = [user for user, claim in zip(users, earlier, strict=True) if claim is None]
    assert len(winners) == 1
    assert {claim.user_id for claim in earlier if claim is not None} == set(winners)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ActionClaim)) == 1


def test_a_released_claim_can_be_taken_again(sessions: sessionmaker[Session]) -> None:
    assert interactions.claim(sessions, "k", "U1", NOW) is None
    interactions.release(sessions, "k")
    assert interactions.claim(sessions, "k", "U2", NOW) is None
    assert interactions.claim(sessions, "k", "U3", NOW).user_id == "U2"  # type: ignore[union-attr]


def test_snoozing_again_moves_the_date_and_unsnooze_clears_it(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        product = Product(sku="EMG331", sku_key="EMG331", created_at=NOW, updated_at=NOW)
        session.add(product)
        session.flush()
        interactions.set_snooze(session, product.id, NOW + timedelta(days=1), "high", "U1", NOW)
    with transaction(sessions) as session:
        interactions.set_snooze(session, product.id, NOW + timedelta(days=3), "medium", "U2", NOW)
    with sessions() as session:
        [snooze] = session.scalars(select(Snooze)).all()
        assert (snooze.until, snooze.priority_at_snooze, snooze.created_by) == (
            NOW + timedelta(days=3),
            "medium",
            "U2",
        )
    with transaction(sessions) as session:
        assert interactions.clear_snooze(session, product.id) is True
        assert interactions.clear_snooze(session, product.id) is False
