"""engine.md's scenarios, table-driven, each checked in both directions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import analyze
from bot.engine.models import Rules
from tests.conftest import NOW
from tests.factories import offer, pair, product

RULES = Rules()
DIRECTIONS = [("main", "fbe"), ("fbe", "main")]


def _transfers(analysis):  # type: ignore[no-untyped-def]
    return [rec for rec in analysis.recommendations if rec.is_transfer]


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_zero_stock_with_competition_recommends_transfer_from_the_other_account(here, there):
    analysis = analyze(pair(here, {"stock": 0}, {"stock": 26}), NOW, RULES)
    first = analysis.recommendations[0]
    assert (first.type, first.priority) == ("stock_transfer", "high")
    assert (first.from_account, first.to_account, first.suggested_amount) == (there, here, 10)
    assert analysis.priority == "high" and analysis.action_required
    assert "zero_stock_with_competition" in analysis.issues


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_zero_stock_transfer_leaves_a_competing_source_its_floor(here, there):
    analysis = analyze(pair(here, {"stock": 0}, {"stock": 8}), NOW, RULES)
    assert _transfers(analysis)[0].suggested_amount == 3


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_zero_stock_takes_everything_from_a_source_without_competition(here, there):
    # The source has no competition: number_of_offers counts only our two offers.
    snapshot = pair(here, {"stock": 0, "offers": 3}, {"stock": 4, "offers": 1})
    analysis = analyze(snapshot, NOW, RULES)
    assert analysis.current_situation.model_dump()[f"has_competition_{there}"] is False
    assert _transfers(analysis)[0].suggested_amount == 4


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_zero_stock_when_the_other_cannot_spare_recommends_restock(here, there):
    analysis = analyze(pair(here, {"stock": 0, "offers": 3}, {"stock": 5, "offers": 3}), NOW, RULES)
    assert _transfers(analysis) == []
    restock = analysis.recommendations[0]
    assert (restock.type, restock.priority, restock.account) == ("restock", "high", here)
    assert "both" in restock.reason


def test_both_accounts_empty_with_competition_is_two_high_restocks():
    analysis = analyze(product(offer("main", 0, 3), offer("fbe", 0, 3)), NOW, RULES)
    assert [(r.type, r.account, r.priority) for r in analysis.recommendations] == [
        ("restock", "main", "high"),
        ("restock", "fbe", "high"),
    ]
    assert analysis.priority == "high"


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_low_stock_with_competition_alerts_and_transfers_at_medium(here, there):
    analysis = analyze(
        pair(here, {"stock": 3, "offers": 3}, {"stock": 40, "offers": 3}), NOW, RULES
    )
    kinds = {(r.type, r.priority) for r in analysis.recommendations}
    assert kinds == {("stock_alert", "medium"), ("stock_transfer", "medium")}
    alert = next(r for r in analysis.recommendations if r.type == "stock_alert")
    assert (alert.account, alert.current_stock) == (here, 3)
    transfer = _transfers(analysis)[0]
    assert (transfer.from_account, transfer.to_account, transfer.suggested_amount) == (
        there,
        here,
        10,
    )
    assert analysis.priority == "medium"


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_low_stock_without_spare_is_an_alert_only(here, there):
    analysis = analyze(pair(here, {"stock": 2, "offers": 3}, {"stock": 5, "offers": 3}), NOW, RULES)
    assert [r.type for r in analysis.recommendations] == ["stock_alert"]


@pytest.mark.parametrize("stock", [5, 6, 30])
def test_stock_at_or_above_low_threshold_is_not_low(stock):
    analysis = analyze(product(offer("main", stock, 3), offer("fbe", 40, 3)), NOW, RULES)
    assert analysis.priority == "normal"


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_better_rank_less_stock_rebalances_half_capped(here, there):
    snapshot = pair(
        here, {"stock": 6, "offers": 4, "rank": 1}, {"stock": 30, "offers": 4, "rank": 3}
    )
    analysis = analyze(snapshot, NOW, RULES)
    (rebalance,) = _transfers(analysis)
    assert (rebalance.type, rebalance.priority) == ("stock_rebalance", "low")
    assert (rebalance.from_account, rebalance.to_account) == (there, here)
    assert rebalance.suggested_amount == 10  # min(30 // 2, cap 10)
    assert analysis.issues == ["imbalanced"]


def test_rebalance_amount_is_half_the_source_below_the_cap():
    analysis = analyze(
        product(offer("main", 6, 4, rank=1), offer("fbe", 14, 4, rank=2)), NOW, RULES
    )
    assert _transfers(analysis)[0].suggested_amount == 7


def test_rebalance_needs_both_ranks():
    analysis = analyze(product(offer("main", 6, 4, rank=1), offer("fbe", 30, 4)), NOW, RULES)
    assert _transfers(analysis) == []


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_idle_stock_without_competition_moves_to_the_competing_account(here, there):
    snapshot = pair(here, {"stock": 8, "offers": 4}, {"stock": 25, "offers": 2})
    analysis = analyze(snapshot, NOW, RULES)
    (move,) = _transfers(analysis)
    assert (move.type, move.priority, move.from_account, move.to_account) == (
        "stock_optimization",
        "low",
        there,
        here,
    )
    assert move.suggested_amount == 10  # min(25 - idle floor 10, cap 10)


def test_idle_stock_amount_keeps_the_idle_floor():
    analysis = analyze(product(offer("main", 8, 4), offer("fbe", 13, 2)), NOW, RULES)
    assert _transfers(analysis)[0].suggested_amount == 3


def test_idle_stock_at_the_floor_stays():
    analysis = analyze(product(offer("main", 8, 4), offer("fbe", 10, 2)), NOW, RULES)
    assert _transfers(analysis) == []


@pytest.mark.parametrize("account", ["main", "fbe"])
@pytest.mark.parametrize(("days", "expected"), [(6.9, None), (7, 7), (8.5, 8), (30, 30)])
def test_weekly_update_after_seven_whole_days(account, days, expected):
    offers = {"main": offer("main", 20, 1), "fbe": offer("fbe", 20, 1)}
    offers[account] = offer(account, 20, 1, sent_days_ago=days)
    analysis = analyze(product(**offers), NOW, RULES)
    updates = [r for r in analysis.recommendations if r.type == "offer_update"]
    if expected is None:
        assert updates == []
        return
    (update,) = updates
    assert (update.account, update.days_since_update, update.priority) == (account, expected, "low")
    assert update.reason == f"Last sync {expected} days ago - eMAG recommends weekly updates"


def test_never_sent_offer_needs_an_update():
    analysis = analyze(product(offer("main", 20, 1, sent_days_ago=None)), NOW, RULES)
    (update,) = analysis.recommendations
    assert update.type == "offer_update" and update.days_since_update is None
    assert "Never sent" in update.reason


def test_emg331_reference_case():
    snapshot = product(
        offer("main", 0, 2, sent_days_ago=8), offer("fbe", 26, 2, sent_days_ago=2), sku="EMG331"
    )
    analysis = analyze(snapshot, NOW, RULES)
    situation = analysis.current_situation
    assert (situation.stock_main, situation.stock_fbe, situation.total_stock) == (0, 26, 26)
    assert situation.has_competition_main and situation.has_competition_fbe
    assert analysis.priority == "high"
    assert [r.model_dump() for r in analysis.recommendations] == [
        {
            "type": "stock_transfer",
            "from_account": "fbe",
            "to_account": "main",
            "suggested_amount": 10,
            "priority": "high",
            "reason": "MAIN has 0 stock with competition - losing buy button",
            "impact": "Regain buy button on MAIN account",
        },
        {
            "type": "offer_update",
            "account": "main",
            "days_since_update": 8,
            "priority": "low",
            "reason": "Last sync 8 days ago - eMAG recommends weekly updates",
            "suggested_action": "Update offer even if nothing changed",
        },
    ]


def test_emg331_after_the_transfer_is_normal():
    snapshot = product(
        offer("main", 10, 2, sent_days_ago=0), offer("fbe", 16, 2, sent_days_ago=0), sku="EMG331"
    )
    analysis = analyze(snapshot, NOW, RULES)
    assert analysis.priority == "normal" and analysis.recommendations == []


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_product_listed_on_one_account_only(here, there):
    analysis = analyze(pair(here, {"stock": 0, "offers": 3}, None), NOW, RULES)
    assert analysis.listed_on == [here]
    assert [(r.type, r.account) for r in analysis.recommendations] == [("restock", here)]
    assert f"Not listed on {there.upper()}" in analysis.notes


def test_nulls_count_as_zero_stock_and_unknown_competition():
    analysis = analyze(
        product(offer("main", None, None, sent_days_ago=None, read_at=None), offer("fbe", None, 2)),
        NOW,
        RULES,
    )
    situation = analysis.current_situation
    assert situation.stock_main == 0 and situation.competitors_main is None
    assert situation.has_competition_main is None  # unknown, never "no competition"
    assert any("competition unknown" in note for note in analysis.notes)
    # FBE: number_of_offers 2, no active own offers -> 2 competitors, 0 stock -> restock.
    assert analysis.priority == "high"


def test_no_listing_at_all_is_normal_and_says_so():
    analysis = analyze(product(), NOW, RULES)
    assert analysis.priority == "normal" and analysis.listed_on == []


def test_inactive_offer_is_not_counted_as_our_own_active_offer():
    # MAIN is inactive (status 0): only FBE is ours among the 2 offers -> 1 competitor on MAIN.
    analysis = analyze(product(offer("main", 4, 2, status=0), offer("fbe", 30, 2)), NOW, RULES)
    assert analysis.current_situation.competitors_main == 1


def test_stale_data_is_flagged():
    old = NOW - timedelta(hours=25)
    analysis = analyze(product(offer("main", 20, 1, read_at=old)), NOW, RULES)
    assert analysis.stale is True
    fresh = analyze(product(offer("main", 20, 1, read_at=NOW - timedelta(hours=23))), NOW, RULES)
    assert fresh.stale is False


def test_urgent_transfer_drops_weaker_transfer_in_the_same_direction():
    # MAIN is low with competition and also ranks better with less stock: one transfer only.
    analysis = analyze(
        product(offer("main", 3, 4, rank=1), offer("fbe", 40, 4, rank=2)), NOW, RULES
    )
    transfers = _transfers(analysis)
    assert [(t.type, t.priority) for t in transfers] == [("stock_transfer", "medium")]


def test_opposite_directions_keep_the_transfer_to_the_competing_account():
    # MAIN ranks better with less stock (FBE->MAIN) but MAIN has idle stock (MAIN->FBE).
    snapshot = product(offer("main", 12, 2, rank=1), offer("fbe", 20, 5, rank=2))
    analysis = analyze(snapshot, NOW, RULES)
    transfers = _transfers(analysis)
    assert len(transfers) == 1
    assert transfers[0].to_account == "fbe"


def test_recommendations_are_ordered_by_priority_then_transfers_first():
    analysis = analyze(
        product(offer("main", 3, 3, sent_days_ago=9), offer("fbe", 40, 3)), NOW, RULES
    )
    assert [r.type for r in analysis.recommendations] == [
        "stock_transfer",
        "stock_alert",
        "offer_update",
    ]


def test_thresholds_come_from_rules():
    rules = Rules(low_stock=10, transfer_cap=4)
    analysis = analyze(product(offer("main", 7, 3), offer("fbe", 40, 3)), NOW, rules)
    assert analysis.priority == "medium"
    assert _transfers(analysis)[0].suggested_amount == 4


@pytest.mark.parametrize(("here", "there"), DIRECTIONS)
def test_an_offer_that_cannot_sell_is_fixed_not_stocked(here, there):
    # engine.md scenario 6: the acceptance case of "eMAG as it really answers".
    snapshot = pair(here, {"stock": 0, "offers": 3, "validation": 2}, {"stock": 30, "offers": 3})
    analysis = analyze(snapshot, NOW, RULES)
    assert _transfers(analysis) == []
    [fix] = [rec for rec in analysis.recommendations if rec.type == "fix_offer"]
    assert (fix.account, fix.priority) == (here, "medium")
    assert "Invalid price" in fix.reason
    assert getattr(analysis.current_situation, f"sellable_{here}") is False
    assert "unsellable_offer" in analysis.issues


def test_fixing_is_high_when_nothing_can_sell_anywhere():
    # MAIN's documentation was rejected: its 12 units sell nothing, and FBE has none.
    snapshot = pair("main", {"stock": 12, "documentation": 8}, {"stock": 0, "offers": 3})
    analysis = analyze(snapshot, NOW, RULES)
    found = [
        (r.type, r.from_account or r.account, r.to_account, r.priority)
        for r in analysis.recommendations
        if r.type != "offer_update"
    ]
    assert found == [
        ("stock_transfer", "main", "fbe", "high"),  # move the stuck units where they sell
        ("fix_offer", "main", None, "high"),
    ]


@pytest.mark.parametrize("status", [0, 2])
def test_an_inactive_or_ended_offer_cannot_sell(status):
    analysis = analyze(pair("main", {"stock": 5, "status": status}, {"stock": 5}), NOW, RULES)
    [fix] = [rec for rec in analysis.recommendations if rec.type == "fix_offer"]
    assert "inactive" in fix.reason or "end of life" in fix.reason


def test_stock_stuck_on_an_unsellable_offer_is_the_source_without_a_floor():
    snapshot = pair("main", {"stock": 0, "offers": 3}, {"stock": 8, "offers": 3, "validation": 2})
    [transfer] = _transfers(analyze(snapshot, NOW, RULES))
    assert (transfer.from_account, transfer.suggested_amount) == ("fbe", 8)


def test_restock_says_why_the_other_account_cannot_help():
    below = analyze(pair("main", {"stock": 0}, {"stock": 4}), NOW, RULES)
    unlisted = analyze(pair("main", {"stock": 0}, None), NOW, RULES)
    assert "FBE has only 4, below the floor of 5" in below.recommendations[0].reason
    assert "FBE is not listed" in unlisted.recommendations[0].reason


def test_sales_per_day_and_days_of_cover_are_unknown_without_sales_data():
    known = analyze(pair("main", {"stock": 14, "velocity": "3.5"}, {"stock": 9}), NOW, RULES)
    situation = known.current_situation
    assert (situation.sales_per_day_main, situation.days_of_cover_main) == (3.5, 4.0)
    assert (situation.sales_per_day_fbe, situation.days_of_cover_fbe) == (None, None)
    idle = analyze(pair("main", {"stock": 14, "velocity": "0"}, {"stock": 9}), NOW, RULES)
    assert idle.current_situation.sales_per_day_main == 0.0
    assert idle.current_situation.days_of_cover_main is None  # no sales: cover not a number
