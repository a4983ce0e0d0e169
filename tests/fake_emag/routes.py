"""The fake's endpoints: plain functions from (account state, request) to a reply.

Each answers as docs emag-api.md says eMAG does; the HTTP plumbing, auth, rate limits and
injected faults live in server.py. Callers hold the server's lock.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fake_emag.data import CATEGORIES, HOTNESS, money, normalize_offer

OFFER_FILTERS = ("id", "status", "part_number", "part_number_key", "general_stock")
ORDER_FILTERS = ("id", "status", "type")
FBE_MANAGED = ("stock", "handling_time", "status")
MAX_SAVE = 50
MAX_ORDERS_PAGE = 100
PAGING = ("currentPage", "itemsPerPage")
MAX_EANS = 100
MAX_STOCK = 65_535


@dataclass
class Reply:
    status: int
    body: Any = None  # None: no body at all (204)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class AccountState:
    """One seller login's data on the fake."""

    name: str
    offers: dict[int, dict] = field(default_factory=dict)
    orders: list[dict] = field(default_factory=list)
    saved_at: dict[int, datetime] = field(default_factory=dict)
    save_count: dict[int, int] = field(default_factory=dict)
    campaign_locked: set[int] = field(default_factory=set)
    # offer id -> the message offer/save refuses it with (a switch for tests).
    refused_saves: dict[int, str] = field(default_factory=dict)
    # page number -> how many offers of that page product_offer/read leaves out.
    short_pages: dict[int, int] = field(default_factory=dict)
    # The last order read's (filters, order count) and its orders, newest first.
    order_view: tuple[Any, list[dict]] = (None, [])


def ok(results: Any) -> Reply:
    return Reply(200, {"isError": False, "messages": [], "results": results})


def error(*messages: str, status: int = 200) -> Reply:
    return Reply(status, {"isError": True, "messages": list(messages), "results": []})


def _matches(item: dict, body: dict, keys: Iterable[str]) -> bool:
    for key in keys:
        if key not in body:
            continue
        wanted = body[key]
        wanted = {str(v) for v in wanted} if isinstance(wanted, list) else {str(wanted)}
        if str(item.get(key)) not in wanted:
            return False
    return True


def _paging(body: dict, max_per_page: int) -> tuple[int, int] | Reply:
    try:
        page = int(body.get("currentPage", 1))
        per_page = min(int(body.get("itemsPerPage", 100)), max_per_page)
    except (TypeError, ValueError):
        return error("Invalid pagination parameters")
    if page < 1 or per_page < 1:
        return error("Invalid pagination parameters")
    return page, per_page


def read_offers(state: AccountState, body: Any) -> Reply:
    """emag-api.md, Reading offers: pages of at most 100 (larger is clamped), no totals;
    "a page can come back short in the middle of a read" (the `short_pages` switch)."""
    if not isinstance(body, dict):
        body = {}
    paging = _paging(body, 100)
    if isinstance(paging, Reply):
        return paging
    page, per_page = paging
    # Unfiltered (as the sync reads), a slice: a pass over 100k offers under the server's
    # lock would hold up the other account's calls, and eMAG counts calls on arrival.
    found = (o for o in state.offers.values() if _matches(o, body, OFFER_FILTERS))
    found = found if any(key in body for key in OFFER_FILTERS) else iter(state.offers.values())
    served = list(itertools.islice(found, (page - 1) * per_page, page * per_page))
    dropped = state.short_pages.pop(page, 0)
    return ok(served[: max(0, len(served) - dropped)])


def count_offers(state: AccountState, body: Any) -> Reply:
    if not isinstance(body, dict):
        body = {}
    paging = _paging(body, 100)
    if isinstance(paging, Reply):
        return paging
    per_page = paging[1]
    total = sum(1 for o in state.offers.values() if _matches(o, body, OFFER_FILTERS))
    # eMAG sends these as strings; clients must not assume numbers.
    pages = math.ceil(total / per_page)
    return ok({"noOfItems": str(total), "noOfPages": str(pages), "itemsPerPage": str(per_page)})


