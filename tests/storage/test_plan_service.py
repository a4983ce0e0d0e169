"""The weekly plan through the real storage (SQLite and PostgreSQL): the engine's amounts
over the catalogue read in batches, a list marked shipped put in transit at once, and
its units not given again by their source while its stock still shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import plan_service
from bot.engine.models import ProductSnapshot
from bot.errors import InvalidInput
from bot.intake.seed import store_snapshots
from bot.service import StockService
from storage.models import Offer, TransferRecord
from tests.conftest import NOW
from tests.engine.test_plan import catalogue
from tests.factories import offer, product


@pytest.fixture
def stored(service: StockService, monkeypatch: pytest.MonkeyPatch) -> StockService:
    store_snapshots(service.sessions, catalogue(), "csv", NOW, service.rules)
    # Batches of 2 products: the plan must carry on across them.
    monkeypatch.setattr(plan_service, "BATCH", 2)
    return service


def test_the_plan_lists_exactly_the_skus_that_need_moving_with_the_engines_amounts(stored):
    plan = plan_service.build(stored, 1)
    assert sorted(line.sku for line in plan.inbound.lines) == ["IN0", "IN1", "IN2"]
    assert sorted(line.sku for line in plan.withdrawal.lines) == ["OUT0", "OUT1"]
    assert {line.sku for line in plan.purchase.lines} == {"BUY"}
    for plan_list in plan.lists():
        for line in plan_list.lines:
            [rec] = [
                rec
                for rec in stored.analyze(line.sku).recommendations
                if (rec.is_transfer or rec.type == "restock")
                and (rec.to_account or rec.account) == line.to_account
            ]
            assert rec.suggested_amount == line.units
    assert (plan.inbound.units, plan.withdrawal.units, plan.purchase.units) == (84, 20, 56)
    assert plan_service.plan_size(stored) == plan.products_examined == 6


def test_marking_inbound_shipped_puts_its_units_in_transit_and_out_of_the_next_plan(stored):
    shipped = plan_service.mark_shipped(stored, "inbound", 1, "cli:tester", "test-key")
    assert (shipped.lines, shipped.units) == (3, 84)
    plan = plan_service.build(stored, 1)
    assert plan.inbound.lines == []
    assert len(plan.withdrawal.lines) == 2  # the other lists are untouched
    for sku in ("IN0", "IN1", "IN2"):
        situation = stored.analyze(sku).current_situation
        assert situation.in_transit_fbe == 28
        assert not [rec for rec in stored.analyze(sku).recommendations if rec.is_transfer]


def test_the_purchase_list_cannot_be_marked_shipped(stored):
    with pytest.raises(InvalidInput, match="inbound, withdrawal"):
        plan_service.parse_list("purchase")
    assert plan_service.parse_list(" Inbound ") == "inbound"


def test_a_plan_of_an_empty_catalogue_is_three_empty_lists(service):
    plan = plan_service.build(service, 1)
    assert [len(plan_list.lines) for plan_list in plan.lists()] == [0, 0, 0]


def test_a_plan_is_made_again_only_when_the_catalogue_changes(stored):
    first = plan_service.build(stored, 1)
    assert plan_service.build(stored, 1) is first
    assert plan_service.build(stored, 3) is not first  # another minimum, another plan
    fixed = catalogue()[0].model_copy(update={"fbe": catalogue()[6].fbe})
    store_snapshots(stored.sessions, [fixed], "csv", NOW, stored.rules)
    again = plan_service.build(stored, 1)
    assert sorted(line.sku for line in again.inbound.lines) == ["IN1", "IN2"]


def _capped(main_stock: int = 20) -> list[ProductSnapshot]:
    """FBE at 0 needs 28 (14 days at 2 a day); MAIN keeps 14 days of its own 1 a day, so
    of its 20 it can give only 6: the source caps the line."""
    return [
        product(
            main=offer("main", main_stock, velocity="1.0"),
            fbe=offer("fbe", 0, velocity="2.0"),
            sku=f"CAP{index}",
        )
        for index in range(2)
    ]


def test_after_inbound_is_marked_shipped_a_capped_source_is_not_asked_again(service):
    store_snapshots(service.sessions, _capped(), "csv", NOW, service.rules)
    first = plan_service.build(service, 1)
    assert [(line.sku, line.units) for line in first.inbound.lines] == [("CAP0", 6), ("CAP1", 6)]
    plan_service.mark_shipped(service, "inbound", 1, "cli:tester", "capped")

    # MAIN's snapshot still shows its 20: the 6 sent are not its to give again.
    again = plan_service.build(service, 1)
    assert again.inbound.lines == []
    for sku in ("CAP0", "CAP1"):
        analysis = service.analyze(sku)
        assert analysis.current_situation.stock_main == 20
        assert analysis.current_situation.in_transit_fbe == 6
        assert not [rec for rec in analysis.recommendations if rec.is_transfer]
    # FBE still lacks 22 and MAIN has none to spare: bought instead, the 6 counted once
    # (28 days at 3 a day = 84, less MAIN's own 14 and the 6 on their way).
    assert [(line.sku, line.units) for line in again.purchase.lines] == [("CAP0", 64), ("CAP1", 64)]
    assert plan_service.build(service, 1).inbound.lines == []


def test_the_units_sent_count_again_on_the_source_only_while_its_stock_shows_them(service):
    store_snapshots(service.sessions, _capped(), "csv", NOW, service.rules)
    plan_service.mark_shipped(service, "inbound", 1, "cli:tester", "capped")
    with service.sessions() as session:
        assert session.scalars(
            select(Offer.outgoing_transit).where(Offer.account == "main")
        ).all() == [6, 6]

    # A read in which MAIN's stock is down by the 6: they are gone from it for good.
    later = NOW + timedelta(hours=2)
    written_down = [snapshot.model_copy(update={"fbe": None}) for snapshot in _capped(14)]
    store_snapshots(service.sessions, written_down, "csv", later, service.rules)
    with service.sessions() as session:
        assert session.scalars(
            select(Offer.outgoing_transit).where(Offer.account == "main")
        ).all() == [0, 0]
        assert all(session.scalars(select(TransferRecord.left_source_at)))
    assert plan_service.build(service, 1).inbound.lines == []

    # Restocked later: MAIN's 40 are its own (the 6 are not taken off twice).
    restocked = [snapshot.model_copy(update={"fbe": None}) for snapshot in _capped(40)]
    store_snapshots(service.sessions, restocked, "csv", later, service.rules)
    lines = plan_service.build(service, 1).inbound.lines
    assert [(line.sku, line.units, line.in_transit) for line in lines] == [
        ("CAP0", 22, 6),
        ("CAP1", 22, 6),
    ]
