"""The weekly plan through the real storage (SQLite and PostgreSQL): the engine's amounts
over the catalogue read in batches, and a list marked shipped put in transit at once."""

from __future__ import annotations

import pytest

from bot import plan_service
from bot.errors import InvalidInput
from bot.intake.seed import store_snapshots
from bot.service import StockService
from tests.conftest import NOW
from tests.engine.test_plan import catalogue


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
