"""The SQL plan (storage.plan_lines and storage.plan_entries through bot.plan_service)
and the engine's plan (bot.engine.plan over bot.engine.analyze of every stored snapshot)
are the same plan: the same lines in the same order, the same totals, on random
catalogues and rules; the totals and order of the stored entries too, for the first
lines of each list, for every line streamed, and for what marking a list shipped takes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot import plan_service
from bot.engine import analyze
from bot.engine.models import ProductSnapshot
from bot.engine.plan import LIST_NAMES, build_plan
from bot.plan_service import SHIPPABLE
from bot.service import StockService
from storage import queries
from storage.db import transaction
from storage.models import Offer, Product
from storage.plan_reads import shippable
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.storage.test_classifier_matches_engine import catalogues, rule_sets
from tests.strategies import examples

LEAD_TIMES = st.sampled_from([None, None, 0, 3, 30])
# SKUs whose code point order is not a locale's (case, punctuation, diacritics).
SKU_TEXT = st.text(alphabet="aAbB-_.0ZșȘ", min_size=1, max_size=4)


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


@st.composite
def with_skus(draw, catalogue: list[ProductSnapshot]):  # type: ignore[no-untyped-def]
    """The catalogue under SKUs that sort differently by code point and by locale."""
    skus = draw(
        st.lists(
            SKU_TEXT,
            min_size=len(catalogue),
            max_size=len(catalogue),
            unique_by=lambda sku: sku.upper(),
        )
    )
    return [item.model_copy(update={"sku": sku}) for item, sku in zip(catalogue, skus, strict=True)]


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
        catalogue=catalogues.flatmap(with_lead_times).flatmap(with_skus),
        rules=rule_sets,
        min_units=st.integers(1, 4),
        most=st.integers(1, 4),
    )
    def check(catalogue, rules, min_units, most):  # type: ignore[no-untyped-def]
        _check_plan(sessions, catalogue, rules, min_units, most)

    check()


def _check_plan(sessions, catalogue, rules, min_units, most):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        session.execute(delete(Offer))
        session.execute(delete(Product))
        upsert_snapshots(session, catalogue, NOW, rules)
    service = StockService(sessions, rules, clock=lambda: NOW)
    made = plan_service.build(service, min_units)
    reference = _engine_plan(service, min_units)
    first = plan_service.build(service, min_units, most)
    for name in LIST_NAMES:
        whole = reference.get(name)
        assert made.get(name) == whole, name
        # The first lines: the stored order's top `most`, with the totals of them all.
        assert first.get(name) == whole.model_copy(update={"lines": whole.lines[:most]}), name
    streamed = list(plan_service.plan_lines(service, min_units))
    assert streamed == [(item.name, line) for item in reference.lists() for line in item.lines]
    assert made.products_examined == first.products_examined == plan_service.plan_size(service)
    with service.sessions() as session:
        for name in SHIPPABLE:
            # What Mark shipped records: every line of the list that has units.
            shipped = sorted(
                (sku, units) for _id, sku, units in shippable(session, name, min_units)
            )
            lines = reference.get(name).lines
            assert shipped == sorted((line.sku, line.units) for line in lines if line.units)
