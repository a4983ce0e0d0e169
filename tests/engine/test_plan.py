"""The weekly plan (bot/engine/plan.py): the engine's recommendations in three lists."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import analyze
from bot.engine.models import ProductSnapshot, Rules
from bot.engine.plan import LIST_NAMES, build_plan
from tests.conftest import NOW
from tests.factories import offer, product
from tests.strategies import products

RULES = Rules()


def _plan(snapshots: list[ProductSnapshot], min_units: int = 1):  # type: ignore[no-untyped-def]
    return build_plan(((p, analyze(p, NOW, RULES)) for p in snapshots), NOW, min_units)


def catalogue() -> list[ProductSnapshot]:
    """3 SKUs short on FBE (MAIN can give), 2 short on MAIN (FBE can give), 1 short on
    both, and one that needs nothing."""
    found = []
    for index in range(3):
        found.append(
            product(
                main=offer("main", 60, velocity="1.0"),
                fbe=offer("fbe", 0, velocity="2.0"),
                sku=f"IN{index}",
            )
        )
    for index in range(2):
        found.append(
            product(
                main=offer("main", 0, velocity="0.7", price="50.00"),
                fbe=offer("fbe", 26, velocity="0.3"),
                sku=f"OUT{index}",
            )
        )
    found.append(
        product(main=offer("main", 0, velocity="1"), fbe=offer("fbe", 0, velocity="1"), sku="BUY")
    )
    found.append(product(main=offer("main", 30), fbe=offer("fbe", 30), sku="FINE"))
    return found


def test_the_plan_lists_exactly_the_engines_transfers_and_restocks() -> None:
    plan = _plan(catalogue())
    assert sorted(line.sku for line in plan.inbound.lines) == ["IN0", "IN1", "IN2"]
    assert sorted(line.sku for line in plan.withdrawal.lines) == ["OUT0", "OUT1"]
    assert {line.sku for line in plan.purchase.lines} == {"BUY"}
    for line in plan.inbound.lines:
        assert (line.from_account, line.to_account, line.units) == ("main", "fbe", 28)
        assert line.days_of_cover_before == 0.0
        assert line.days_of_cover_after == 14.0
        assert line.lost_sales_per_day_prevented == 200.0  # 2/day x 100 RON
    for line in plan.withdrawal.lines:
        # EMG331's numbers: 10 units, FBE keeps 5.
        assert (line.from_account, line.to_account, line.units) == ("fbe", "main", 10)
        assert line.lost_sales_per_day_prevented == 35.0
    assert plan.inbound.units == 84 and plan.inbound.skus == 3
    assert plan.inbound.lost_sales_per_day == 600.0
    assert plan.withdrawal.units == 20 and plan.withdrawal.skus == 2
    # Both accounts at 0: one restock each, for lead time + cover of its own sales.
    assert sorted((line.to_account, line.units) for line in plan.purchase.lines) == [
        ("fbe", 28),
        ("main", 28),
    ]
    assert plan.purchase.skus == 1 and plan.purchase.units == 56
    assert plan.products_examined == 7


def test_units_in_transit_are_not_planned_again() -> None:
    short = dict(velocity="2.0")
    sent = product(
        main=offer("main", 60, velocity="1.0"), fbe=offer("fbe", 0, in_transit=20, **short)
    )
    all_sent = product(
        main=offer("main", 60, velocity="1.0"),
        fbe=offer("fbe", 0, in_transit=28, **short),
        sku="SKU2",
    )
    plan = _plan([sent, all_sent])
    [line] = plan.inbound.lines
    assert (line.sku, line.units, line.in_transit) == ("SKU1", 8, 20)
    # 20 on the way is 10 days; the 8 make it 14.
    assert (line.days_of_cover_before, line.days_of_cover_after) == (10.0, 14.0)


def test_lines_under_the_minimum_are_left_out_and_counted() -> None:
    small = product(
        main=offer("main", 60, velocity="1.0"), fbe=offer("fbe", 0, in_transit=26, velocity="2.0")
    )
    plan = _plan([small, *catalogue()], min_units=3)
    assert "SKU1" not in {line.sku for line in plan.inbound.lines}
    assert plan.inbound.below_minimum == 1
    assert plan.inbound.skus == 3


def test_a_purchase_without_sales_data_is_listed_without_a_quantity() -> None:
    unknown = product(main=offer("main", 0), fbe=offer("fbe", 3))
    [line] = _plan([unknown]).purchase.lines
    assert line.units is None and line.days_of_cover_after is None
    assert _plan([unknown]).purchase.without_quantity == 1


@settings(max_examples=400)
@given(st.lists(products(), max_size=4), st.integers(1, 12))
def test_every_plan_line_is_the_engines_recommendation_for_its_sku(snapshots, min_units):
    snapshots = [p.model_copy(update={"sku": f"S{i}"}) for i, p in enumerate(snapshots)]
    plan = _plan(snapshots, min_units)
    wanted = set()
    for snapshot in snapshots:
        for rec in analyze(snapshot, NOW, RULES).recommendations:
            planned = rec.is_transfer or rec.type == "restock"
            if planned and (rec.suggested_amount is None or rec.suggested_amount >= min_units):
                to = rec.to_account or rec.account
                wanted.add((snapshot.sku, rec.type, rec.from_account, to, rec.suggested_amount))
    listed = set()
    for name in LIST_NAMES:
        for line in plan.get(name).lines:
            listed.add((line.sku, line.type, line.from_account, line.to_account, line.units))
            if name == "inbound":
                assert (line.from_account, line.to_account) == ("main", "fbe")
            elif name == "withdrawal":
                assert (line.from_account, line.to_account) == ("fbe", "main")
            else:
                assert line.type == "restock"
        assert plan.get(name).units == sum(line.units or 0 for line in plan.get(name).lines)
    assert listed == wanted


def test_units_a_source_has_sent_are_not_planned_from_it_again() -> None:
    # FBE needs 28 and has 6 on the way; MAIN's 20 keep 14 for its own sales.
    sent = product(
        main=offer("main", 20, velocity="1.0"), fbe=offer("fbe", 0, in_transit=6, velocity="2.0")
    )
    [line] = _plan([sent]).inbound.lines
    assert line.units == 6
    # The 6 on the way are MAIN's, which its stock still shows: it has none to give.
    shown = sent.model_copy(update={"main": sent.main.model_copy(update={"outgoing_transit": 6})})
    plan = _plan([shown])
    assert plan.inbound.lines == []
    [buy] = plan.purchase.lines
    # 28 days at 3 a day, less MAIN's own 14 and the 6 on the way, counted once.
    assert (buy.to_account, buy.units, buy.days_of_cover_before) == ("fbe", 64, 6.7)
