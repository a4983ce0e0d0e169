"""The competitor watch in the engine: the buy button lost while in stock, new sellers on
the PNK, the price gap that never pretends, and the sync's state transitions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import analyze
from bot.engine.competition_watch import WatchState, gap_sentence, next_state, price_gap
from bot.engine.models import CompetitionPoint, Rules
from tests.conftest import NOW
from tests.factories import offer, product

RULES = Rules()
AN_HOUR_AGO = NOW - timedelta(hours=1)


def _lost(account: str, stock: int = 20, rank: int | None = 2, best: str | None = "95.00"):
    return offer(account, stock=stock, offers=3, rank=rank).model_copy(
        update={
            "buy_button_lost_at": AN_HOUR_AGO,
            "best_offer_sale_price": None if best is None else Decimal(best),
        }
    )


def _recs(snapshot, kind):  # type: ignore[no-untyped-def]
    return [rec for rec in analyze(snapshot, NOW, RULES).recommendations if rec.type == kind]


def test_buy_button_lost_in_stock_is_medium_with_the_gap_in_lei_and_percent():
    snapshot = product(main=_lost("main"), fbe=offer("fbe", stock=8, offers=3, rank=3))
    (rec,) = _recs(snapshot, "buy_button_lost")
    assert (rec.priority, rec.account, rec.rank) == ("medium", "main", 2)
    assert (rec.our_price, rec.best_price, rec.price_gap, rec.price_gap_pct) == (
        100.0,
        95.0,
        5.0,
        5.0,
    )
    assert rec.impact == "our price 100.00 lei, best offer 95.00 lei: 5.00 lei (5.0%) above"
    assert "buy_button_lost" in analyze(snapshot, NOW, RULES).issues


def test_buy_button_lost_is_high_when_the_other_account_cannot_sell_either():
    for fbe in (None, offer("fbe", stock=0, offers=3), offer("fbe", stock=9, status=0)):
        (rec,) = _recs(product(main=_lost("main"), fbe=fbe), "buy_button_lost")
        assert rec.priority == "high", fbe
        assert "FBE cannot sell either" in rec.reason


def test_without_a_best_price_the_gap_is_unknown_never_made_up():
    (rec,) = _recs(product(main=_lost("main", best=None)), "buy_button_lost")
    assert rec.impact == "best price unknown"
    assert rec.price_gap is None and rec.price_gap_pct is None and rec.best_price is None


def test_no_alert_when_won_back_out_of_stock_or_never_held():
    assert not _recs(product(main=_lost("main", rank=1)), "buy_button_lost")
    assert not _recs(product(main=_lost("main", stock=0)), "buy_button_lost")
    assert not _recs(product(main=offer("main", stock=20, rank=2)), "buy_button_lost")


def test_a_rank_that_went_to_null_counts_as_lost():
    (rec,) = _recs(product(main=_lost("main", rank=None)), "buy_button_lost")
    assert "not competing" in rec.reason


def _risen(account: str, offers: int, before: int, hours_ago: float = 1):
    return offer(account, stock=5, offers=offers, rank=2).model_copy(
        update={"sellers_before": before, "sellers_rose_at": NOW - timedelta(hours=hours_ago)}
    )


def test_new_sellers_on_the_pnk_are_one_low_alert_per_product():
    snapshot = product(main=_risen("main", 4, 1), fbe=_risen("fbe", 4, 1))
    (rec,) = _recs(snapshot, "new_seller")
    # own active 2 (both have stock): 4 - 2 = 2 competitors, 1 before.
    assert (rec.priority, rec.account, rec.new_sellers, rec.competitors) == ("low", "main", 1, 2)
    assert rec.reason == "1 new seller on the PNK since the last sync (2 competing now)"
    assert "new_seller" in analyze(snapshot, NOW, RULES).issues


def test_new_sellers_fade_after_the_window_or_when_they_leave():
    assert not _recs(product(main=_risen("main", 4, 1, hours_ago=25)), "new_seller")
    assert not _recs(product(main=_risen("main", 2, 1)), "new_seller")


def test_gap_sentence_below_equal_and_unknown_price():
    assert gap_sentence(Decimal("90"), Decimal("100")).endswith("(11.1%) below")
    assert gap_sentence(Decimal("90"), Decimal("90")) == "our price 90.00 lei is the best offer"
    assert gap_sentence(None, Decimal("90")) == "our price unknown"


def _point(rank, competitors, minutes=0):  # type: ignore[no-untyped-def]
    return CompetitionPoint(
        taken_at=NOW + timedelta(minutes=minutes), rank=rank, competitors=competitors
    )


def test_next_state_loses_wins_back_and_notes_rises():
    empty = WatchState(None, None, None)
    lost = next_state(empty, _point(1, 1), _point(2, 1, 5))
    assert lost.buy_button_lost_at == NOW + timedelta(minutes=5)
    assert next_state(lost, _point(2, 1, 5), _point(3, 1, 10)) == lost  # still lost
    assert next_state(lost, _point(2, 1, 10), _point(1, 1, 15)).buy_button_lost_at is None
    rose = next_state(empty, _point(1, 0), _point(1, 2, 5))
    assert (rose.sellers_before, rose.sellers_rose_at) == (0, NOW + timedelta(minutes=5))
    assert next_state(empty, None, _point(2, 3)) == empty  # the first sync compares nothing


ranks = st.one_of(st.none(), st.integers(1, 4))


@given(
    ranks=st.lists(ranks, min_size=1, max_size=12),
    stock=st.integers(0, 30),
    best=st.one_of(st.none(), st.decimals("1", "200", places=2)),
)
def test_lost_alert_follows_the_rank_history(ranks, stock, best):
    """Over any run of syncs: the alert is up exactly when the offer, in stock, is not
    at rank 1 now and held rank 1 at some earlier sync; its gap is never invented."""
    state = WatchState(None, None, None)
    previous = None
    for minute, rank in enumerate(ranks):
        current = _point(rank, 1, minute)
        state = next_state(state, previous, current)
        previous = current
    main = offer("main", stock=stock, offers=3, rank=ranks[-1]).model_copy(
        update={"buy_button_lost_at": state.buy_button_lost_at, "best_offer_sale_price": best}
    )
    recs = _recs(product(main=main), "buy_button_lost")
    held_before = any(rank == 1 for rank in ranks[:-1])
    assert bool(recs) == (held_before and ranks[-1] != 1 and stock > 0)
    for rec in recs:
        assert (rec.price_gap is None) == (best is None)
        if best is not None:
            assert rec.price_gap == price_gap(Decimal("100.00"), best)[0]
