"""The SQL plan (storage.plan_lines through bot.plan_service) and the engine's plan
(bot.engine.plan over bot.engine.analyze of every stored snapshot) are the same plan:
the same lines in the same order, the same totals, on random catalogues and rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot import plan_service
from bot.engine import analyze
from bot.engine.models import ProductSnapshot
from bot.engine.plan import build_plan
from bot.service import StockService
from storage import queries
from storage.db import transaction
from storage.models import Offer, Product
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.storage.test_classifier_matches_engine import catalogues, rule_sets
from tests.strategies import examples

LEAD_TIMES = st.sampled_from([None, None, 0, 3, 30])


@st.composite
def with_lead_times(draw, catalogue: list[ProductSnapshot]):  # type: ignore[no-untyped-def]
    """The catalogue with eMAG's supply lead time on some offers (a restock's days)."""
    found = []
    for snapshot in catalogue:
        offers = {
            account: offer.model_copy(update={"supply_lead_time": draw(LEAD_TIMES)})
            for account in ("main", "fbe")
            if (offer := snapshot.offer(account)) is not None
        }
        found.append(snapshot.model_copy(update=offers))
    return found


def _engine_plan(service: StockService, min_units: int):  # type: ignore[no-untyped-def]
    """The reference: every stored product analysed by the engine."""
    with service.sessions() as session:
        ids = list(session.scalars(select(Product.id).order_by(Product.id)))
        snapshots = queries.snapshots_by_ids(session, ids, NOW)
    items = ((snapshots[i], analyze(snapshots[i], NOW, service.rules)) for i in ids)
    return build_plan(items, NOW, min_units)


def test_the_sql_plan_is_the_engines_plan(sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 3 ids: lines must not be lost or doubled at a batch's edges.
    monkeypatch.setattr(plan_service, "BATCH", 3)

    @examples(sessions, 150)
    @given(
        catalogue=catalogues.flatmap(with_lead_times),
        rules=rule_sets,
        min_units=st.integers(1, 4),
    )
    def check(catalogue, rules, min_units):  # type: ignore[no-untyped-def]
        _check_plan(sessions, catalogue, rules, min_units)

    check()


def _check_plan(sessions, catalogue, rules, min_units):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        session.execute(delete(Offer))
        session.execute(delete(Product))
        upsert_snapshots(session, catalogue, NOW, rules)
    service = StockService(sessions, rules, clock=lambda: NOW)
    made = plan_service.build(service, min_units)
    reference = _engine_plan(service, min_units)
    for name in ("inbound", "withdrawal", "purchase"):
        assert made.get(name) == reference.get(name), name
    assert made.products_examined == plan_service.plan_size(service)
