"""The product snapshot as one Core statement, built once at import, and its rows.

`analyze SKU` is a single indexed lookup: rebuilding its select (ORM entities, aliased
offers, IN lists) on every call cost ~30x the SQL itself (issue 18). Built once, with its
keys and ids as expanding bind parameters, the statement keeps its cache key and its
compiled form in the engine's cache, and plain columns come back as tuples, no ORM
objects in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, or_, select

from bot.engine.models import OfferSnapshot, ProductSnapshot
from storage.models import Offer, Product, Snooze

# OfferSnapshot's fields, each read from the offers column of the same name but the first.
OFFER_FIELDS = (
    "offer_id",
    "pnk",
    "stock",
    "general_stock",
    "estimated_stock",
    "number_of_offers",
    "buy_button_rank",
    "sale_price",
    "status",
    "offer_validation",
    "offer_validation_text",
    "doc_validation",
    "doc_validation_text",
    "supply_lead_time",
    "sales_velocity",
    "last_read_at",
    "last_sent_at",
    "in_transit",
    "in_transit_since",
    "overdue_transit",
    "overdue_since",
    "outgoing_transit",
    "best_offer_sale_price",
    "buy_button_lost_at",
    "sellers_before",
    "sellers_rose_at",
)
_PRODUCT_FIELDS = ("id", "sku_key", "sku", "pnk", "ean", "name", "category")

_products, _snoozes = Product.__table__, Snooze.__table__
_main, _fbe = Offer.__table__.alias("m"), Offer.__table__.alias("f")


def _offer_columns(offer: Any) -> list[Any]:
    columns = [offer.c.id.label(f"{offer.name}_id")]  # NULL: no offer on this account
    for field in OFFER_FIELDS:
        column = offer.c["emag_offer_id" if field == "offer_id" else field]
        columns.append(column.label(f"{offer.name}_{field}"))
    return columns


def _snapshot_select() -> Select[Any]:
    # An ended snooze still has its row until it is replaced or cleared: the reader
    # leaves it out by its date (see to_snapshot).
    joined = (
        _products.outerjoin(
            _main, and_(_main.c.product_id == _products.c.id, _main.c.account == "main")
        )
        .outerjoin(_fbe, and_(_fbe.c.product_id == _products.c.id, _fbe.c.account == "fbe"))
        .outerjoin(_snoozes, _snoozes.c.product_id == _products.c.id)
    )
    columns = [_products.c[field] for field in _PRODUCT_FIELDS]
    columns += _offer_columns(_main) + _offer_columns(_fbe)
    columns += [_snoozes.c.until, _snoozes.c.created_by]
    return select(*columns).select_from(joined)


def _by_keys(keys: Any) -> Select[Any]:
    found = or_(_products.c.sku_key.in_(keys), _products.c.pnk.in_(keys), _products.c.ean.in_(keys))
    return _snapshot_select().where(found).order_by(_products.c.sku_key)


# Products whose SKU (compared key), PNK or EAN is one of :keys, in SKU order; BY_KEY for
# one :key, which spares the IN list's expansion on every call (the most of `analyze`).
BY_KEYS = _by_keys(bindparam("keys", expanding=True))
BY_KEY = _by_keys([bindparam("key")])
# Products whose id is one of :ids.
BY_IDS = _snapshot_select().where(_products.c.id.in_(bindparam("ids", expanding=True)))

_OFFER_WIDTH = 1 + len(OFFER_FIELDS)
_MAIN_AT = len(_PRODUCT_FIELDS)
_FBE_AT = _MAIN_AT + _OFFER_WIDTH
_SNOOZE_AT = _FBE_AT + _OFFER_WIDTH


def _offer(account: str, values: Sequence[Any]) -> OfferSnapshot | None:
    if values[0] is None:
        return None
    return OfferSnapshot(account=account, **dict(zip(OFFER_FIELDS, values[1:], strict=True)))


def to_snapshot(row: Row[Any], now: datetime | None) -> ProductSnapshot:
    """A BY_KEYS or BY_IDS row as the engine's snapshot; a snooze counts while it runs
    (any snooze when `now` is None)."""
    until, snoozed_by = row[_SNOOZE_AT], row[_SNOOZE_AT + 1]
    live = until is not None and (now is None or until > now)
    return ProductSnapshot(
        sku=row[2],
        pnk=row[3],
        ean=row[4],
        name=row[5],
        category=row[6],
        main=_offer("main", row[_MAIN_AT:_FBE_AT]),
        fbe=_offer("fbe", row[_FBE_AT:_SNOOZE_AT]),
        snoozed_until=until if live else None,
        snoozed_by=snoozed_by if live else None,
    )
