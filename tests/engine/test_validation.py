"""validate_transfer: impact, warnings, notes, and every input error of engine.md."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import parse_proposal, validate_transfer
from bot.engine.models import Rules
from bot.errors import InsufficientStock, InvalidInput
from tests.conftest import NOW
from tests.factories import offer, product

RULES = Rules()
EMG331 = product(offer("main", 0, 2, sent_days_ago=8), offer("fbe", 26, 2), sku="EMG331")


def check(snapshot, source, destination, amount):  # type: ignore[no-untyped-def]
    return validate_transfer(
        snapshot, parse_proposal(snapshot.sku, source, destination, amount), NOW, RULES
    )


def test_emg331_ten_from_fbe_to_main_proceeds():
    result = check(EMG331, "fbe", "main", 10).model_dump(mode="json")
    assert result["transfer"] == {"from_account": "fbe", "to_account": "main", "amount": 10}
    assert result["current_state"] == {"stock_fbe": 26, "stock_main": 0}
    assert result["proposed_state"] == {"stock_fbe": 16, "stock_main": 10}
    assert result["impact"] == {
        "from_account_impact": "Safe",
        "to_account_impact": "Will gain/maintain buy button",
    }
    assert result["warnings"] == []
    assert result["recommendation"] == "Proceed"
    assert any("physical withdrawal" in note for note in result["notes"])


def test_more_than_available_is_refused_with_both_numbers():
    with pytest.raises(InsufficientStock) as caught:
        check(EMG331, "fbe", "main", 27)
    assert (caught.value.available, caught.value.requested) == (26, 27)
    assert "available 26" in str(caught.value) and "requested 27" in str(caught.value)


def test_emptying_a_competing_source_warns_it_loses_the_buy_button():
    result = check(EMG331, "fbe", "main", 26)
    assert result.impact.from_account_impact == "Will lose buy button"
    assert result.recommendation == "Review warnings first"
    assert any("lose buy button" in warning for warning in result.warnings)


def test_leaving_a_competing_source_low_warns_low_stock_risk():
    result = check(EMG331, "fbe", "main", 23)
    assert result.impact.from_account_impact == "Low stock risk"
    assert len(result.warnings) == 1


def test_destination_without_competition_gains_nothing():
    snapshot = product(offer("main", 5, 1), offer("fbe", 30, 3))
    result = check(snapshot, "fbe", "main", 5)
    assert result.impact.to_account_impact == "No buy-button change (no competition)"
    assert result.recommendation == "Review warnings first"


def test_destination_already_holding_its_cover_is_warned_the_move_gains_nothing():
    # 8 units at 0.5 a day is 16 days: more than the 14 days of cover the move aims at.
    snapshot = product(offer("main", 8, 3, rank=1, velocity="0.5"), offer("fbe", 30, 3))
    result = check(snapshot, "fbe", "main", 5)
    assert any("already holds 14 days of its sales" in w for w in result.warnings)
    # Holding the buy button alone is no reason to warn: the engine's rebalances go there.
    unknown_pace = product(offer("main", 8, 3, rank=1), offer("fbe", 30, 3))
    assert check(unknown_pace, "fbe", "main", 5).warnings == []


def test_stale_snapshot_is_a_warning():
    old = NOW - timedelta(days=2)
    snapshot = product(offer("main", 0, 2, read_at=old), offer("fbe", 26, 2, read_at=old))
    result = check(snapshot, "fbe", "main", 10)
    assert result.stale is True
    assert result.recommendation == "Review warnings first"


def test_main_to_fbe_note_says_inbound_shipment():
    result = check(product(offer("main", 30, 2), offer("fbe", 0, 2)), "main", "fbe", 10)
    assert any("inbound shipment" in note for note in result.notes)
    assert result.warnings == []


@pytest.mark.parametrize(
    ("source", "destination", "amount", "field"),
    [
        ("fbe", "main", 0, "amount"),
        ("fbe", "main", -3, "amount"),
        ("fbe", "main", "1.5", "amount"),
        ("fbe", "main", "ten", "amount"),
        ("fbe", "main", 65536, "amount"),
        ("fbe", "main", True, "amount"),
        ("store", "main", 1, "from_account"),
        ("fbe", "shop", 1, "to_account"),
        ("fbe", "fbe", 1, "to_account"),
    ],
)
def test_bad_input_names_the_field(source, destination, amount, field):
    with pytest.raises(InvalidInput) as caught:
        parse_proposal("EMG331", source, destination, amount)
    assert caught.value.field == field


def test_accounts_are_case_insensitive():
    assert parse_proposal("X", " FBE ", "Main", " 10 ").from_account == "fbe"


def test_transfer_needs_a_listing_on_both_accounts():
    with pytest.raises(InvalidInput) as caught:
        check(product(offer("main", 30, 2)), "main", "fbe", 1)
    assert caught.value.field == "sku" and "not listed on FBE" in str(caught.value)


def test_validation_does_not_change_the_snapshot():
    before = EMG331.model_dump()
    check(EMG331, "fbe", "main", 10)
    assert EMG331.model_dump() == before
