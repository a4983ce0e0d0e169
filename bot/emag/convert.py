"""eMAG's answers as the snapshot's fields: an offer item as a SyncedOffer (with what makes
it sellable), and order pages as the units sold per offer for the sales velocity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from bot.emag.client import ORDER_TYPES
from bot.engine import limits
from bot.engine.models import Account
from storage.queries import lookup_key
from storage.sync_writes import SyncedOffer
from storage.velocity import SoldLine

# Cancelled (0) and returned (5) orders sold nothing.
UNSOLD_ORDER_STATUSES = frozenset({0, 5})
# A line removed from its order (emag-api.md, Orders: line `status` 0) sold nothing.
REMOVED_LINE = 0


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _bounded(value: Any, low: int, high: int) -> int | None:
    """A whole number the snapshot's column holds; anything else is unknown (None)."""
    number = _int(value)
    return number if number is not None and low <= number <= high else None


def _decimal(value: Any) -> Decimal | None:
    """A price Numeric(14, 4) holds (limits.price), else unknown: eMAG's answer is data
    from outside too, and PostgreSQL would refuse the whole account for one bad price."""
    if value is None or value == "":
        return None
    try:
        return limits.price(str(value), "price")
    except limits.FieldError:
        return None


def _text(value: Any, limit: int) -> str | None:
    """Descriptive text (name, PNK, EAN) without control characters, clipped to its
    column: a long product name is still the product's name."""
    if value is None or value == "":
        return None
    cleaned = "".join(c for c in str(value) if c.isprintable() or c == " ").strip()
    return cleaned[:limit] or None


def _general_stock(item: Mapping[str, Any]) -> int | None:
    general = _int(item.get("general_stock"))
    if general is not None:
        return general
    entries = item.get("stock")
    if isinstance(entries, list):
        return sum(_int(entry.get("value")) or 0 for entry in entries if isinstance(entry, dict))
    return _int(entries)


def offer_from_item(item: Mapping[str, Any]) -> SyncedOffer:
    """One `product_offer/read` item as the fields the snapshot keeps.

    `stock` is eMAG's `general_stock` (the sum over warehouses); the offer id is the
    seller's own `id` (what updates take), never `offer_details.id`. Use
    `SyncedOffer.snapshot(account, now)` for the engine's ProductSnapshot/OfferSnapshot.
    """
    sku = str(item.get("part_number") or "").strip()
    if not sku:
        raise ValueError("offer has no part_number")
    try:
        limits.lookup(sku, "part_number")  # the SKU is the key: one we cannot store is skipped
    except limits.FieldError as exc:
        raise ValueError(str(exc)) from None
    offer_id = _bounded(item.get("id"), 1, limits.MAX_OFFER_ID)
    if offer_id is None:
        raise ValueError(f"offer {sku} has no id in 1..{limits.MAX_OFFER_ID}")
    validation = item.get("offer_validation_status")
    validation = validation if isinstance(validation, dict) else {}
    documentation = item.get("validation_status")
    documentation = (
        documentation[0]
        if isinstance(documentation, list) and documentation and isinstance(documentation[0], dict)
        else {}
    )
    details = item.get("offer_details")
    details = details if isinstance(details, dict) else {}
    eans = item.get("ean")
    ean = eans[0] if isinstance(eans, list) and eans else (eans or None)
    general = _general_stock(item)
    general = general if general is not None and 0 <= general <= limits.MAX_STOCK else None
    return SyncedOffer(
        sku=sku,
        pnk=_text(item.get("part_number_key"), limits.MAX_PNK),
        ean=_text(ean, limits.MAX_EAN),
        name=_text(item.get("name"), limits.MAX_NAME),
        emag_offer_id=offer_id,
        stock=general,
        general_stock=general,
        estimated_stock=_bounded(item.get("estimated_stock"), 0, limits.MAX_STOCK),
        number_of_offers=_bounded(item.get("number_of_offers"), 0, limits.MAX_OFFERS),
        buy_button_rank=_bounded(item.get("buy_button_rank"), 1, limits.MAX_RANK),
        sale_price=_decimal(item.get("sale_price")),
        best_offer_sale_price=_decimal(item.get("best_offer_sale_price")),
        status=_bounded(item.get("status"), 0, max(limits.STATUSES)),
        offer_validation=_bounded(validation.get("value"), 0, limits.MAX_STOCK),
        offer_validation_text=_text(validation.get("description"), 255),
        doc_validation=_bounded(documentation.get("value"), 0, limits.MAX_STOCK),
        doc_validation_text=_text(documentation.get("description"), 255),
        supply_lead_time=_bounded(details.get("supply_lead_time"), 0, 3650),
        category_id=_bounded(item.get("category_id"), 1, 2**31 - 1),
    )


def units_sold(pages: Iterable[list[dict]], account: Account) -> list[SoldLine]:
    """The sold lines of the account's orders in these pages: (offer id, our part number,
    units). Lines are keyed by `product_id`, the seller's own offer id, with
    `ext_part_number` (our SKU) beside it; `part_number` is the documentation owner's and
    is never used. Cancelled or returned orders, removed lines and cancelled units
    (`storno_qty`) sold nothing."""
    sold: list[SoldLine] = []
    wanted = ORDER_TYPES[account]
    for page in pages:
        for order in page:
            if _int(order.get("type")) not in (None, wanted):
                continue
            if _int(order.get("status")) in UNSOLD_ORDER_STATUSES:
                continue
            for line in order.get("products") or []:
                if not isinstance(line, dict) or _int(line.get("status")) == REMOVED_LINE:
                    continue
                units = (_int(line.get("quantity")) or 0) - (_int(line.get("storno_qty")) or 0)
                sku = str(line.get("ext_part_number") or "").strip()
                offer_id = _int(line.get("product_id"))
                if units > 0 and (offer_id is not None or sku):
                    sold.append(SoldLine(offer_id, lookup_key(sku) if sku else None, units))
    return sold