def _apply(offer: dict, item: dict) -> str | None:
    """Update `offer` with `item`'s fields; a message if one is invalid."""
    for key, value in item.items():
        if key == "id":
            continue
        if key == "stock":
            entries = [{"warehouse_id": 1, "value": value}] if isinstance(value, int) else value
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("value"), int) for e in entries
            ):
                return f"offer {offer['id']}: invalid stock"
            if any(not 0 <= e["value"] <= MAX_STOCK for e in entries):
                return f"offer {offer['id']}: stock must be between 0 and {MAX_STOCK}"
            offer["stock"] = entries
            offer["estimated_stock"] = sum(e["value"] for e in entries)
        elif key == "status" and value not in (0, 1, 2):
            return f"offer {offer['id']}: status must be 0, 1 or 2"
        elif key.endswith("_price"):
            try:
                offer[key] = money(value)
            except ArithmeticError:
                return f"offer {offer['id']}: invalid {key}"
        else:
            offer[key] = value
    normalize_offer(offer)
    return None


def _refusal(state: AccountState, offer_id: int, item: dict) -> str | None:
    """Why eMAG refuses this one offer of a batch, or None."""
    if offer_id not in state.offers:
        return f"Offer {offer_id} does not exist"
    managed = [key for key in FBE_MANAGED if key in item]
    if state.name == "fbe" and managed:
        # emag-api.md, Writing offers: "A save on FBE must not carry stock, handling_time
        # or status; the fake server must reject FBE stock writes."
        return (
            f"Offer {offer_id} is fulfilled by eMAG: {', '.join(managed)} cannot be "
            "changed by the seller"
        )
    if offer_id in state.campaign_locked:
        # emag-api.md, Response envelope: "e.g. an offer in a campaign with stock in site
        # cannot be changed".
        return f"Offer {offer_id} takes part in an active campaign and cannot be changed now"
    return state.refused_saves.get(offer_id)


def save_offers(state: AccountState, body: Any, now: datetime | None = None) -> Reply:
    """emag-api.md, Response envelope: "offer/save can answer isError: false at the top
    while offers inside were refused: results then maps each offer id to its own
    {isError, messages}". Only a malformed request is refused as a whole."""
    items = body.get("data") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        return error("Invalid content: expected a list of offers")
    if len(items) > MAX_SAVE:
        return error(f"Maximum {MAX_SAVE} offers per request, got {len(items)}")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            return error("Invalid content: every offer needs an integer id")
    now = now or datetime.now(UTC)
    results: dict[str, dict] = {}
    for item in items:
        offer_id = item["id"]
        problem = _refusal(state, offer_id, item)
        copy = None
        if problem is None:
            # Validated on a copy: a refused offer changes nothing.
            copy = dict(state.offers[offer_id])
            problem = _apply(copy, item)
        if problem is not None or copy is None:
            results[str(offer_id)] = {"isError": True, "messages": [problem]}
            continue
        state.offers[offer_id] = copy
        state.saved_at[offer_id] = now
        state.save_count[offer_id] = state.save_count.get(offer_id, 0) + 1
        results[str(offer_id)] = {"isError": False, "messages": []}
    return ok(results)


