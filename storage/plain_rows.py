"""The plain rows of a bulk write (the CSV import, the demo seed): products and offers
as lists and tuples, and what turns them to and from pydantic snapshots, with the cyclic
collector paused while millions of them are made.

Nothing of SQLAlchemy here: the CSV import's reading process (bot.intake.csv_process)
makes these rows from its start, while the writing process is still loading the
database's libraries.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.engine.models import ACCOUNTS, OfferSnapshot, ProductSnapshot

# Products per upsert: small enough for a progress bar to move, large enough to stay set-based.
WRITE_BATCH = 5000
# The offer columns a source may give, in the order rows give them; "units_sold_30d" is
# not stored (the pace is made from it).
OFFER_COLUMNS = (
    "emag_offer_id",
    *(name for name in OfferSnapshot.model_fields if name not in ("account", "offer_id")),
)
UNITS = "units_sold_30d"
# Given as the sku, pnk, ean, name and category of a product.
ProductValues = list[str | None]


@dataclass
class OfferRows:
    """One batch: each product once by SKU key (its sku, pnk, ean, name, category), and
    the offer of each (key, account) given: the columns its source gave (names of
    OFFER_COLUMNS, in that order) and their values."""

    products: dict[str, ProductValues] = field(default_factory=dict)
    offers: dict[tuple[str, str], tuple[tuple[str, ...], tuple]] = field(default_factory=dict)


def given_columns(names: set[str]) -> tuple[str, ...]:
    """The OFFER_COLUMNS among `names`, in their order."""
    return tuple(name for name in OFFER_COLUMNS if name in names)


def offer_values(offer: OfferSnapshot) -> tuple[tuple[str, ...], tuple]:
    """The columns an offer's source set (an update writes only those) and their values."""
    names = {"emag_offer_id" if name == "offer_id" else name for name in offer.model_fields_set}
    columns = given_columns(names)
    values = {**offer.__dict__, "emag_offer_id": offer.offer_id}
    return columns, tuple(values[name] for name in columns)


def snapshots(rows: OfferRows) -> list[ProductSnapshot]:
    """The pydantic snapshots of rows, each offer with the fields its source set."""
    found = []
    for key, (sku, pnk, ean, name, category) in rows.products.items():
        offers = {}
        for account in ACCOUNTS:
            given = rows.offers.get((key, account))
            if given is not None:
                fields = {_FIELD.get(c, c): value for c, value in zip(*given, strict=True)}
                offers[account] = OfferSnapshot(account=account, **fields)
        found.append(
            ProductSnapshot(sku=sku or "", pnk=pnk, ean=ean, name=name, category=category, **offers)
        )
    return found


_FIELD = {"emag_offer_id": "offer_id"}


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a bulk write makes millions of small acyclic
    lists and tuples, and the collector walked them (and every object of the libraries
    loaded) again and again, some 40% of an import's time. The few cycles made meanwhile
    (a handful per statement) are collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
