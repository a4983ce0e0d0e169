"""Hypothesis strategies for random product snapshots."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.factories import offer, product

stocks = st.one_of(st.none(), st.integers(0, 8), st.integers(0, 80))


@st.composite
def offers(draw, account: str):  # type: ignore[no-untyped-def]
    return offer(
        account,
        stock=draw(stocks),
        offers=draw(st.one_of(st.none(), st.integers(0, 6))),
        rank=draw(st.one_of(st.none(), st.integers(1, 5))),
        sent_days_ago=draw(st.one_of(st.none(), st.integers(0, 14), st.floats(6.5, 7.5))),
        status=draw(st.sampled_from([None, 0, 1, 1, 1, 2])),
        velocity=draw(st.sampled_from([None, "0", "1.5", "3"])),
        price=draw(st.sampled_from([None, "19.99", "100.00"])),
        validation=draw(st.sampled_from([None, 1, 1, 1, 2])),
        documentation=draw(st.sampled_from([None, 9, 9, 3, 1, 8])),
    )


@st.composite
def products(draw, sku: str = "SKU1"):  # type: ignore[no-untyped-def]
    main = (
        draw(st.one_of(st.none(), offers("main"))) if draw(st.booleans()) else draw(offers("main"))
    )
    fbe = draw(st.one_of(st.none(), offers("fbe"))) if draw(st.booleans()) else draw(offers("fbe"))
    return product(main=main, fbe=fbe, sku=sku)
