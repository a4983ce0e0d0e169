"""Hypothesis strategies for random product snapshots."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.engine.models import OfferSnapshot, Rules
from tests.conftest import NOW
from tests.factories import offer, product

stocks = st.one_of(st.none(), st.integers(0, 8), st.integers(0, 80), st.integers(0, 400))


# Hours before NOW: a rise inside the watch window, at its edge, past it.
_ROSE = st.sampled_from([None, None, 1, 23.9, 24, 30])


# Units marked sent from the offer that its stock still shows (storage.transits).
_OUTGOING = st.sampled_from([0, 0, 0, 0, 3, 8, 30])


def watched(draw, snapshot: OfferSnapshot) -> OfferSnapshot:  # type: ignore[no-untyped-def]
    """The offer with a competitor-watch state the sync could have left on it, and
    units it is sending."""
    rose = draw(_ROSE)
    return snapshot.model_copy(
        update={
            "outgoing_transit": draw(_OUTGOING),
            "buy_button_lost_at": draw(
                st.sampled_from([None, None, None, None, NOW - timedelta(hours=3)])
            ),
            "sellers_before": None if rose is None else draw(st.integers(0, 4)),
            "sellers_rose_at": None if rose is None else NOW - timedelta(hours=rose),
            "best_offer_sale_price": draw(st.sampled_from([None, Decimal("95.0000")])),
        }
    )


@st.composite
def offers(draw, account: str):  # type: ignore[no-untyped-def]
    return watched(
        draw,
        offer(
            account,
            stock=draw(stocks),
            offers=draw(st.one_of(st.none(), st.integers(0, 6))),
            rank=draw(st.one_of(st.none(), st.integers(1, 5))),
            sent_days_ago=draw(st.one_of(st.none(), st.integers(0, 14), st.floats(6.5, 7.5))),
            status=draw(st.sampled_from([None, 1, 1, 1, 1, 1, 1, 0, 2])),
            velocity=draw(st.sampled_from([None, None, "0", "0.1", "0.7", "1.5", "3", "12.25"])),
            price=draw(st.sampled_from([None, "19.99", "100.00"])),
            validation=draw(st.sampled_from([None, None, None, 1, 1, 1, 1, 2])),
            documentation=draw(st.sampled_from([None, None, None, 9, 9, 9, 3, 8])),
            in_transit=draw(st.sampled_from([0, 0, 0, 2, 10, 40])),
            overdue=draw(st.sampled_from([0, 0, 0, 0, 5])),
        ),
    )


@st.composite
def products(draw, sku: str = "SKU1"):  # type: ignore[no-untyped-def]
    main = (
        draw(st.one_of(st.none(), offers("main"))) if draw(st.booleans()) else draw(offers("main"))
    )
    fbe = draw(st.one_of(st.none(), offers("fbe"))) if draw(st.booleans()) else draw(offers("fbe"))
    return product(main=main, fbe=fbe, sku=sku)


rule_sets = st.builds(
    Rules,
    low_stock=st.integers(1, 12),
    transfer_cap=st.integers(1, 30),
    source_floor=st.integers(0, 12),
    idle_floor=st.integers(0, 20),
    cover_days=st.integers(1, 30),
)


@st.composite
def competing_pairs(draw, sku: str = "SKU1"):  # type: ignore[no-untyped-def]
    """Both accounts listed and selling, others on the PNK: where transfers are decided."""
    paces = st.sampled_from([None, None, "0", "0.1", "0.3", "0.7", "1.5", "3", "8.5"])
    ranks = st.one_of(st.none(), st.integers(1, 4))

    def side(account: str, stock: st.SearchStrategy[int]):  # type: ignore[no-untyped-def]
        return watched(
            draw,
            offer(
                account,
                stock=draw(stock),
                offers=draw(st.sampled_from([None, 2, 3, 4, 6])),
                rank=draw(ranks),
                velocity=draw(paces),
                in_transit=draw(st.sampled_from([0, 0, 0, 1, 5, 12])),
                sent_days_ago=1,
            ),
        )

    main = side("main", st.integers(0, 12))
    fbe = side("fbe", st.one_of(st.integers(0, 12), st.integers(0, 300)))
    return (
        product(main=main, fbe=fbe, sku=sku)
        if draw(st.booleans())
        else product(
            main=fbe.model_copy(update={"account": "main"}),
            fbe=main.model_copy(update={"account": "fbe"}),
            sku=sku,
        )
    )


def examples(sessions: Any, count: int) -> settings:
    """Hypothesis settings for a property test over a real database: `count` examples on
    SQLite, a third of them on PostgreSQL, which runs the same SQL statements (its
    examples check the dialect, at several times SQLite's cost per example, and the
    suite must stay within minutes on CI's two cores)."""
    postgres = sessions.kw["bind"].dialect.name == "postgresql"
    return settings(
        max_examples=count // 3 if postgres else count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
