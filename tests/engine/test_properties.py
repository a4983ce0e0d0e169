"""Invariants of the engine over random snapshots (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import analyze, highest_priority, need, positions, validate_transfer
from bot.engine.models import PRIORITY_RANK, Rules, TransferProposal
from tests.conftest import NOW
from tests.strategies import competing_pairs, products, rule_sets

RULES = Rules()


@settings(max_examples=400)
@given(products())
def test_no_transfer_above_what_the_source_has(snapshot):
    analysis = analyze(snapshot, NOW, RULES)
    for rec in analysis.recommendations:
        if rec.is_transfer:
            source = snapshot.offer(rec.from_account)
            assert source is not None
            assert 1 <= rec.suggested_amount <= (source.stock or 0)
            destination = snapshot.offer(rec.to_account)
            # The seed's cap binds where the destination's sales are unknown (engine.md,
            # Amounts) and on every rebalance; a known need may move more.
            if destination.sales_velocity is None or rec.type != "stock_transfer":
                assert rec.suggested_amount <= RULES.transfer_cap


@settings(max_examples=400)
@given(products())
def test_never_two_transfers_and_never_opposite_ones(snapshot):
    transfers = [rec for rec in analyze(snapshot, NOW, RULES).recommendations if rec.is_transfer]
    assert len(transfers) <= 1


@settings(max_examples=400)
@given(products())
def test_priority_is_the_max_of_the_recommendations(snapshot):
    analysis = analyze(snapshot, NOW, RULES)
    assert analysis.priority == highest_priority(analysis.recommendations)
    ranks = [PRIORITY_RANK[rec.priority] for rec in analysis.recommendations]
    assert PRIORITY_RANK[analysis.priority] == max(ranks, default=0)
    assert analysis.action_required == (analysis.priority in ("high", "medium"))


@settings(max_examples=300)
@given(products())
def test_recommendations_are_sorted_by_priority(snapshot):
    ranks = [PRIORITY_RANK[rec.priority] for rec in analyze(snapshot, NOW, RULES).recommendations]
    assert ranks == sorted(ranks, reverse=True)


@settings(max_examples=300)
@given(products(), st.integers(1, 20), st.integers(1, 20), st.integers(0, 10))
def test_a_recommended_transfer_leaves_a_competing_source_its_floor(snapshot, low, cap, floor):
    rules = Rules(low_stock=low, transfer_cap=cap, source_floor=floor)
    analysis = analyze(snapshot, NOW, rules)
    situation = analysis.current_situation.model_dump()
    for rec in analysis.recommendations:
        source = rec.from_account
        # A source eMAG will not sell holds no buy button: its floor protects nothing.
        if (
            rec.is_transfer
            and situation[f"has_competition_{source}"]
            and situation[f"sellable_{source}"]
        ):
            left = situation[f"stock_{rec.from_account}"] - rec.suggested_amount
            assert left >= floor


@settings(max_examples=400)
@given(products())
def test_no_transfer_into_an_offer_that_cannot_sell_and_every_such_offer_is_fixed(snapshot):
    analysis = analyze(snapshot, NOW, RULES)
    situation = analysis.current_situation
    for rec in analysis.recommendations:
        if rec.is_transfer:
            assert getattr(situation, f"sellable_{rec.to_account}") is True
        if rec.type in ("restock", "stock_alert"):
            assert getattr(situation, f"sellable_{rec.account}") is True
    fixed = {rec.account for rec in analysis.recommendations if rec.type == "fix_offer"}
    unsellable = {a for a in analysis.listed_on if not getattr(situation, f"sellable_{a}")}
    assert fixed == unsellable
    assert ("unsellable_offer" in analysis.issues) == bool(unsellable)


@settings(max_examples=200)
@given(products())
def test_analysis_serialises_to_json(snapshot):
    analysis = analyze(snapshot, NOW, RULES)
    dumped = analysis.model_dump(mode="json")
    assert dumped["sku"] == snapshot.sku
    for rec in dumped["recommendations"]:
        assert None not in rec.values()


@settings(max_examples=1500)
@given(st.one_of(products(), competing_pairs()), rule_sets)
def test_every_recommended_transfer_validates_proceed_on_the_same_snapshot(snapshot, rules):
    """engine.md, Amounts, the invariant: the engine agrees with itself."""
    analysis = analyze(snapshot, NOW, rules)
    for rec in analysis.recommendations:
        if not rec.is_transfer:
            continue
        proposal = TransferProposal(
            sku=snapshot.sku,
            from_account=rec.from_account,
            to_account=rec.to_account,
            amount=rec.suggested_amount,
        )
        check = validate_transfer(snapshot, proposal, NOW, rules)
        assert (check.recommendation, check.warnings) == ("Proceed", []), (rec, snapshot)


@settings(max_examples=600)
@given(st.one_of(products(), competing_pairs()), rule_sets)
def test_no_recommendation_repeats_units_in_transit(snapshot, rules):
    analysis = analyze(snapshot, NOW, rules)
    for rec in analysis.recommendations:
        if rec.is_transfer and rec.type == "stock_transfer":
            destination = snapshot.offer(rec.to_account)
            wanted = need(positions(snapshot)[rec.to_account], rules)
            if wanted is None:
                assert rec.suggested_amount <= rules.transfer_cap - destination.in_transit
            else:
                assert rec.suggested_amount <= wanted
