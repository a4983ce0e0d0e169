"""The first offer per SKU key of a read: kept across pages and within one, in order."""

from __future__ import annotations

from bot.emag.first_offers import FirstOffers


def test_the_first_offer_of_a_key_is_kept_within_a_page_and_across_pages() -> None:
    seen = FirstOffers()
    try:
        assert seen.firsts([("A", 1), ("B", 2), ("A", 3)]) == [1, 2, 1]
        assert seen.firsts([("B", 4), ("C", 5), ("A", 1)]) == [2, 5, 1]
        assert seen.firsts([]) == []
        assert seen.firsts([("C", 5), ("C", 6)]) == [5, 5]
    finally:
        seen.close()