def patch_stock(state: AccountState, offer_id: str, body: Any) -> Reply:
    offer = state.offers.get(int(offer_id)) if offer_id.isdigit() else None
    if offer is None:
        return Reply(404, {"message": "This offer does not exist"})
    if state.name == "fbe":
        return Reply(400, {"message": "The stock of an offer fulfilled by eMAG cannot be changed"})
    stock = body.get("stock") if isinstance(body, dict) else None
    if type(stock) is not int or not 0 <= stock <= MAX_STOCK:
        return Reply(400, {"message": "Invalid content"})
    if offer["id"] in state.campaign_locked:
        return Reply(
            400,
            {
                "message": "Validation errors in your request",
                "errors": [
                    {
                        "field": "stock",
                        "message": "The offer takes part in an active campaign; "
                        "stock has NOT been changed.",
                    }
                ],
            },
        )
    warehouse = (offer.get("stock") or [{"warehouse_id": 1}])[0].get("warehouse_id", 1)
    offer["stock"] = [{"warehouse_id": warehouse, "value": stock}]
    offer["estimated_stock"] = stock
    normalize_offer(offer)
    return Reply(204)


def read_orders(state: AccountState, body: Any) -> Reply:
    """emag-api.md, Orders: at most 100 a page, newest first, and "without a type filter
    only type 3 is returned", so an FBE login (its orders are type 2) gets nothing unless
    it asks for type 2."""
    if not isinstance(body, dict):
        body = {}
    paging = _paging(body, MAX_ORDERS_PAGE)
    if isinstance(paging, Reply):
        return paging
    page, per_page = paging
    wanted = {**body, "type": body.get("type", 3)}
    after, before = body.get("createdAfter"), body.get("createdBefore")
    key = (
        repr(sorted((k, str(v)) for k, v in wanted.items() if k not in PAGING)),
        len(state.orders),
    )
    if page == 1 or state.order_view[0] != key:  # the next pages of one read reuse it
        found = [
            order
            for order in state.orders
            if _matches(order, wanted, ORDER_FILTERS)
            and (after is None or order["date"] >= str(after))
            and (before is None or order["date"] <= str(before))
        ]
        found.sort(key=lambda order: (order["date"], order["id"]), reverse=True)
        state.order_view = (key, found)
    return ok(state.order_view[1][(page - 1) * per_page : page * per_page])


def find_by_eans(state: AccountState, catalogue: Iterable[dict], eans: list[str]) -> Reply:
    """emag-api.md, Find by EAN: `results` is keyed by EAN, each `{"products": [...]}`;
    an EAN eMAG does not know has an empty list."""
    if not eans:
        return error("eans is required")
    if len(eans) > MAX_EANS:
        return error(f"Maximum {MAX_EANS} EANs per request, got {len(eans)}")
    by_ean: dict[str, list[dict]] = {}
    for offer in catalogue:
        for ean in offer.get("ean") or []:
            known = by_ean.setdefault(ean, [])
            if all(o["part_number_key"] != offer["part_number_key"] for o in known):
                known.append(offer)
    own = {ean for offer in state.offers.values() for ean in offer.get("ean") or []}
    results: dict[str, dict] = {}
    for ean in dict.fromkeys(eans):
        results[ean] = {
            "products": [
                {
                    "part_number_key": product["part_number_key"],
                    "product_name": product["name"],
                    "brand_name": product["brand"],
                    "vendor_has_offer": ean in own,
                    "allowed_to_add_offer": True,
                    "hotness": HOTNESS[sum(map(ord, product["part_number_key"])) % len(HOTNESS)],
                }
                for product in by_ean.get(ean, [])
            ]
        }
    return ok(results)


def read_categories(body: Any) -> Reply:
    """category/read: the category with the `id` asked for (a list, as reads answer), or
    a page of every category; each with its `id` and `name`."""
    if not isinstance(body, dict):
        body = {}
    wanted = body.get("id")
    if wanted is not None:
        name = CATEGORIES.get(int(wanted)) if str(wanted).isdigit() else None
        return ok([{"id": int(wanted), "name": name, "is_allowed": 1}] if name else [])
    paging = _paging(body, 100)
    if isinstance(paging, Reply):
        return paging
    page, per_page = paging
    every = [{"id": key, "name": name, "is_allowed": 1} for key, name in sorted(CATEGORIES.items())]
    return ok(every[(page - 1) * per_page : page * per_page])
